"""The stored history as the plain rows ``envsched.lifecycle.kpis`` computes over.

Each release becomes a ``ReleaseFact`` (its deployments, gates, bookings and status
history folded in; due by its window's go-live when it is in one), each booking not
cancelled a ``BookingFact``, each environment that is not retired a ``SupplyFact`` (its
maintenance windows and the freezes of its type as closed days), and each clash a
``ClashFact`` — the clashes every planning round recorded (``PlanRun.flags``) and those
in the bookings now, each counted once.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from sqlmodel import Session, col, func, select

from envsched.booking import StateClash, current_clashes
from envsched.db import SessionFactory, read_transaction, related
from envsched.lifecycle.gates import phase_gate_views, stored_gates_by_release
from envsched.lifecycle.kpis import (
    BookingFact,
    ClashFact,
    KpiReport,
    Period,
    ReleaseFact,
    SupplyFact,
    kpi_report,
)
from envsched.models import (
    Booking,
    BookingRequest,
    BookingStatus,
    Deployment,
    Environment,
    EnvironmentStatus,
    EnvironmentType,
    Freeze,
    Gate,
    GateKind,
    GateState,
    Phase,
    PlanRun,
    Release,
    ReleaseStatus,
    ReleaseStatusChange,
    ReleaseWindow,
)
from envsched.models.round_results import ClashFlag
from envsched.state_cache import remember

RowOfRelease = TypeVar("RowOfRelease", Deployment, ReleaseStatusChange)


def kpis_for(sessions: SessionFactory, period: Period) -> KpiReport:
    """The KPI report of ``period`` from everything stored (kept until the state changes;
    each caller gets its own copy)."""
    with read_transaction(sessions) as session:
        return copy.deepcopy(remember(session, "kpis", lambda s: _report(s, period), period))


def _report(session: Session, period: Period) -> KpiReport:
    return kpi_report(
        release_facts(session),
        booking_facts(session),
        supply_facts(session),
        clash_facts(session),
        period,
    )


# -- releases ------------------------------------------------------------------------------


def release_facts(session: Session) -> list[ReleaseFact]:
    """One fact per release; each table is read once, whatever the number of releases."""
    releases = session.exec(select(Release).order_by(col(Release.key))).all()
    phases = _phases_by_release(session)
    deployments = session.exec(select(Deployment).order_by(col(Deployment.deployed_on))).all()
    changes = session.exec(select(ReleaseStatusChange).order_by(col(ReleaseStatusChange.at))).all()
    gates = stored_gates_by_release(session)
    firsts = _first_booked_days(session)
    go_lives = {w.id: w.go_live for w in session.exec(select(ReleaseWindow)).all()}
    deployed, changed = _by_release(deployments), _by_release(changes)
    return [
        _release_fact(
            r,
            phases.get(r.id or 0, []),
            deployed.get(r.id or 0, []),
            changed.get(r.id or 0, []),
            gates.get(r.id or 0, []),
            firsts.get(r.id or 0),
            go_lives.get(r.window_id),
        )
        for r in releases
    ]


def _phases_by_release(session: Session) -> dict[int, list[tuple[int, str]]]:
    """Each release's phases' ids and keys, in order: columns, not thousands of rows."""
    found: dict[int, list[tuple[int, str]]] = {}
    for release_id, phase_id, key in session.execute(
        sa.select(col(Phase.release_id), col(Phase.id), col(Phase.key)).order_by(
            col(Phase.release_id), col(Phase.position)
        )
    ).all():
        found.setdefault(release_id, []).append((phase_id, key))
    return found


def _by_release(rows: Sequence[RowOfRelease]) -> dict[int, list[RowOfRelease]]:
    """Rows grouped by their release, each group in the order given."""
    found: dict[int, list[RowOfRelease]] = {}
    for row in rows:
        found.setdefault(row.release_id, []).append(row)
    return found


def _release_fact(
    release: Release,
    phases: Sequence[tuple[int, str]],
    deployments: Sequence[Deployment],
    changes: Sequence[ReleaseStatusChange],
    stored_gates: list[Gate],
    first_booked: dt.date | None,
    go_live: dt.date | None,
) -> ReleaseFact:
    """``go_live``: the release's window's go-live, the day it is due to deploy by (its
    own due day is the window's code cut-off, the day its testing must end by)."""
    gates = phase_gate_views(release.key, phases, stored_gates)
    exits = [g for g in gates if g.kind == GateKind.EXIT]
    go = [g for g in gates if g.kind == GateKind.GO_NO_GO]
    in_test = [c.at.date() for c in changes if c.to_status == ReleaseStatus.IN_TEST]
    cancelled = [c.at.date() for c in changes if c.to_status == ReleaseStatus.CANCELLED]
    started = min([*in_test, *([first_booked] if first_booked else [])], default=None)
    return ReleaseFact(
        key=release.key,
        type=release.type.value,
        status=release.status.value,
        due=go_live or release.due,
        test_started=started,
        deployed_on=deployments[-1].deployed_on if deployments else None,
        backed_out=any(d.backed_out for d in deployments),
        test_signed=all(g.state == GateState.SIGNED for g in exits),
        go_signed=all(g.state == GateState.SIGNED for g in go),
        cancelled_on=cancelled[-1]
        if release.status == ReleaseStatus.CANCELLED and cancelled
        else None,
    )


def _first_booked_days(session: Session) -> dict[int, dt.date]:
    """The first day of each release's first booking that was not cancelled."""
    release_id = col(Phase.release_id)
    return dict(
        session.exec(
            select(release_id, func.min(Booking.start))
            .join(Phase)
            .where(Booking.status != BookingStatus.CANCELLED)
            .group_by(release_id)
        ).all()
    )


# -- bookings and environments ------------------------------------------------------------------


def booking_facts(session: Session) -> list[BookingFact]:
    rows = session.execute(
        sa.select(
            col(EnvironmentType.name),
            col(Booking.start),
            col(Booking.end),
            col(BookingRequest.created_at),
            col(Booking.created_at),
        )
        .select_from(Booking)
        .join(Environment, col(Booking.environment_id) == col(Environment.id))
        .join(EnvironmentType, col(Environment.type_id) == col(EnvironmentType.id))
        .outerjoin(BookingRequest, col(Booking.request_id) == col(BookingRequest.id))
        .where(col(Booking.status) != BookingStatus.CANCELLED)
        .order_by(col(Booking.id))
    ).all()
    return [
        BookingFact(type=type_name, start=start, end=end, asked_on=(asked or made).date())
        for type_name, start, end, asked, made in rows
    ]


def supply_facts(session: Session) -> list[SupplyFact]:
    freezes = session.exec(select(Freeze)).all()
    environments = session.exec(
        select(Environment)
        .where(Environment.status != EnvironmentStatus.RETIRED)
        .options(
            joinedload(related(Environment.type)),
            selectinload(related(Environment.maintenance_windows)),
        )
    ).all()
    return [
        SupplyFact(
            environment=env.name,
            type=env.type.name,
            capacity=env.capacity,
            closed=(
                *((w.start, w.end) for w in env.maintenance_windows),
                *((f.start, f.end) for f in freezes if f.covers(env.type.name)),
            ),
        )
        for env in environments
    ]


# -- clashes --------------------------------------------------------------------------------


def clash_facts(session: Session) -> list[ClashFact]:
    recorded = [
        clash
        for run in session.exec(select(PlanRun)).all()
        for clash in (run.flags.clashes if run.flags else [])
    ]
    return [_clash_fact(c) for c in [*recorded, *map(_as_flag, current_clashes(session))]]


def _as_flag(clash: StateClash) -> ClashFlag:
    """A clash found now, in the shape a planning round records it."""
    return ClashFlag(
        kind=clash.kind,
        environment=clash.environment,
        release=clash.release,
        phase=clash.phase,
        start=clash.start.isoformat(),
        booking_ids=list(clash.booking_ids),
    )


def _clash_fact(flag: ClashFlag) -> ClashFact:
    identity = ":".join(
        str(part or "")
        for part in (flag.kind, flag.environment, flag.release, flag.phase, flag.start)
    )
    identity += ":" + ",".join(str(i) for i in sorted(flag.booking_ids))
    return ClashFact(
        kind=str(flag.kind), start=dt.date.fromisoformat(flag.start), identity=identity
    )
