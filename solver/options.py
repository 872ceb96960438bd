"""How to plan: method, limits and the weights of the objective's terms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

METHODS = ("cp-sat", "greedy")


@dataclass(frozen=True)
class Weights:
    """Relative weights that make the objective's lexicographic order hold in one sum.

    The model scales them so that one unit of a higher term always outweighs every
    possible amount of the terms below it; these are only the unit costs. A moved
    booking always costs 1, and "earlier is better" is left to compaction.
    """

    unplaced: int = 1
    lateness: int = 1


@dataclass(frozen=True)
class Progress:
    """A report while searching; ``objective`` and ``bound`` are in the model's units."""

    elapsed: float
    stage: str
    objective: float | None = None
    bound: float | None = None
    message: str = ""


@dataclass(frozen=True)
class Options:
    time_limit: float = 30.0
    workers: int = 2
    objective: str | None = None  # None: the scenario's own objective
    seed: int = 0
    method: str = "cp-sat"
    weights: Weights = Weights()
    # at most this share of the movable bookings in force may move (solver.moves)
    max_moved_share: float = 0.1
    # called with each improvement; the CLI prints them, the web shows them
    progress: Callable[[Progress], None] | None = None

    def report(self, progress: Progress) -> None:
        if self.progress is not None:
            self.progress(progress)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, not {self.method!r}")
        if self.time_limit <= 0:
            raise ValueError("time_limit must be positive")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if not 0 <= self.max_moved_share <= 1:
            raise ValueError("max_moved_share must be between 0 and 1")
