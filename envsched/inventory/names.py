"""Which names an environment may have: every one must be reachable by its own URL.

The pages and the API address an environment as ``/environments/<name>``. A name with a
``/`` never reaches that route, ``.`` and ``..`` are folded away by browsers, and a name
another route under ``/environments/`` already answers to (``new``: the new-environment
form) would show that page instead. Creating, renaming and importing all ask here.
"""

from __future__ import annotations

import re

from envsched.errors import InvalidInput

# Paths under /environments/ that are pages of their own, not an environment.
RESERVED = {"new": "/environments/new is the new-environment form"}
UNADDRESSABLE = {".", ".."}
_NUMBERS = re.compile(r"(\d+)")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an environment's name, or None when it can."""
    if "/" in name:
        return f"{name!r} contains '/', so no URL could reach it"
    if name in UNADDRESSABLE:
        return f"{name!r} cannot be part of a URL"
    if name in RESERVED:
        return f"{name!r} is reserved: {RESERVED[name]}"
    return None


def check_name(name: str) -> None:
    """Refuse a name no URL would reach (``InvalidInput`` naming ``name``)."""
    if (problem := name_problem(name)) is not None:
        raise InvalidInput("name", problem)


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key putting names as people count them: ``SIT-2`` before ``SIT-10``.

    The name is cut into runs of digits and of other characters; digit runs compare as
    numbers, the rest case-blind, and a number sorts before text at the same place
    (so the key never compares an int with a str).
    """
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in _NUMBERS.split(name)
        if part
    )
