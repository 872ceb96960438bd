"""The plan file, ``envsched-plan/1``: a Plan as JSON with ISO dates.

Reading rejects only what is structurally wrong (shape, types, dates, status). Whether
the plan obeys the scenario — known phases, eligible environments, overlaps, metrics —
is for ``validate`` to say, so that ``envsched check`` can list every violation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from solver.json_reader import Reader, quote, read_format, read_json, write_json
from solver.plan import (
    CLASH_RULES,
    OPTIONAL_PARTS,
    STATUSES,
    Assignment,
    Clash,
    Metrics,
    Plan,
    ReleaseOutcome,
    SolverInfo,
    Unplaced,
)
from solver.scenario import Scenario

FORMAT = "envsched-plan/1"

_TOP_KEYS = (
    "format",
    "scenario",
    "status",
    "reason",
    "solver",
    "assignments",
    "unplaced",
    "releases",
    "metrics",
    "clashes",
)
_SOLVER_KEYS = ("method", "seconds", "objective", "bound", "gap", "workers", "terms", "bounds")
_BOUND_KEYS = ("weighted_unplaced", "weighted_tardiness")
_ASSIGNMENT_KEYS = ("phase", "release", "environment", "start", "end", "moved")
_UNPLACED_KEYS = ("phase", "release", "reason")
_CLASH_KEYS = ("phase", "release", "environment", "start", "end", "rule", "message", "with")
_RELEASE_KEYS = ("id", "end", "due", "late_days", "reason")
_METRIC_KEYS = (
    "placed_phases",
    "unplaced_phases",
    "weighted_unplaced",
    "weighted_tardiness",
    "late_releases",
    "makespan_days",
    "moved_bookings",
)


# -- writing ---------------------------------------------------------------------------


def save_plan(plan: Plan, scenario: Scenario, path: str | Path) -> None:
    write_json(plan_to_dict(plan, scenario), path)


def plan_to_dict(plan: Plan, scenario: Scenario) -> dict[str, Any]:
    """The file's JSON; the extras (reasons, gap, terms, weighted_unplaced, clashes) only
    when present."""

    def iso(day: int | None) -> str | None:
        return None if day is None else scenario.date(day).isoformat()

    data: dict[str, Any] = {"format": FORMAT, "scenario": plan.scenario, "status": plan.status}
    if plan.reason:
        data["reason"] = plan.reason
    data |= {
        "solver": _solver_dict(plan.solver),
        "assignments": [
            {
                "phase": a.phase,
                "release": a.release,
                "environment": a.environment,
                "start": iso(a.start),
                "end": iso(a.end),
                "moved": a.moved,
            }
            for a in plan.assignments
        ],
        "unplaced": [
            {"phase": u.phase, "release": u.release, "reason": u.reason} for u in plan.unplaced
        ],
        "releases": [
            {"id": o.id, "end": iso(o.end), "due": iso(o.due), "late_days": o.late_days}
            | ({"reason": o.reason} if o.reason else {})
            for o in plan.releases
        ],
        "metrics": _metrics_dict(plan.metrics),
    }
    if plan.clashes is not None:
        data["clashes"] = [_clash_dict(c, iso) for c in plan.clashes]
    return data


def _clash_dict(clash: Clash, iso: Callable[[int | None], str | None]) -> dict[str, Any]:
    return {
        "phase": clash.phase,
        "release": clash.release,
        "environment": clash.environment,
        "start": iso(clash.start),
        "end": iso(clash.end),
        "rule": clash.rule,
        "message": clash.message,
        "with": list(clash.involves),
    }


def _plain(number: float | None) -> float | None:
    """Whole numbers as JSON integers (``0``, not ``0.0``)."""
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def _solver_dict(info: SolverInfo) -> dict[str, Any]:
    data: dict[str, Any] = {
        "method": info.method,
        "seconds": _plain(round(info.seconds, 2)),
        "objective": _plain(info.objective),
        "bound": _plain(info.bound),
        "workers": info.workers,
    }
    if info.gap is not None:
        data["gap"] = info.gap
    for key, values in (("terms", info.terms), ("bounds", info.bounds)):
        if values:
            data[key] = dict(values)
    return data


def _metrics_dict(metrics: Metrics) -> dict[str, int]:
    data = {key: getattr(metrics, key) for key in _METRIC_KEYS}
    if not metrics.weighted_unplaced:
        del data["weighted_unplaced"]
    return data


# -- reading ---------------------------------------------------------------------------


def load_plan(path: str | Path, scenario: Scenario) -> Plan:
    return parse_plan(read_json(path), scenario, source=str(path))


def parse_plan(data: object, scenario: Scenario, source: str = "") -> Plan:
    """A Plan from decoded JSON; dates become days from the scenario's start.

    Only ``format``, ``scenario`` and ``assignments`` are required: a part left out is
    recorded in ``Plan.omitted`` and not checked. Phases neither assigned nor listed are
    unplaced when the plan has no ``unplaced`` list.
    """
    top = Reader(data, "", source)
    read_format(top, FORMAT)
    top.check_keys(_TOP_KEYS)
    assignments = _assignments(top, scenario)
    omitted = frozenset(part for part in OPTIONAL_PARTS if part != "moved" and not top.has(part))
    if _some_without_moved(top):
        omitted |= {"moved"}
    return Plan(
        scenario=top.text("scenario"),
        status=_status(top),
        reason=top.text("reason", default=""),
        solver=_solver(_section(top, "solver", _SOLVER_KEYS))
        if top.has("solver")
        else SolverInfo(method="unknown", seconds=0),
        assignments=assignments,
        unplaced=_unplaced(top, scenario, assignments),
        releases=tuple(
            _outcome(r, scenario) for r in top.optional_objects("releases", _RELEASE_KEYS)
        ),
        metrics=_metrics(_section(top, "metrics", _METRIC_KEYS))
        if top.has("metrics")
        else Metrics(),
        clashes=(
            tuple(_clash(r, scenario) for r in top.objects("clashes", _CLASH_KEYS))
            if top.has("clashes")
            else None
        ),
        omitted=omitted,
    )


def _status(top: Reader) -> str:
    """A plan that does not say its status is taken as a plan (FEASIBLE)."""
    status = top.text("status", default="FEASIBLE")
    if status not in STATUSES:
        top.fail("status", f"must be one of {', '.join(STATUSES)}, got {quote(status)}")
    return status


def _assignments(top: Reader, scenario: Scenario) -> tuple[Assignment, ...]:
    readers = top.objects("assignments", _ASSIGNMENT_KEYS)
    carrying = [r.has("moved") for r in readers]
    if any(carrying) and not all(carrying):
        missing = readers[carrying.index(False)]
        missing.fail("moved", "give moved on every assignment or on none")
    return tuple(_assignment(r, scenario) for r in readers)


def _some_without_moved(top: Reader) -> bool:
    return any(isinstance(a, dict) and "moved" not in a for a in top.array("assignments"))


def _unplaced(
    top: Reader, scenario: Scenario, assignments: tuple[Assignment, ...]
) -> tuple[Unplaced, ...]:
    if top.has("unplaced"):
        return tuple(
            Unplaced(phase=r.text("phase"), release=r.text("release"), reason=r.text("reason"))
            for r in top.objects("unplaced", _UNPLACED_KEYS)
        )
    assigned = {a.phase for a in assignments}
    return tuple(
        Unplaced(phase=p.id, release=p.release, reason="not in the plan's assignments")
        for p in scenario.phases
        if p.id not in assigned
    )


def _section(top: Reader, key: str, allowed: tuple[str, ...]) -> Reader:
    reader = Reader(top.value(key), top.at(key), top.source)
    reader.check_keys(allowed)
    return reader


def _nullable_number(r: Reader, key: str) -> float | None:
    return None if r.value(key) is None else r.number(key)


def _nullable_day(r: Reader, key: str, scenario: Scenario) -> int | None:
    return None if r.value(key) is None else scenario.day(r.date(key))


def _solver(r: Reader) -> SolverInfo:
    method, seconds = r.text("method"), r.number("seconds")
    objective, bound = _nullable_number(r, "objective"), _nullable_number(r, "bound")
    if r.has("gap"):  # derived from objective and bound: checked, not kept
        _nullable_number(r, "gap")
    workers = r.integer("workers")
    terms = Reader(r.data.get("terms", {}), r.at("terms"), r.source)
    bounds = Reader(r.data.get("bounds", {}), r.at("bounds"), r.source)
    bounds.check_keys(_BOUND_KEYS)
    return SolverInfo(
        method=method,
        seconds=seconds,
        objective=objective,
        bound=bound,
        workers=workers,
        terms={key: terms.integer(key) for key in terms.data},
        bounds={key: bounds.integer(key, minimum=0) for key in bounds.data},
    )


def _assignment(r: Reader, scenario: Scenario) -> Assignment:
    phase, environment = r.text("phase"), r.text("environment")
    known = scenario.phase_by_id.get(phase)
    release = r.text("release", default=known.release if known else "")
    start, end = scenario.day(r.date("start")), scenario.day(r.date("end"))
    return Assignment(
        phase=phase,
        release=release,
        environment=environment,
        start=start,
        end=end,
        moved=r.boolean("moved", default=False),
    )


def _clash(r: Reader, scenario: Scenario) -> Clash:
    """A clash; ``release``, ``end``, ``message`` and ``with`` may be left out."""
    rule = r.text("rule")
    if rule not in CLASH_RULES:
        r.fail("rule", f"must be one of {', '.join(CLASH_RULES)}, got {quote(rule)}")
    return Clash(
        phase=r.text("phase"),
        release=r.text("release", default=""),
        environment=r.text("environment"),
        start=scenario.day(r.date("start")),
        end=_nullable_day(r, "end", scenario) if r.has("end") else None,
        rule=rule,
        message=r.text("message", default=""),
        involves=tuple(sorted(r.texts("with"))),
    )


def _outcome(r: Reader, scenario: Scenario) -> ReleaseOutcome:
    ident = r.text("id")
    end, due = _nullable_day(r, "end", scenario), _nullable_day(r, "due", scenario)
    return ReleaseOutcome(
        id=ident,
        end=end,
        due=due,
        late_days=r.integer("late_days"),
        reason=r.text("reason", default=""),
    )


def _metrics(r: Reader) -> Metrics:
    return Metrics(
        **{
            key: r.integer(key, default=0 if key == "weighted_unplaced" else None)
            for key in _METRIC_KEYS
        }
    )
