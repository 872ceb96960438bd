"""A what-if's copy of the live state: its scenario, when it was taken, and the demand the
scenario cannot hold.

The solver's scenario holds environments, open releases and the live booking of each
phase. The capacity forecast (``forecast``) counts more: live bookings the scenario
leaves out (a request's booking, one it cannot map) and open requests that serve no
phase. The snapshot keeps those beside the scenario, taken in the same transaction by
the same functions the capacity page uses, so a what-if made now counts the demand the
capacity page counts. Every run takes a fresh copy (``take_copy``): a what-if always
plans against the live state as it is when the run starts, and says when that was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from envsched.models import LIVE_STATUSES, Booking, WhatIf
from envsched.planning.capacity import held_by, open_requests
from envsched.planning.forecast import Asked, Held
from envsched.planning.mapping import build_scenario
from solver.scenario import Scenario
from solver.scenario_file import scenario_to_dict


@dataclass(frozen=True)
class Snapshot:
    """When the copy was taken; the start and horizon asked for when the what-if was made
    (None: the first open date, the default horizon, at each copy); the demand outside
    the scenario; the stored rows the copy left out, each with why (``mapping``)."""

    taken_at: dt.datetime
    start: dt.date | None = None
    horizon_days: int | None = None
    outside: tuple[Held, ...] = ()
    asked: tuple[Asked, ...] = ()
    booked: tuple[Held, ...] = ()  # the live bookings the scenario holds, on their own days
    left_out: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "taken_at": self.taken_at.isoformat(),
            "horizon_days": self.horizon_days,
            "start": self.start.isoformat() if self.start else None,
            "outside": [_dated(h) for h in self.outside],
            "asked": [_dated(a) for a in self.asked],
            "booked": [_dated(h) for h in self.booked],
            "left_out": list(self.left_out),
        }


def snapshot_of(row: WhatIf) -> Snapshot:
    """The row's snapshot; a what-if made before snapshots were kept has its creation
    time, its base's start and horizon, and no demand outside its scenario."""
    data = row.snapshot
    if data is None:
        return Snapshot(
            row.created_at, dt.date.fromisoformat(row.base["start"]), row.base["horizon_days"]
        )
    return Snapshot(
        dt.datetime.fromisoformat(data["taken_at"]),
        dt.date.fromisoformat(data["start"]) if data["start"] else None,
        data["horizon_days"],
        tuple(Held(**_undated(h, "start", "end")) for h in data["outside"]),
        tuple(Asked(**_undated(a, "start")) for a in data["asked"]),
        tuple(Held(**_undated(h, "start", "end")) for h in data.get("booked", [])),
        tuple(data.get("left_out", [])),
    )


def copy_taken_at(row: WhatIf) -> dt.datetime:
    """When the copy of the live state the what-if plans was taken."""
    return snapshot_of(row).taken_at


def take_copy(
    session: Session, name: str, now: dt.datetime, start: dt.date | None, horizon_days: int | None
) -> tuple[dict[str, Any], Snapshot]:
    """The live state now as a what-if's base document and its snapshot."""
    mapped = build_scenario(session, start=start, horizon_days=horizon_days, name=name)
    scenario = mapped.scenario
    live = session.exec(
        select(Booking).where(col(Booking.status).in_(LIVE_STATUSES)).order_by(col(Booking.id))
    ).all()
    outside = tuple(held_by(b) for b in live if not _held_in(scenario, b))
    booked = tuple(held_by(b) for b in live if _held_in(scenario, b))
    return scenario_to_dict(scenario), Snapshot(
        now, start, horizon_days, outside, open_requests(session), booked, mapped.left_out
    )


def _held_in(scenario: Scenario, booking: Booking) -> bool:
    """Whether the scenario holds this live booking as its phase's booking."""
    held = scenario.booking_by_phase.get(booking.phase.key) if booking.phase else None
    return held is not None and (held.environment, scenario.date(held.start)) == (
        booking.environment.name,
        booking.start,
    )


def _dated(item: Held | Asked) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in dataclasses.asdict(item).items()
    }


def _undated(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {**data, **{key: dt.date.fromisoformat(data[key]) for key in keys}}
