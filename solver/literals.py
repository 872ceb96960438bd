"""Model literals that may be constants: a phase that must be placed has ``placed = 1``
rather than a Boolean variable fixed to true, which keeps small models small."""

from __future__ import annotations

from ortools.sat.python import cp_model

Literal = cp_model.IntVar | int


def always(lit: Literal) -> bool:
    return isinstance(lit, int) and lit == 1


def never(lit: Literal) -> bool:
    return isinstance(lit, int) and lit == 0
