"""Sets of days as sorted, disjoint, inclusive ``(first, last)`` pairs, as CP-SAT domains are."""

from __future__ import annotations

from collections.abc import Iterable

from solver.scenario import Window

DayIntervals = tuple[tuple[int, int], ...]


def merge(windows: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Half-open ``[start, end)`` windows merged into disjoint half-open windows."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def allowed_starts(blocked: Iterable[Window], duration: int, lo: int, hi: int) -> DayIntervals:
    """Start days in ``[lo, hi]`` whose ``duration`` days avoid every blocked window."""
    if lo > hi:
        return ()
    # a start s is forbidden when [s, s + duration) meets [w.start, w.end)
    forbidden = merge((w.start - duration + 1, w.end) for w in blocked)
    allowed: list[tuple[int, int]] = []
    cursor = lo
    for first, end in forbidden:
        if end <= cursor:
            continue
        if first > hi:
            break
        if first > cursor:
            allowed.append((cursor, first - 1))
        cursor = max(cursor, end)
    if cursor <= hi:
        allowed.append((cursor, hi))
    return tuple(allowed)
