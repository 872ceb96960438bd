"""The demo bank: ``data/demo_bank.json`` loaded into an empty database.

A retail bank's test estate — about 40 environments of four types, 30 releases on a
quarterly cadence, bookings and requests in every status, a user for every role —
with a few clashes and a capacity shortfall left in on purpose, for ``envsched
clashes`` and ``envsched capacity`` to find.

Around them, the release lifecycle (``envsched.demo.lifecycle``): a monthly release
train with its windows, phase templates, a year of past releases that went through
gates to deployment (or were backed out, or cancelled), and this quarter's releases in
windows with their gates, deployments and links — so the KPIs, windows, templates,
gates and release calendar have something to show.

The file's dates are as of its ``anchor`` week. Loading shifts every date by whole
weeks so the anchor becomes the week of ``now``: the demo is always "this week" and
weekdays stay weekdays. Requests and bookings are dated as asked for some weeks before
they start (never after ``now``), so booking lead times read true. Loading is one
transaction — the services the lifecycle calls run in savepoints of it — and only into
an empty database (loading twice is an ``InvalidState`` error); users whose name is
taken are kept as they are and reported.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, select

from envsched import audit, notify
from envsched.accounts import hash_password
from envsched.booking import booking_transaction
from envsched.db import SessionFactory
from envsched.demo.lifecycle import load_lifecycle
from envsched.lifecycle import record_status
from envsched.models import (
    Booking,
    BookingRequest,
    BookingStatus,
    Component,
    Environment,
    EnvironmentStatus,
    EnvironmentType,
    Freeze,
    MaintenanceWindow,
    Phase,
    Release,
    ReleaseStatus,
    ReleaseType,
    RequestStatus,
    Role,
    User,
)
from envsched.transfer import ensure_empty

DEMO_FILE = Path(__file__).resolve().parents[2] / "data" / "demo_bank.json"
Data = dict[str, Any]
PLANNED_AHEAD = dt.timedelta(weeks=8)  # a release is planned this long before it starts
LAST_REVIEW = dt.timedelta(weeks=3)  # ... or at the plan's last review, if that was earlier
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class DemoUser:
    name: str
    role: str
    password: str


@dataclass(frozen=True)
class DemoSummary:
    """What was loaded: counts per kind (of the bank, then of its release lifecycle), the
    users with their demo passwords, the shift."""

    counts: dict[str, int]
    lifecycle: dict[str, int]
    users: tuple[DemoUser, ...]
    kept_users: tuple[str, ...]
    shift_days: int
    anchor: dt.date


def load_demo(sessions: SessionFactory, now: dt.datetime, *, path: Path = DEMO_FILE) -> DemoSummary:
    """Load the demo bank, dated so its anchor week is the week of ``now``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    anchor = dt.date.fromisoformat(data["anchor"])
    this_monday = now.date() - dt.timedelta(days=now.date().weekday())
    shift = dt.timedelta(days=7 * round((this_monday - anchor).days / 7))
    with _one_transaction(sessions) as within:
        with booking_transaction(within) as session:
            ensure_empty(session, "loading the demo")
            loader = _Loader(session, now, shift, anchor + shift)
            kept = loader.users(data["users"])
            loader.environments(data["types"], data["environments"])
            loader.freezes(data["freezes"])
            loader.releases(data["releases"])
            loader.requests(data["requests"])
            loader.bookings(data["bookings"])
        lifecycle = load_lifecycle(within, now, shift, data)
        notify.mark_past_read(within, before=now)  # the replayed year's news was read then
    users = tuple(
        DemoUser(u["name"], u["role"], u["password"])
        for u in data["users"]
        if u["name"] not in kept
    )
    return DemoSummary(loader.counts, lifecycle, users, tuple(kept), shift.days, anchor + shift)


@contextmanager
def _one_transaction(sessions: SessionFactory) -> Iterator[SessionFactory]:
    """Sessions that all share one connection and its one transaction: each service's own
    transaction becomes a savepoint in it, so a demo that fails half-way leaves nothing."""
    with sessions.kw["bind"].connect() as connection, connection.begin():
        yield sessionmaker(
            connection,
            class_=Session,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )


class _Loader:
    """Adds the demo's rows, shifting every date; keeps names -> rows for references."""

    def __init__(
        self, session: Session, now: dt.datetime, shift: dt.timedelta, monday: dt.date
    ) -> None:
        self.session, self.now, self.shift, self.monday = session, now, shift, monday
        self.counts: dict[str, int] = {}
        self.ids: dict[tuple[str, str], int] = {}  # (kind, name) -> id
        self.decided: dict[str, dt.datetime] = {}  # request ref -> when it was decided

    def date(self, text: str | None) -> dt.date | None:
        return None if text is None else dt.date.fromisoformat(text) + self.shift

    def day(self, text: str) -> dt.date:
        return dt.date.fromisoformat(text) + self.shift

    def asked(self, first_day: dt.date, n: int) -> dt.datetime:
        """When row ``n``, starting on ``first_day``, was asked for: two to five weeks
        ahead, or this week's Monday if that would be later (never after ``now``)."""
        ahead = dt.timedelta(weeks=2 + n % 4)
        day = min(first_day - ahead, self.monday)
        return min(dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC), self.now)

    def add(self, kind: str, name: str, row: Any) -> int:
        self.session.add(row)
        audit.record(self.session, actor=None, now=self.now, action="demo", row=row)
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.ids[kind, name] = row.id
        return int(row.id)

    def users(self, users: list[Data]) -> list[str]:
        kept = []
        for u in users:
            if self.session.exec(select(User).where(User.name == u["name"])).first():
                kept.append(u["name"])
                continue
            self.add(
                "users",
                u["name"],
                User(
                    name=u["name"],
                    full_name=u["full_name"],
                    email=u["email"],
                    role=Role(u["role"]),
                    password_hash=hash_password(u["password"]),
                    created_at=self.now,
                ),
            )
        return kept

    def environments(self, types: list[Data], envs: list[Data]) -> None:
        for t in types:
            self.add("types", t["name"], EnvironmentType(**t))
        for e in envs:
            env_id = self.add(
                "environments",
                e["name"],
                Environment(
                    type_id=self.ids["types", e["type"]],
                    status=EnvironmentStatus(e["status"]),
                    **{
                        k: e[k]
                        for k in (
                            "name",
                            "capacity",
                            "changeover_days",
                            "tags",
                            "owner",
                            "description",
                        )
                    },
                ),
            )
            self.session.add_all(
                Component(environment_id=env_id, name=name, version=version)
                for name, version in e["components"].items()
            )
            for w in e["maintenance"]:
                self.add(
                    "maintenance windows",
                    f"{e['name']} {w['start']}",
                    MaintenanceWindow(
                        environment_id=env_id,
                        start=self.day(w["start"]),
                        end=self.day(w["end"]),
                        reason=w["reason"],
                    ),
                )

    def freezes(self, freezes: list[Data]) -> None:
        for f in freezes:
            start, end = self.freeze_days(f)
            self.add(
                "freezes",
                f["name"],
                Freeze(name=f["name"], start=start, end=end, types=f["types"], reason=f["reason"]),
            )

    def freeze_days(self, freeze: Data) -> tuple[dt.date, dt.date]:
        """A freeze named for its time of year (``"yearly": true``: Christmas, year end, a
        quarter's close) keeps its dates: it is the next one of its name that has not ended
        by today (this December's Christmas in December, next year's once it is over), so
        it never lands on another day of the year ("Christmas" in October). Any other
        freeze (an event's) moves with the story."""
        start, end = dt.date.fromisoformat(freeze["start"]), dt.date.fromisoformat(freeze["end"])
        if not freeze.get("yearly"):
            return start + self.shift, end + self.shift
        years = self.now.date().year - end.year
        if _in_year(end, years) <= self.now.date():  # [start, end): over by today
            years += 1
        return _in_year(start, years), _in_year(end, years)

    def releases(self, releases: list[Data]) -> None:
        """Each release as planned; ``demo_lifecycle`` takes it on to its status in the file."""
        for r in releases:
            release = Release(
                key=r["key"],
                title=r["title"],
                type=ReleaseType(r["type"]),
                priority=r["priority"],
                earliest_start=self.date(r["earliest_start"]),
                due=self.date(r["due"]),
                status=ReleaseStatus.PLANNED,
                owner=r["owner"],
            )
            release_id = self.add("releases", r["key"], release)
            record_status(
                self.session,
                release,
                None,
                actor=None,
                now=self.planned_on(release),
                reason="from the quarterly release plan",
            )
            for position, p in enumerate(r["phases"]):
                self.add(
                    "phases",
                    p["key"],
                    Phase(
                        release_id=release_id,
                        position=position,
                        type_id=self.ids["types", p["type"]],
                        key=p["key"],
                        name=p["name"],
                        duration_days=p["duration_days"],
                        gap_days=p.get("gap_days", 0),
                        after=p.get("after"),
                        required_tags=p.get("required_tags", []),
                    ),
                )

    def planned_on(self, release: Release) -> dt.datetime:
        """Eight weeks before it starts, or at the plan's last review three weeks ago."""
        start = release.earliest_start or self.monday
        day = min(start - PLANNED_AHEAD, self.monday - LAST_REVIEW)
        return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)

    def requests(self, requests: list[Data]) -> None:
        for n, q in enumerate(requests):
            decided = q.get("decided_by")
            asked = self.asked(self.day(q["earliest_start"]), n)
            self.decided[q["ref"]] = min(asked + DAY, self.now)
            self.add(
                "booking requests",
                q["ref"],
                BookingRequest(
                    requester_id=self.ids["users", q["requester"]],
                    phase_id=self.ids["phases", q["phase"]] if q.get("phase") else None,
                    environment_type_id=self.ids["types", q["type"]] if q.get("type") else None,
                    duration_days=q["duration_days"],
                    earliest_start=self.day(q["earliest_start"]),
                    latest_end=self.date(q.get("latest_end")),
                    fixed=q.get("fixed", False),
                    priority=q["priority"],
                    required_tags=q.get("required_tags", []),
                    justification=q["justification"],
                    status=RequestStatus(q["status"]),
                    decision_reason=q.get("decision_reason", ""),
                    created_at=asked,
                    decided_at=self.decided[q["ref"]] if q["status"] != "requested" else None,
                    decided_by_id=self.ids["users", decided] if decided else None,
                ),
            )

    def bookings(self, bookings: list[Data]) -> None:
        capacity = {e.name: e.capacity for e in self.session.exec(select(Environment)).all()}
        for n, b in enumerate(bookings):
            asked = self.decided.get(b.get("request") or "") or self.asked(self.day(b["start"]), n)
            self.add(
                "bookings",
                str(n),
                Booking(
                    environment_id=self.ids["environments", b["environment"]],
                    phase_id=self.ids["phases", b["phase"]] if b["phase"] else None,
                    request_id=self.ids["booking requests", b["request"]]
                    if b.get("request")
                    else None,
                    start=self.day(b["start"]),
                    end=self.day(b["end"]),
                    status=BookingStatus(b["status"]),
                    note=b["note"],
                    exclusive=capacity[b["environment"]] == 1,
                    created_at=asked,
                    updated_at=self.now,
                ),
            )


def _in_year(day: dt.date, years: int) -> dt.date:
    """``day`` moved by whole years (29 February becomes the 28th in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
