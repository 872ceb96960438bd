"""The days fixed phases take on an environment, as the CP-SAT model adds them.

Fixed phases (pinned bookings, and in a search round the phases kept where they are) are
constants of the model. Pinned bookings may over-fill an environment among themselves
(each is then a clash, see ``pinned``); the model must still hold a solution, so what it
adds is their load per day, merged into runs and never more than the capacity: on a day
they fill, nothing else fits, and that is all the model needs to know.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

# (start, end, demand): ``demand`` units of capacity taken on each day of [start, end)
Load = tuple[int, int, int]


def fixed_load(fixed: Iterable[tuple[int, int, str]], capacity: int, stretch: int) -> list[Load]:
    """The load of fixed ``(start, end, release)`` phases, each stretched by ``stretch``
    changeover days, one release's close phases merged into one block (as they may sit
    closer than the changeover), and capped at ``capacity``."""
    blocks: list[tuple[int, int, str]] = []
    for start, end, release in sorted(fixed):
        if blocks and stretch and blocks[-1][2] == release and start < blocks[-1][1]:
            blocks[-1] = (blocks[-1][0], max(blocks[-1][1], end + stretch), release)
        else:
            blocks.append((start, end + stretch, release))
    return capped(((s, e, 1) for s, e, _r in blocks), capacity)


def capped(loads: Iterable[Load], capacity: int) -> list[Load]:
    """The sum of ``loads`` per day as runs of equal demand, each at most ``capacity``."""
    events: dict[int, int] = {}
    for start, end, demand in loads:
        if start < end:
            events[start] = events.get(start, 0) + demand
            events[end] = events.get(end, 0) - demand
    runs: list[Load] = []
    level = 0
    days = sorted(events)
    for day, following in pairwise(days):
        level += events[day]
        demand = min(level, capacity)
        if demand <= 0:
            continue
        if runs and runs[-1][1] == day and runs[-1][2] == demand:
            runs[-1] = (runs[-1][0], following, demand)
        else:
            runs.append((day, following, demand))
    return runs
