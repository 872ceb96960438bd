"""A broken rule, and how days and phases are worded in its message.

Messages are read by people (the CLI lists them; tests assert on them), so dates come
with their day numbers and long lists are cut short.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from solver.plan import Assignment
from solver.scenario import Scenario


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``rule`` is a short stable code, ``message`` one readable sentence."""

    rule: str
    message: str
    phase: str | None = None


def on(scenario: Scenario, day: int) -> str:
    return f"{scenario.date(day).isoformat()} (day {day})"


def runs(scenario: Scenario, a: Assignment) -> str:
    return f"{a.phase} on {a.environment} runs on {days(scenario, a.start, a.end)}"


def days(scenario: Scenario, first: int, end: int) -> str:
    """The half-open ``[first, end)`` as one day or an inclusive range, for a person to read."""
    if end - first <= 1:
        return f"day {first} ({scenario.date(first).isoformat()})"
    return (
        f"days {first}-{end - 1} ({scenario.date(first).isoformat()} to "
        f"{scenario.date(end - 1).isoformat()})"
    )


def names(phase_ids: Iterable[str], shown: int = 5) -> str:
    """Phase ids for a message, the first few only: an overload may hold thousands."""
    ids = list(phase_ids)
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


def because(reason: str) -> str:
    return f" ({reason})" if reason else ""
