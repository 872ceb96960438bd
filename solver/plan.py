"""The result of planning: where and when each phase runs, and what could not be placed.

Days are integers from the scenario's start; ``plan_file`` turns them into ISO dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STATUSES = ("OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN")

# The rules a pinned booking can break while it is kept (docs/design.md, "Meaning").
CLASH_RULES = (
    "unknown_phase",
    "unknown_environment",
    "eligibility",
    "horizon",
    "earliest_start",
    "unavailable",
    "freeze",
    "capacity",
    "changeover",
    "order",
)

# What a plan file may leave out and Plan.omitted records; only format, scenario and
# assignments are required. (Clashes may be left out too: ``Plan.clashes`` is None then.)
OPTIONAL_PARTS = ("status", "solver", "moved", "unplaced", "releases", "metrics")

# Where each placed phase runs, {phase id: (environment id, start day)}: the common
# currency of the dispatch rules, the CP-SAT model and the neighbourhood search.
Placement = dict[str, tuple[str, int]]


@dataclass(frozen=True)
class Assignment:
    phase: str
    release: str
    environment: str
    start: int
    end: int
    moved: bool = False


@dataclass(frozen=True)
class Unplaced:
    phase: str
    release: str
    reason: str


@dataclass(frozen=True)
class Clash:
    """One rule a pinned booking breaks; the booking is kept as it is all the same.

    ``phase``, ``environment`` and ``start`` are the pinned booking's own; ``end`` is its
    first free day (None when the phase is unknown, as is ``release`` then ""). ``rule``
    is one of ``CLASH_RULES``; ``involves`` names the other phases of the clash, sorted:
    the pinned bookings it over-fills or crowds an environment with ("capacity",
    "changeover"), or the predecessor it does not wait for ("order").
    """

    phase: str
    release: str
    environment: str
    start: int
    end: int | None
    rule: str
    message: str
    involves: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.rule not in CLASH_RULES:
            raise ValueError(f"unknown clash rule {self.rule!r}")


@dataclass(frozen=True)
class ReleaseOutcome:
    """``end`` is None when no phase of the release is placed."""

    id: str
    end: int | None
    due: int | None
    late_days: int
    reason: str = ""


@dataclass(frozen=True)
class Metrics:
    placed_phases: int = 0
    unplaced_phases: int = 0
    weighted_unplaced: int = 0
    weighted_tardiness: int = 0
    late_releases: int = 0
    makespan_days: int = 0
    moved_bookings: int = 0


@dataclass(frozen=True)
class SolverInfo:
    method: str
    seconds: float
    objective: float | None = None
    bound: float | None = None
    workers: int = 1
    # named soft terms of the objective, so a plan can say why it looks as it does
    terms: dict[str, int] = field(default_factory=dict)
    # capacity-aware lower bounds, {"weighted_unplaced": n, "weighted_tardiness": n}
    # (solver.bounds); empty when not computed
    bounds: dict[str, int] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound, or None when either is unknown."""
        if self.objective is None or self.bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return abs(self.objective - self.bound) / abs(self.objective)


@dataclass(frozen=True)
class Plan:
    scenario: str
    status: str
    solver: SolverInfo
    assignments: tuple[Assignment, ...] = ()
    unplaced: tuple[Unplaced, ...] = ()
    releases: tuple[ReleaseOutcome, ...] = ()
    metrics: Metrics = Metrics()
    reason: str = ""
    # the rules the kept pinned bookings break; None when the plan does not say (a plan
    # file from another tool), () when it says there are none
    clashes: tuple[Clash, ...] | None = None
    # the optional parts a plan file left out (OPTIONAL_PARTS): the validator checks
    # only what a plan says, so a hand-made or foreign plan can still be checked
    omitted: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown plan status {self.status!r}")

    @property
    def has_plan(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")
