"""A scenario file loaded into an empty database: the reverse of ``mapping.build_scenario``.

Only into an empty database, so an import never merges with (or silently overwrites)
what is already stored; one transaction, so a failure leaves the database empty.
Pinned scenario bookings become confirmed (and pinned) bookings, the others tentative,
so exporting right after importing gives the same scenario back.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from sqlmodel import Session, SQLModel, func, select

from envsched import audit
from envsched.booking import booking_transaction, check_placement
from envsched.db import SessionFactory
from envsched.errors import BookingConflict, InvalidScenario, InvalidState
from envsched.inventory import check_name
from envsched.lifecycle import record_status
from envsched.models import (
    Booking,
    BookingRequest,
    BookingStatus,
    Environment,
    EnvironmentType,
    Freeze,
    MaintenanceWindow,
    Phase,
    Release,
    Stack,
    StackBooking,
    StackBookingPart,
    StackMember,
    User,
)
from solver import scenario as sc
from solver.errors import ScenarioError
from solver.scenario_file import load_scenario

# What makes a database "not empty" for an import: anything a scenario would define.
DOMAIN_TABLES: tuple[type[SQLModel], ...] = (
    EnvironmentType,
    Environment,
    Freeze,
    Release,
    Booking,
    BookingRequest,
)


def ensure_empty(session: Session, what: str) -> None:
    """Raise ``InvalidState`` unless no environment, release, booking or request is stored."""
    for table in DOMAIN_TABLES:
        if session.exec(select(func.count()).select_from(table)).one():
            raise InvalidState(
                f"{what} needs an empty database, and this one already holds "
                f"{getattr(table, '__tablename__', table.__name__)} rows"
            )


def import_scenario(
    sessions: SessionFactory, path: str | Path, now: dt.datetime, *, actor: User | None = None
) -> sc.Scenario:
    """Store the scenario in ``path``: environments, freezes, releases, phases, bookings."""
    try:
        scenario = load_scenario(path)
    except ScenarioError as exc:
        raise InvalidScenario(exc.message, path=exc.path, source=exc.source) from exc
    _check_capacity(scenario)
    with booking_transaction(sessions) as session:
        ensure_empty(session, "importing a scenario")
        writer = _Writer(session, scenario, actor, now)
        writer.environments()
        writer.stacks()
        writer.freezes()
        writer.releases()
        writer.bookings()
    return scenario


def _check_capacity(scenario: sc.Scenario) -> None:
    """The bookings' own rule, on both databases: no day holds more than capacity.

    (PostgreSQL's exclusion constraint would refuse it for capacity 1 anyway; this says
    which environment and day, and holds for SQLite and larger capacities too.)
    """
    load: Counter[tuple[str, int]] = Counter()
    for booking in scenario.bookings:
        duration = scenario.phase_by_id[booking.phase].duration
        load.update(  # a booking of a stack takes each member's days
            (env, d)
            for env in scenario.members[booking.environment]
            for d in range(booking.start, booking.start + duration)
        )
    for (env, day), used in sorted(load.items()):
        capacity = scenario.environment_by_id[env].capacity
        if used > capacity:
            raise BookingConflict(
                f"the scenario's bookings put {used} phases on {env} on "
                f"{scenario.date(day)}, and its capacity is {capacity}"
            )


class _Writer:
    """Adds the scenario's rows in dependency order, each with its audit entry."""

    def __init__(
        self, session: Session, scenario: sc.Scenario, actor: User | None, now: dt.datetime
    ) -> None:
        self.session, self.scenario, self.actor, self.now = session, scenario, actor, now
        self.stack_ids: dict[str, int] = {}
        self.types: dict[str, int] = {}
        self.envs: dict[str, Environment] = {}
        self.phases: dict[str, Phase] = {}

    def add(self, row: SQLModel) -> None:
        self.session.add(row)
        audit.record(self.session, actor=self.actor, now=self.now, action="import", row=row)

    def type_id(self, name: str) -> int:
        if name not in self.types:
            row = EnvironmentType(name=name)
            self.add(row)
            assert row.id is not None
            self.types[name] = row.id
        return self.types[name]

    def environments(self) -> None:
        for env in self.scenario.environments:
            check_name(env.id)
            row = Environment(
                name=env.id,
                type_id=self.type_id(env.type),
                capacity=env.capacity,
                tags=sorted(env.tags),
                changeover_days=env.changeover_days,
            )
            self.add(row)
            assert row.id is not None
            for window in env.unavailable:
                self.add(
                    MaintenanceWindow(
                        environment_id=row.id,
                        reason=window.reason,
                        start=self.scenario.date(window.start),
                        end=self.scenario.date(window.end),
                    )
                )
            self.envs[env.id] = row

    def stacks(self) -> None:
        """Each stack and its members (issue 16)."""
        for stack in self.scenario.stacks:
            check_name(stack.id)
            row = Stack(name=stack.id)
            self.add(row)
            assert row.id is not None
            self.stack_ids[stack.id] = row.id
            for member in stack.members:
                self.session.add(
                    StackMember(stack_id=row.id, environment_id=self.envs[member].id or 0)
                )

    def freezes(self) -> None:
        for freeze in self.scenario.freezes:
            self.add(
                Freeze(
                    name=freeze.reason[:64],
                    start=self.scenario.date(freeze.start),
                    end=self.scenario.date(freeze.end),
                    types=sorted(freeze.types),
                    reason=freeze.reason,
                )
            )

    def releases(self) -> None:
        date = self.scenario.date
        for rel in self.scenario.releases:
            row = Release(
                key=rel.id,
                title=rel.name,
                priority=rel.priority,
                earliest_start=date(rel.earliest_start),
                due=None if rel.due is None else date(rel.due),
            )
            self.add(row)
            assert row.id is not None
            record_status(
                self.session,
                row,
                None,
                actor=self.actor,
                now=self.now,
                reason=f"imported from scenario {self.scenario.name}",
            )
            for position, phase in enumerate(rel.phases):
                self.phases[phase.id] = self.phase(row.id, position, phase)

    def phase(self, release_id: int, position: int, phase: sc.Phase) -> Phase:
        own = phase.earliest_start
        row = Phase(
            release_id=release_id,
            type_id=self.type_id(phase.type),
            position=position,
            key=phase.id,
            duration_days=phase.duration,
            gap_days=phase.gap_days,
            after=None if phase.after is None else list(phase.after),
            required_tags=sorted(phase.requires_tags),
            environments=None if phase.environments is None else list(phase.environments),
            earliest_start=None if own is None else self.scenario.date(own),
            stacks=None if phase.stacks is None else list(phase.stacks),
        )
        self.add(row)
        return row

    def bookings(self) -> None:
        for booking in self.scenario.bookings:
            if booking.environment in self.stack_ids:
                self.stack_booking(booking)
                continue
            env, phase = self.envs[booking.environment], self.phases[booking.phase]
            assert env.id is not None
            start = self.scenario.date(booking.start)
            end = start + dt.timedelta(days=phase.duration_days)
            status = BookingStatus.CONFIRMED if booking.pinned else BookingStatus.TENTATIVE
            # the plan in force as the file has it: what breaks a rule comes in as forced,
            # so that it is a clash (the planner keeps a pinned one and plans around it)
            breaks = check_placement(self.session, phase, env, start, end, forced=True)
            self.add(
                Booking(
                    environment_id=env.id,
                    phase_id=phase.id,
                    start=start,
                    end=end,
                    status=status,
                    pinned=booking.pinned,
                    exclusive=env.capacity == 1,
                    note="imported from a scenario",
                    forced_reason=f"imported from {self.scenario.name}" if breaks else "",
                    created_at=self.now,
                    updated_at=self.now,
                )
            )

    def stack_booking(self, booking: sc.Booking) -> None:
        """A phase's booking on a stack: one booking per member, tied as a stack booking;
        the member serving the phase (of its type, with its tags) carries the phase."""
        phase = self.phases[booking.phase]
        planned = self.scenario.phase_by_id[booking.phase]
        start = self.scenario.date(booking.start)
        end = start + dt.timedelta(days=phase.duration_days)
        group = StackBooking(
            stack_id=self.stack_ids[booking.environment],
            phase_id=phase.id,
            start=start,
            end=end,
            note="imported from a scenario",
            created_at=self.now,
        )
        self.add(group)
        members = next(s for s in self.scenario.stacks if s.id == booking.environment).members
        serving = next(
            (m for m in members if sc.is_eligible(planned, self.scenario.environment_by_id[m])),
            members[0],
        )
        for member in members:
            env = self.envs[member]
            breaks = (
                check_placement(self.session, phase, env, start, end, forced=True)
                if member == serving
                else []
            )
            row = Booking(
                environment_id=env.id or 0,
                phase_id=phase.id if member == serving else None,
                start=start,
                end=end,
                status=BookingStatus.CONFIRMED if booking.pinned else BookingStatus.TENTATIVE,
                pinned=booking.pinned,
                exclusive=env.capacity == 1,
                note="imported from a scenario",
                forced_reason=f"imported from {self.scenario.name}" if breaks else "",
                created_at=self.now,
                updated_at=self.now,
            )
            self.add(row)
            self.session.add(
                StackBookingPart(stack_booking_id=group.id or 0, booking_id=row.id or 0)
            )
