"""The one place where stored state becomes a solver scenario and a plan becomes bookings.

Dates become integer days from the scenario's start here and nowhere else in
``envsched``. The mapping follows docs/design.md:

* every environment is in the scenario (a retired one too, so phases that name it stay
  valid); maintenance windows, and a status other than ``available`` for the whole
  horizon, become its unavailable windows;
* releases that are planned or in progress, with their phases (order, ``after``, gap,
  tags, allowed environments); a release the solver could not read (a phase of a type
  no environment has, a start past the horizon) is left out and said so;
* live bookings serving a phase become the scenario's bookings: confirmed and in-use
  ones (and any booking marked pinned) are pinned, tentative ones may move;
* a pinned booking stays in the scenario even where it breaks a rule (not eligible, past
  the horizon): the planner keeps it and reports the clash (``Plan.clashes``); a movable
  booking the scenario cannot hold where it is is a *stray*: its phase is planned afresh
  and its days are free, and the round proposes to move that same booking, never to book
  the phase a second time;
* stacks with their members, and a phase's ``stacks``; a booking of a whole stack for a
  phase is the phase's booking on the stack (its other members' bookings are part of
  it, not room taken besides);
* blank tags are ignored, and any other row the scenario file's reader would refuse is
  left out and said so (``readable_scenario``), so the scenario always reads back.

``plan_bookings`` writes a plan back as tentative bookings and ``scenario_import`` loads a
scenario file into an empty database; both are re-exported here, so callers find the
whole mapping in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlmodel import Session, col, select

from envsched.booking import booking_words
from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput
from envsched.models import (
    LIVE_STATUSES,
    OPEN_RELEASE_STATUSES,
    Booking,
    Environment,
    EnvironmentStatus,
    Freeze,
    Phase,
    Release,
    Stack,
    StackBooking,
    StackBookingPart,
    StackMember,
)
from envsched.models.limits import clean_tags
from envsched.planning.plan_bookings import PINNED_STATUSES, apply_plan_as_tentative
from envsched.planning.readable_scenario import readable
from envsched.transfer import import_scenario
from solver import scenario as sc
from solver.scenario_file import save_scenario

__all__ = [
    "Mapped",
    "Stray",
    "apply_plan_as_tentative",
    "build_scenario",
    "export_scenario",
    "import_scenario",
    "is_pinned",
]

DEFAULT_HORIZON_DAYS = 365
DUPLICATE = "the phase already has a live booking in the scenario"
OPEN_RELEASES = OPEN_RELEASE_STATUSES


@dataclass(frozen=True)
class Stray:
    """A live booking of a phase in the scenario that the scenario cannot hold where it is."""

    booking_id: int
    phase: str
    environment: str
    start: dt.date
    end: dt.date
    problem: str


@dataclass(frozen=True)
class Mapped:
    """A scenario built from the database, and what had to be left out of it (and why)."""

    scenario: sc.Scenario
    left_out: tuple[str, ...] = field(default=())
    strays: tuple[Stray, ...] = field(default=())


# -- stored state -> scenario -------------------------------------------------------------


def build_scenario(
    session: Session,
    *,
    start: dt.date | None = None,
    horizon_days: int | None = None,
    name: str = "envsched",
) -> Mapped:
    """The stored state as a solver scenario, inside the caller's (read) transaction."""
    envs = session.exec(select(Environment).order_by(col(Environment.name))).all()
    releases = session.exec(
        select(Release).where(col(Release.status).in_(OPEN_RELEASES)).order_by(col(Release.key))
    ).all()
    live = _live_bookings(session)
    start = start or default_start(releases, live)
    horizon = horizon_days or min(default_horizon(start, releases, live), sc.MAX_HORIZON_DAYS)
    if horizon > sc.MAX_HORIZON_DAYS:  # the scenario file's bound: what we write reads back
        raise InvalidInput("horizon_days", f"must be at most {sc.MAX_HORIZON_DAYS}, got {horizon}")
    day = _Days(start)
    freezes = tuple(
        _freeze(f, day)
        for f in session.exec(select(Freeze).order_by(col(Freeze.start), col(Freeze.id))).all()
    )
    left_out: list[str] = []
    draft = sc.Scenario(
        name=name,
        start=start,
        horizon_days=horizon,
        environments=tuple(_environment(env, day, horizon) for env in envs),
        releases=(),
        freezes=freezes,
        stacks=_stacks(session),
    )
    draft = replace(
        draft,
        releases=_readable_releases(
            releases, draft.environments, day, horizon, left_out, {s.id for s in draft.stacks}
        ),
    )
    bookings, others, strays = _bookings(draft, live, left_out, on_stacks(session))
    occupied = _occupied(others, day, left_out)
    scenario = readable(
        replace(
            draft,
            bookings=bookings,
            environments=tuple(
                _environment(env, day, horizon, occupied.get(env.name, [])) for env in envs
            ),
        ),
        left_out,
    )
    return Mapped(scenario, tuple(left_out), strays)


def export_scenario(
    sessions: SessionFactory,
    path: str | Path,
    start: dt.date | None = None,
    horizon_days: int | None = None,
    name: str = "envsched",
) -> Mapped:
    """Write the stored state as an ``envsched-scenario/1`` file; returns what was mapped."""
    with read_transaction(sessions) as session:
        mapped = build_scenario(session, start=start, horizon_days=horizon_days, name=name)
    save_scenario(mapped.scenario, path)
    return mapped


def default_start(releases: Sequence[Release], bookings: Sequence[Booking]) -> dt.date:
    """The first day anything open happens: a release may start or a live booking runs."""
    days = [b.start for b in bookings] + [r.earliest_start for r in releases if r.earliest_start]
    if not days:
        raise InvalidInput("start", "nothing open has a date to start from; give a start")
    return min(days)


def default_horizon(
    start: dt.date, releases: Sequence[Release], bookings: Sequence[Booking]
) -> int:
    """A year, or longer when a live booking or a release's start lies beyond it."""
    ends = [b.end for b in bookings] + [
        r.earliest_start + dt.timedelta(days=1) for r in releases if r.earliest_start
    ]
    return max([DEFAULT_HORIZON_DAYS, *((end - start).days for end in ends)])


@dataclass(frozen=True)
class _Days:
    """Date -> day number from the scenario's start: the one conversion of this module."""

    start: dt.date

    def __call__(self, date: dt.date) -> int:
        return (date - self.start).days


# Why an environment that is not available takes no phase, as a window's reason says it.
STATUS_WORDS = {
    EnvironmentStatus.MAINTENANCE: "under maintenance",
    EnvironmentStatus.DOWN: "down",
    EnvironmentStatus.RETIRED: "retired",
}


def _environment(
    env: Environment, day: _Days, horizon: int, occupied: Sequence[sc.Window] = ()
) -> sc.Environment:
    windows = [sc.Window(day(w.start), day(w.end), w.reason) for w in env.maintenance_windows]
    windows += occupied
    if env.status != EnvironmentStatus.AVAILABLE:
        windows = [sc.Window(0, horizon, STATUS_WORDS.get(env.status, env.status.value))]
    return sc.Environment(
        id=env.name,
        type=env.type.name,
        capacity=env.capacity,
        tags=frozenset(clean_tags(env.tags)),
        changeover_days=env.changeover_days,
        unavailable=tuple(windows),
    )


def _freeze(freeze: Freeze, day: _Days) -> sc.Freeze:
    return sc.Freeze(
        start=day(freeze.start),
        end=day(freeze.end),
        reason=freeze.reason,
        types=frozenset(freeze.types),
    )


def _stacks(session: Session) -> tuple[sc.Stack, ...]:
    """Every stack with at least one member, members by name."""
    rows = session.exec(
        select(Stack.name, Environment.name)
        .join(StackMember, col(StackMember.stack_id) == Stack.id)
        .join(Environment, col(Environment.id) == StackMember.environment_id)
        .order_by(col(Stack.name), col(Environment.name))
    ).all()
    members: dict[str, list[str]] = {}
    for stack, env in rows:
        members.setdefault(stack, []).append(env)
    return tuple(sc.Stack(name, tuple(names)) for name, names in members.items())


def on_stacks(session: Session) -> dict[int, tuple[str, str, bool]]:
    """Booking id -> (its stack, the phase, whether it carries the phase) for member
    bookings of a stack booked for a phase: the phase's booking is on the stack, and the
    other members' bookings are part of it."""
    rows = session.exec(
        select(StackBookingPart.booking_id, Stack.name, Phase.key, Booking.phase_id)
        .join(StackBooking, col(StackBooking.id) == StackBookingPart.stack_booking_id)
        .join(Stack, col(Stack.id) == StackBooking.stack_id)
        .join(Phase, col(Phase.id) == StackBooking.phase_id)
        .join(Booking, col(Booking.id) == StackBookingPart.booking_id)
    ).all()
    return {
        booking_id: (stack, key, phase_id is not None) for booking_id, stack, key, phase_id in rows
    }


def _readable_releases(
    releases: Iterable[Release],
    envs: Sequence[sc.Environment],
    day: _Days,
    horizon: int,
    left_out: list[str],
    stacks: set[str],
) -> tuple[sc.Release, ...]:
    kept = []
    for release in releases:
        problem = _unreadable(release, envs, day, horizon, stacks)
        if problem:
            left_out.append(f"release {release.key}: {problem}")
        else:
            kept.append(_release(release, day))
    return tuple(kept)


def _unreadable(
    release: Release, envs: Sequence[sc.Environment], day: _Days, horizon: int, stacks: set[str]
) -> str:
    """Why the solver's scenario reader would refuse this release, or '' if it would not."""
    if not release.phases:
        return "has no phases"
    if release.earliest_start and day(release.earliest_start) >= horizon:
        return "starts after the horizon"
    types, tags = {e.type for e in envs}, {t for e in envs for t in e.tags}
    keys = {p.key for p in release.phases}
    for phase in release.phases:
        if phase.type.name not in types:
            return f"phase {phase.key} needs type {phase.type.name}, which no environment has"
        if missing := sorted(set(clean_tags(phase.required_tags)) - tags):
            return f"phase {phase.key} needs tags no environment has: {', '.join(missing)}"
        if phase.earliest_start and day(phase.earliest_start) >= horizon:
            return f"phase {phase.key} starts after the horizon"
        if not set(phase.after or ()) <= keys:
            return f"phase {phase.key} waits for a phase of another release"
        if phase.stacks is not None and (not phase.stacks or not set(phase.stacks) <= stacks):
            return f"phase {phase.key} needs a stack that does not exist (or none is named)"
    return ""


def _release(release: Release, day: _Days) -> sc.Release:
    phases = tuple(_phase(release.key, p, day) for p in release.phases)
    earliest = day(release.earliest_start) if release.earliest_start else 0
    return sc.Release(
        id=release.key,
        phases=phases,
        name=release.title,
        priority=release.priority,
        earliest_start=max(0, earliest),
        due=day(release.due) if release.due else None,
    )


def _phase(release: str, phase: Phase, day: _Days) -> sc.Phase:
    own = max(0, day(phase.earliest_start)) if phase.earliest_start else None
    return sc.Phase(
        id=phase.key,
        release=release,
        type=phase.type.name,
        duration=phase.duration_days,
        gap_days=phase.gap_days,
        after=None if phase.after is None else tuple(phase.after),
        requires_tags=frozenset(clean_tags(phase.required_tags)),
        environments=None if phase.environments is None else tuple(phase.environments),
        earliest_start=own,
        stacks=None if phase.stacks is None else tuple(phase.stacks),
    )


def _live_bookings(session: Session) -> list[Booking]:
    """Live bookings, the ones to keep first: pinned, then earliest."""
    found = session.exec(select(Booking).where(col(Booking.status).in_(LIVE_STATUSES))).all()
    return sorted(found, key=lambda b: (not is_pinned(b), b.start, b.id or 0))


def is_pinned(booking: Booking) -> bool:
    """Confirmed and in-use bookings never move; a tentative one only if marked pinned."""
    return booking.status in PINNED_STATUSES or booking.pinned


def _bookings(
    draft: sc.Scenario,
    bookings: Iterable[Booking],
    left_out: list[str],
    on_stacks: dict[int, tuple[str, str, bool]],
) -> tuple[tuple[sc.Booking, ...], list[Booking], tuple[Stray, ...]]:
    """One scenario booking per phase; the live bookings that only take room; the strays."""
    kept: dict[str, sc.Booking] = {}
    others: list[Booking] = []
    strays: list[tuple[Booking, str]] = []
    members: list[tuple[Booking, str, str]] = []  # (booking, stack, phase) held by a phase's
    for booking in bookings:
        stack, phase_key, carrier = on_stacks.get(booking.id or 0, ("", "", False))
        if stack and not carrier:
            members.append((booking, stack, phase_key))
            continue
        if booking.phase is None:
            others.append(booking)  # a request's booking: it only takes room
            continue
        key, env = booking.phase.key, stack or booking.environment.name
        problem = _unmappable(
            draft, key, env, draft.day(booking.start), kept, pinned=is_pinned(booking)
        )
        if not problem:
            kept[key] = sc.Booking(
                phase=key,
                environment=env,
                start=draft.day(booking.start),
                pinned=is_pinned(booking),
            )
        elif key in draft.phase_by_id and key not in kept:
            strays.append((booking, problem))
        else:
            left_out.append(f"{_named(booking)}: {problem}")
            others.append(booking)
    for booking, stack, phase_key in members:  # held by the stack booking when it is kept
        if phase_key not in kept or kept[phase_key].environment != stack:
            others.append(booking)
    return tuple(kept.values()), others, _strays(strays, kept, others, left_out)


def _strays(
    found: list[tuple[Booking, str]],
    kept: dict[str, sc.Booking],
    others: list[Booking],
    left_out: list[str],
) -> tuple[Stray, ...]:
    """One stray a phase without a booking in the scenario; any other keeps its days, as
    the other live bookings outside the scenario do."""
    strays: dict[str, Stray] = {}
    for booking, problem in found:
        assert booking.phase is not None and booking.id is not None
        key, named = booking.phase.key, _named(booking)
        if key in kept or key in strays:
            left_out.append(f"{named}: {DUPLICATE}")
            others.append(booking)
            continue
        strays[key] = Stray(
            booking.id, key, booking.environment.name, booking.start, booking.end, problem
        )
        left_out.append(f"{named}: {problem}")
    return tuple(strays.values())


def _named(booking: Booking) -> str:
    return booking_words(booking)


def _occupied(
    bookings: Iterable[Booking], day: _Days, left_out: list[str]
) -> dict[str, list[sc.Window]]:
    """Live bookings outside the scenario still hold their days: on a capacity-1
    environment they become unavailable windows; a larger one cannot say "one less"."""
    found: dict[str, list[sc.Window]] = {}
    for booking in bookings:
        env = booking.environment
        if env.capacity == 1:
            found.setdefault(env.name, []).append(
                sc.Window(day(booking.start), day(booking.end), booking_words(booking))
            )
        else:
            left_out.append(
                f"{booking_words(booking)} is not planned, yet it holds one of "
                f"the {env.capacity} places of {env.name}: the plan may put "
                f"one phase too many there on its days"
            )
    return found


def _unmappable(
    draft: sc.Scenario, key: str, env: str, start: int, kept: dict[str, sc.Booking], *, pinned: bool
) -> str:
    """Why the scenario cannot hold this booking ('' if it can); a pinned one it holds even
    where it breaks a rule: the planner keeps it and reports the clash."""
    phase = draft.phase_by_id.get(key)
    if phase is None:
        return "its release is not open or was left out"
    if key in kept:
        return DUPLICATE
    if pinned:
        return ""
    if env not in draft.eligible[phase.id]:
        return "the environment is not eligible for the phase"
    if start < 0 or start + phase.duration > draft.horizon_days:
        return "it does not fit inside the scenario's horizon"
    return ""
