"""Lanes of the timeline: bookings that share an environment's days drawn side by side.

An environment of capacity N may hold N bookings on one day; drawn on one line they
hide each other. Interval partitioning gives each booking the first lane free on all of
its days (bookings taken in order of start), which needs exactly as many lanes as the
busiest day has bookings: at most N while the environment is not overbooked, and one
more for each booking over its capacity.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from web.queries import BookingRow


@dataclass(frozen=True)
class Lane:
    """One line of the chart: lane ``number`` (from 1) of ``environment``."""

    environment: str
    number: int
    label: str
    over_capacity: bool


def lane_numbers(rows: Sequence[BookingRow]) -> dict[int, int]:
    """Each booking's lane on its environment, by booking id: the first lane free on its
    days (``[start, end)``, so a booking may start on the day another ends)."""
    lane_of: dict[int, int] = {}
    lane_ends: dict[str, list[dt.date]] = defaultdict(list)  # per environment, per lane
    for row in sorted(rows, key=lambda r: (r.start, r.end, r.id)):
        ends = lane_ends[row.environment]
        free = next((i for i, end in enumerate(ends) if end <= row.start), len(ends))
        if free == len(ends):
            ends.append(row.end)
        else:
            ends[free] = row.end
        lane_of[row.id] = free + 1
    return lane_of


def chart_lanes(
    rows: Sequence[BookingRow],
    lane_of: Mapping[int, int],
    environments: Sequence[str],
    capacities: Mapping[str, int],
) -> list[Lane]:
    """The chart's lines, top down: each environment's lanes in use, at least one.

    Environments follow ``environments``; one that only a booking names comes after.
    """
    used: dict[str, int] = defaultdict(lambda: 1)
    for row in rows:
        used[row.environment] = max(used[row.environment], lane_of[row.id])
    names = [*environments, *sorted(set(used) - set(environments))]
    return [lane for name in names for lane in _lanes(name, used[name], capacities.get(name, 1))]


def _lanes(name: str, count: int, capacity: int) -> list[Lane]:
    """One line labelled with the name, as ever; several labelled ``name · n``."""
    if count == 1:
        return [Lane(name, 1, name, over_capacity=False)]
    return [Lane(name, n, lane_label(name, n, capacity), n > capacity) for n in range(1, count + 1)]


def lane_label(name: str, number: int, capacity: int) -> str:
    """``SIT-1 · 2``; a lane past the capacity says so, for readers who miss the red."""
    label = f"{name} · {number}"
    return f"{label} (over)" if number > capacity else label
