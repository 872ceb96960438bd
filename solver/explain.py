"""The binding cause, in words: why a phase is unplaced, why a release is late.

Every text is one short sentence for a planner, naming environments, releases, ISO weeks
and window or freeze reasons. They are read from the plan itself (and a calendar built
from it), so any planning method can use them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from solver.calendar import EnvironmentCalendar, Occupancy, latest_starts, ready_day
from solver.plan import Assignment
from solver.scenario import Freeze, Phase, Scenario, Window

MAX_CHARS = 300


def explain_unplaced(scenario: Scenario, phase_id: str, assignments: Iterable[Assignment]) -> str:
    """Why ``phase_id`` could not be placed next to the given assignments."""
    return explain_all_unplaced(scenario, [phase_id], assignments)[phase_id]


def explain_all_unplaced(
    scenario: Scenario, phase_ids: Iterable[str], assignments: Iterable[Assignment]
) -> dict[str, str]:
    """Phase id -> why it could not be placed, from one calendar of the assignments."""
    calendar = calendar_of(scenario, assignments)
    pinned = {b.phase: b.start for b in scenario.bookings if b.pinned}
    latest = latest_starts(scenario, pinned)
    return {p: describe_unplaced(scenario, p, calendar, latest.get(p)) for p in phase_ids}


def calendar_of(scenario: Scenario, assignments: Iterable[Assignment]) -> EnvironmentCalendar:
    calendar = EnvironmentCalendar(scenario)
    for a in assignments:
        calendar.occupy(a.environment, a.start, a.end, a.release, a.phase)
    return calendar


def describe_unplaced(
    scenario: Scenario, phase_id: str, calendar: EnvironmentCalendar, latest: int | None = None
) -> str:
    """As ``explain_unplaced``, from a calendar the planner already holds; ``latest`` is the
    last start its pinned successors allow."""
    phase = scenario.phase_by_id[phase_id]
    for pred, _gap in scenario.predecessors[phase_id]:
        if calendar.placement(pred) is None:
            return f"predecessor {pred} is unplaced"
    if not scenario.eligible[phase_id]:
        return no_eligible_environment(scenario, phase)
    ready = ready_day(scenario, phase, _ends(scenario, phase, calendar))
    limit = (
        scenario.horizon_days
        if latest is None
        else min(latest + phase.duration, scenario.horizon_days)
    )
    span = _span(scenario, ready, limit)
    if limit - ready < phase.duration:
        room = max(0, limit - ready)
        return f"{phase_id} needs {phase.duration} days but only {room} remain {span}"
    envs = _names(scenario.eligible[phase_id])
    head = f"{phase_id} ({phase.duration} days) fits on none of {envs} {span}: "
    grouped: dict[str, list[str]] = {}
    for env_id in scenario.eligible[phase_id]:
        grouped.setdefault(_env_cause(scenario, env_id, calendar, ready, limit), []).append(env_id)
    causes = [f"{_names(env_ids, limit=2)} {cause}" for cause, env_ids in grouped.items()]
    return head + _within_budget(causes, MAX_CHARS - len(head), "; ")


def _span(scenario: Scenario, ready: int, limit: int) -> str:
    """The days a phase could use: from its ready day to the horizon or its pinned successors."""
    pinned = limit < scenario.horizon_days
    why = "when its pinned successors need it done" if pinned else "horizon end"
    return f"between {_iso(scenario, ready)} and {_iso(scenario, limit)} ({why})"


def no_eligible_environment(scenario: Scenario, phase: Phase) -> str:
    if phase.stacks is not None:
        return (
            f"none of the stacks {', '.join(phase.stacks)} holds a {phase.type} environment "
            "with the required tags"
        )
    of_type = [env for env in scenario.environments if env.type == phase.type]
    if not of_type:
        return f"no environment of type {phase.type}"
    tagged = [env for env in of_type if phase.requires_tags <= env.tags]
    if not tagged:
        tags = ", ".join(sorted(phase.requires_tags))
        return f"no environment of type {phase.type} carries tags {{{tags}}}"
    listed = ", ".join(phase.environments or ())
    return f"no {phase.type} environment with the required tags is in the list {listed}"


def _ends(scenario: Scenario, phase: Phase, calendar: EnvironmentCalendar) -> dict[str, int]:
    ends = {}
    for pred, _gap in scenario.predecessors[phase.id]:
        placed = calendar.placement(pred)
        if placed is not None:
            ends[pred] = placed[1].end
    return ends


def _env_cause(
    scenario: Scenario, env_id: str, calendar: EnvironmentCalendar, start: int, end: int
) -> str:
    """What keeps one environment from taking a phase in ``[start, end)``."""
    parts = []
    occupants = calendar.occupants_between(env_id, start, end)
    if occupants:
        parts.append(_busy(scenario, occupants, start, end))
    parts.extend(_blocked(scenario, env_id, start, end))
    return ", ".join(parts) if parts else "has no long enough free stretch"


def _busy(scenario: Scenario, occupants: Sequence[Occupancy], start: int, end: int) -> str:
    releases = _names(dict.fromkeys(occ.release for occ in occupants), limit=3)
    first = max(start, min(occ.start for occ in occupants))
    last = min(end, max(occ.end for occ in occupants))
    return f"busy with {releases} in {weeks(scenario, first, last)}"


def _blocked(scenario: Scenario, env_id: str, start: int, end: int) -> list[str]:
    return list(
        dict.fromkeys(describe_window(w) for w in blocking_windows(scenario, env_id, start, end))
    )


def blocking_windows(scenario: Scenario, env_id: str, start: int, end: int) -> list[Window]:
    return [w for w in scenario.blocked[env_id] if w.overlaps(start, end)]


def describe_window(window: Window) -> str:
    reason = f" '{window.reason}'" if window.reason else ""
    if isinstance(window, Freeze):
        return f"frozen for{reason or ' a freeze'}"
    return f"unavailable{reason or ' (maintenance window)'}"


# -- late releases ------------------------------------------------------------------------


def explain_late(
    scenario: Scenario,
    release_id: str,
    assignments: Iterable[Assignment],
    calendar: EnvironmentCalendar | None = None,
) -> str:
    """Why a release ends after its due day: walk back along its critical path.

    Pass the ``calendar`` of the same assignments when explaining many releases.
    """
    placed = {a.phase: a for a in assignments}
    calendar = calendar if calendar is not None else calendar_of(scenario, placed.values())
    return explain_late_placed(scenario, release_id, placed, calendar)


def explain_late_placed(
    scenario: Scenario,
    release_id: str,
    placed: dict[str, Assignment],
    calendar: EnvironmentCalendar,
) -> str:
    """As ``explain_late``, with the assignments by phase and their calendar at hand."""
    release = scenario.release_by_id[release_id]
    own = [placed[ph.id] for ph in release.phases if ph.id in placed]
    if not own or release.due is None:
        return f"{release_id} has no placed phase or no due day"
    last = max(own, key=lambda a: a.end)
    late = last.end - release.due
    if late <= 0:
        return f"{release_id} is on time"
    waits, origin = _critical_path(scenario, last, placed)
    causes = [
        _why_waited(scenario, calendar, a, ready)
        for a, ready in sorted(waits, key=lambda w: w[1] - w[0].start)
    ]
    work = last.end - origin - sum(a.start - ready for a, ready in waits)
    if origin + work > release.due:
        causes.append(
            f"its phases need {work} days of work from its earliest start "
            f"({_iso(scenario, origin)}) but it is due on {_iso(scenario, release.due)}"
        )
    head = f"{release_id} late by {_days(late)}: "
    return head + _within_budget(causes, MAX_CHARS - len(head), "; ")


def _critical_path(
    scenario: Scenario, last: Assignment, placed: dict[str, Assignment]
) -> tuple[list[tuple[Assignment, int]], int]:
    """Phases on the path that started after they were ready (with their ready day),
    and the day the path starts from (a release's or phase's earliest start)."""
    waits: list[tuple[Assignment, int]] = []
    current = last
    while True:
        phase = scenario.phase_by_id[current.phase]
        own = scenario.release_start(phase)
        binding, pred_ready = _binding_predecessor(scenario, phase, placed)
        ready = max(own, pred_ready)
        if current.start > ready:
            waits.append((current, ready))
        if binding is None or pred_ready < own:
            return waits, own
        current = placed[binding]


def _binding_predecessor(
    scenario: Scenario, phase: Phase, placed: dict[str, Assignment]
) -> tuple[str | None, int]:
    binding, ready = None, -1
    for pred, gap in scenario.predecessors[phase.id]:
        if pred in placed and placed[pred].end + gap > ready:
            binding, ready = pred, placed[pred].end + gap
    return binding, ready


def _why_waited(
    scenario: Scenario, calendar: EnvironmentCalendar, a: Assignment, ready: int
) -> str:
    """Why a phase started ``a.start - ready`` days after its predecessors let it."""
    phase = scenario.phase_by_id[a.phase]
    envs = scenario.eligible[a.phase]
    freezes = [
        w
        for env_id in envs
        for w in blocking_windows(scenario, env_id, ready, a.start)
        if isinstance(w, Freeze) and w.end == a.start
    ]
    if freezes:
        return f"{a.phase} could not start before the freeze '{freezes[0].reason}' ended"
    others = {
        env_id: [
            occ
            for occ in calendar.occupants_between(env_id, ready, a.start)
            if occ.phase != a.phase
        ]
        for env_id in envs
    }
    busy_envs = [env_id for env_id, occupants in others.items() if occupants]
    parts = list(
        {
            describe_window(w): None
            for env_id in envs
            for w in blocking_windows(scenario, env_id, ready, a.start + phase.duration)
        }
    )
    if busy_envs:
        occupants = [occ for env_id in busy_envs for occ in others[env_id]]
        parts.insert(
            0, f"{_names(busy_envs, limit=3)} {_busy(scenario, occupants, ready, a.start)}"
        )
    wait = a.start - ready
    if not parts:
        return f"{a.phase} started {_days(wait)} after it was ready"
    return f"{a.phase} waited {_days(wait)} for {phase.type} ({', '.join(parts)})"


# -- wording ------------------------------------------------------------------------------


def weeks(scenario: Scenario, start: int, end: int) -> str:
    """ISO weeks of the real dates covering ``[start, end)``: "week 12" or "weeks 12–14"."""
    first = scenario.date(start).isocalendar().week
    last = scenario.date(max(start, end - 1)).isocalendar().week
    return f"week {first}" if first == last else f"weeks {first}–{last}"


def _iso(scenario: Scenario, day: int) -> str:
    return scenario.date(day).isoformat()


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _names(items: Iterable[str], limit: int = 4) -> str:
    names = list(items)
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} and {len(names) - limit} more"


def _within_budget(parts: Sequence[str], budget: int, sep: str) -> str:
    """Join as many parts as fit in ``budget`` characters; say how many were left out."""
    kept: list[str] = []
    for index, part in enumerate(parts):
        rest = len(parts) - index - 1
        candidate = sep.join([*kept, part])
        if kept and len(candidate) + (len(f"{sep}and {rest} more") if rest else 0) > budget:
            return sep.join(kept) + f"{sep}and {len(parts) - index} more"
        kept.append(part)
    return sep.join(kept)
