"""Release-health KPIs, computed as pure functions over plain rows of the stored history.

Nothing here reads the database or the clock: ``envsched.lifecycle.kpi_history`` turns
the stored rows into the frozen dataclasses below, and the period is a parameter. That
keeps every number checkable on a history written by hand in a test.

Definitions (each one is what a release manager is asked about):

* a release counts in the period of its deployment day (``deployed_on``); it is *on
  time* when deployed on or before its ``due`` day (no due day: on time), *late*
  otherwise — for a release in a release window that is the window's go-live;
* *backed out*: a deployment in the period was backed out; *failed*: backed out, or
  cancelled after its testing had started (effort spent, nothing shipped);
* *without test sign-off*: deployed while a test phase's exit gate was not signed
  (open, vetoed or waived); *without operational sign-off*: deployed without a signed
  go/no-go;
* *time to implement*: days from the first day of the release's first booking (the
  start of its testing) to its deployment day;
* *utilisation*: environment-days booked (not cancelled) over environment-days open
  (capacity times days, less maintenance and freezes) per type, in the period;
* *clashes per month*: distinct clashes seen in the history, by the month they start;
* *lead time*: days from asking for a booking to its first day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

Interval = tuple[dt.date, dt.date]  # [start, end)


@dataclass(frozen=True)
class ReleaseFact:
    key: str
    type: str
    status: str
    due: dt.date | None
    test_started: dt.date | None
    deployed_on: dt.date | None
    backed_out: bool = False
    test_signed: bool = True
    go_signed: bool = True
    cancelled_on: dt.date | None = None


@dataclass(frozen=True)
class BookingFact:
    type: str
    start: dt.date
    end: dt.date
    asked_on: dt.date


@dataclass(frozen=True)
class SupplyFact:
    """One environment: its type, capacity and the days it could not be booked."""

    environment: str
    type: str
    capacity: int
    closed: tuple[Interval, ...] = ()


@dataclass(frozen=True)
class ClashFact:
    kind: str
    start: dt.date
    identity: str  # the same clash seen twice has the same identity


@dataclass(frozen=True)
class Period:
    """Whole months ``[start, end)``: ``start`` and ``end`` are first days of months."""

    start: dt.date
    end: dt.date

    @classmethod
    def months_ending(cls, today: dt.date, months: int = 12) -> Period:
        """The ``months`` whole months up to and including the month of ``today``."""
        end = first_of_next_month(today)
        return cls(add_months(end, -months), end)

    def months(self) -> list[str]:
        return [m.strftime("%Y-%m") for m in month_starts(self.start, self.end)]

    def contains(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day < self.end


@dataclass
class KpiReport:
    period: Period
    releases: dict[str, Any] = field(default_factory=dict)
    time_to_implement: list[dict[str, Any]] = field(default_factory=list)
    utilisation: list[dict[str, Any]] = field(default_factory=list)
    lead_time: dict[str, Any] = field(default_factory=dict)
    monthly: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["period"] = {
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
        }
        return data


# -- months -------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def first_of_next_month(day: dt.date) -> dt.date:
    return add_months(day, 1)


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    first = start.replace(day=1)
    count = (end.year - first.year) * 12 + end.month - first.month
    return [add_months(first, n) for n in range(count)]


def month_of(day: dt.date) -> str:
    return day.strftime("%Y-%m")


def overlap_days(a: Interval, b: Interval) -> int:
    return max(0, (min(a[1], b[1]) - max(a[0], b[0])).days)


# -- releases ------------------------------------------------------------------------------


def is_failed(fact: ReleaseFact) -> bool:
    started = fact.test_started is not None
    return fact.backed_out or (fact.status == "cancelled" and started)


def release_counts(facts: Sequence[ReleaseFact], period: Period) -> dict[str, Any]:
    """Deployed, on time, late, backed out, failed, and the keys deployed without sign-off."""
    deployed = [f for f in facts if period.contains(f.deployed_on)]
    late = [f for f in deployed if _late(f)]
    ended = [f for f in facts if period.contains(f.deployed_on or f.cancelled_on)]
    return {
        "deployed": len(deployed),
        "on_time": len(deployed) - len(late),
        "late": len(late),
        "late_keys": sorted(f.key for f in late),
        "backed_out": sum(1 for f in deployed if f.backed_out),
        "failed": sum(1 for f in ended if is_failed(f)),
        "failed_keys": sorted(f.key for f in ended if is_failed(f)),
        "without_test_signoff": sorted(f.key for f in deployed if not f.test_signed),
        "without_operational_signoff": sorted(f.key for f in deployed if not f.go_signed),
    }


def _late(fact: ReleaseFact) -> bool:
    return fact.due is not None and fact.deployed_on is not None and fact.deployed_on > fact.due


def time_to_implement(facts: Sequence[ReleaseFact], period: Period) -> list[dict[str, Any]]:
    """Average, best (shortest) and worst (longest) days from testing to deployment, by type."""
    rows = [
        (f.type, (f.deployed_on - f.test_started).days)
        for f in facts
        if period.contains(f.deployed_on) and f.test_started and f.deployed_on
    ]
    if not rows:
        return []
    frame = pd.DataFrame(rows, columns=["type", "days"])
    stats = frame.groupby("type")["days"].agg(["count", "mean", "min", "max"]).reset_index()
    return [
        {
            "type": str(r["type"]),
            "releases": int(r["count"]),
            "average_days": round(float(r["mean"]), 1),
            "best_days": int(r["min"]),
            "worst_days": int(r["max"]),
        }
        for r in stats.to_dict("records")
    ]


# -- environments ----------------------------------------------------------------------------


def open_days(supply: SupplyFact, window: Interval) -> int:
    """Environment-days ``supply`` offers in ``window``: capacity times the open days."""
    closed = merge(supply.closed)
    days = (window[1] - window[0]).days - sum(overlap_days(c, window) for c in closed)
    return supply.capacity * days


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Overlapping or touching intervals joined, so no day is counted twice."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def utilisation(
    bookings: Sequence[BookingFact], supply: Sequence[SupplyFact], window: Interval
) -> list[dict[str, Any]]:
    """Booked over open environment-days per type in ``window`` (per cent, 1 decimal)."""
    types = sorted({s.type for s in supply} | {b.type for b in bookings})
    rows = []
    for type_name in types:
        booked = sum(
            overlap_days((b.start, b.end), window) for b in bookings if b.type == type_name
        )
        available = sum(open_days(s, window) for s in supply if s.type == type_name)
        rows.append(
            {
                "type": type_name,
                "booked_days": booked,
                "open_days": available,
                "percent": percent(booked, available),
            }
        )
    return rows


def percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


# -- bookings and clashes ----------------------------------------------------------------------


def lead_time(bookings: Sequence[BookingFact], period: Period) -> dict[str, Any]:
    """Days from asking to the first booked day, for bookings starting in the period."""
    days = [(b.start - b.asked_on).days for b in bookings if period.contains(b.start)]
    if not days:
        return {
            "bookings": 0,
            "average_days": None,
            "median_days": None,
            "shortest_days": None,
            "longest_days": None,
        }
    series = pd.Series(days, dtype="int64")
    return {
        "bookings": len(days),
        "average_days": round(float(series.mean()), 1),
        "median_days": float(series.median()),
        "shortest_days": int(series.min()),
        "longest_days": int(series.max()),
    }


def clashes_per_month(clashes: Iterable[ClashFact], period: Period) -> dict[str, int]:
    """Distinct clashes by the month they start, every month of the period present."""
    counts = dict.fromkeys(period.months(), 0)
    for _identity, start in {(c.identity, c.start) for c in clashes}:
        if period.contains(start):
            counts[month_of(start)] += 1
    return counts


# -- trends and the whole report -----------------------------------------------------------------


def monthly(
    releases: Sequence[ReleaseFact],
    bookings: Sequence[BookingFact],
    supply: Sequence[SupplyFact],
    clashes: Sequence[ClashFact],
    period: Period,
) -> list[dict[str, Any]]:
    """One row per month of the period: the release counts, clashes, lead time, utilisation."""
    clash_counts = clashes_per_month(clashes, period)
    rows = []
    for first in month_starts(period.start, period.end):
        month = Period(first, add_months(first, 1))
        counts = release_counts(releases, month)
        row: dict[str, Any] = {"month": month_of(first)}
        row.update({k: counts[k] for k in ("deployed", "on_time", "late", "backed_out", "failed")})
        row["clashes"] = clash_counts[row["month"]]
        row["lead_time_days"] = lead_time(bookings, month)["average_days"]
        for use in utilisation(bookings, supply, (month.start, month.end)):
            row[f"utilisation_{use['type']}"] = use["percent"]
        rows.append(row)
    return rows


def kpi_report(
    releases: Sequence[ReleaseFact],
    bookings: Sequence[BookingFact],
    supply: Sequence[SupplyFact],
    clashes: Sequence[ClashFact],
    period: Period,
) -> KpiReport:
    window = (period.start, period.end)
    counts = release_counts(releases, period)
    counts["clashes"] = sum(clashes_per_month(clashes, period).values())
    return KpiReport(
        period=period,
        releases=counts,
        time_to_implement=time_to_implement(releases, period),
        utilisation=utilisation(bookings, supply, window),
        lead_time=lead_time(bookings, period),
        monthly=monthly(releases, bookings, supply, clashes, period),
    )


def monthly_frame(report: KpiReport) -> pd.DataFrame:
    """The monthly trends as a table (the KPI page's CSV export)."""
    return pd.DataFrame(report.monthly)
