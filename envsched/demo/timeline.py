"""The demo's past as a timeline of service calls, each run at its own ``now``.

``Timeline`` runs steps in the order of their moments; a step may add later steps (the
approval of a release's requests decides its booking days, and so when its gates are
signed and its environments handed back). A step may not reach this week: everything
the demo replays happened before the Monday it is loaded for.

``Demo`` is what every step needs: the sessions, the shift from the file's dates to
this week's, the demo users who act, and the release windows by the names the file
gives them.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import col, select

from envsched.db import SessionFactory, read_transaction
from envsched.lifecycle.shapes import WindowIn
from envsched.models import ReleaseWindow, Role, User

Step = Callable[[dt.datetime], object]
DAY = dt.timedelta(days=1)


def at(day: dt.date, hour: float) -> dt.datetime:
    """``hour`` o'clock on ``day`` in UTC; ``16.5`` is half past four."""
    minutes = round(hour * 60)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=dt.UTC)


class Timeline:
    """Steps run in time order (ties in the order they were added)."""

    def __init__(self, until: dt.datetime) -> None:
        self.until, self.clock = until, dt.datetime.min.replace(tzinfo=dt.UTC)
        self._steps: list[tuple[dt.datetime, int, Step]] = []
        self._order = itertools.count()

    def at(self, moment: dt.datetime, step: Step) -> None:
        if not self.clock <= moment < self.until:
            raise ValueError(f"a demo step at {moment} is outside [{self.clock}, {self.until})")
        heapq.heappush(self._steps, (moment, next(self._order), step))

    def run(self) -> None:
        while self._steps:
            self.clock, _, step = heapq.heappop(self._steps)
            step(self.clock)


@dataclass
class Demo:
    """The loading demo: where it writes, how its dates shift, who acts, what runs when."""

    sessions: SessionFactory
    shift: dt.timedelta
    monday: dt.date  # the anchor week's Monday, shifted: "this week"
    users: dict[str, User]  # demo users in their demo role (an admin stands in for others)
    timeline: Timeline
    one_offs: dict[str, WindowIn] = field(default_factory=dict)

    def day(self, text: str) -> dt.date:
        return dt.date.fromisoformat(text) + self.shift

    def actor(self, name: str) -> User | None:
        """Demo user ``name``; if a user of that name was kept with another role, an admin
        of the demo (the system if there is none)."""
        admins = [u for u in self.users.values() if u.role == Role.ADMIN]
        return self.users.get(name, admins[0] if admins else None)

    def window(self, name: str) -> WindowIn:
        """A window's dates: a strategy window by the month of its go-live as of the
        anchor (``2027-02``), or a one-off window by its name."""
        if name in self.one_offs:
            return self.one_offs[name]
        row = self._strategy_window(name)
        return WindowIn(name=row.name, start=row.start, cutoff=row.cutoff, go_live=row.go_live)

    def window_id(self, name: str) -> int:
        if name in self.one_offs:
            dates = self.one_offs[name]
            with read_transaction(self.sessions) as session:
                row = session.exec(
                    select(ReleaseWindow).where(
                        ReleaseWindow.name == name, ReleaseWindow.go_live == dates.go_live
                    )
                ).one()
        else:
            row = self._strategy_window(name)
        assert row.id is not None
        return row.id

    def _strategy_window(self, month: str) -> ReleaseWindow:
        """A monthly window keeps its day of the month as the demo shifts by weeks, so its
        go-live moves a few days against the file's dates, never out of its month."""
        with read_transaction(self.sessions) as session:
            rows = session.exec(
                select(ReleaseWindow).where(col(ReleaseWindow.strategy_id).is_not(None))
            ).all()
        for row in rows:
            if f"{row.go_live - self.shift:%Y-%m}" == month:
                return row
        raise KeyError(f"the demo's strategy has no window going live in {month}")
