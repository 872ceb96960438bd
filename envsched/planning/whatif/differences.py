"""What differs between a what-if's two plans, phase by phase: moved (another environment
or other days), added (placed in the what-if only) and dropped (placed in the baseline
only); the rest is unchanged.

Pure, on the plans as the what-if stores them (``envsched-plan/1`` documents), so the
page and any other reader compare the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from envsched.days import days_text

Kind = Literal["unchanged", "moved", "added", "dropped"]
KINDS: tuple[Kind, ...] = ("moved", "added", "dropped", "unchanged")


@dataclass(frozen=True)
class Place:
    environment: str
    start: dt.date
    end: dt.date

    @property
    def words(self) -> str:
        return f"{self.environment}, {days_text(self.start, self.end)}"


@dataclass(frozen=True)
class Difference:
    """A phase's place in the baseline (``before``) and in the what-if (``after``)."""

    kind: Kind
    phase: str
    release: str
    before: Place | None
    after: Place | None
    reason: str = ""  # why a dropped phase has no place in the what-if

    @property
    def words(self) -> str:
        if self.kind == "moved" and self.before and self.after:
            return f"{self.phase} moves from {self.before.words} to {self.after.words}"
        if self.kind == "added" and self.after:
            return f"{self.phase} gets a place: {self.after.words}"
        if self.kind == "dropped" and self.before:
            return f"{self.phase} loses its place ({self.before.words})" + (
                f": {self.reason}" if self.reason else ""
            )
        return f"{self.phase} stays on {self.after.words if self.after else '—'}"


def plan_differences(baseline: dict[str, Any], whatif: dict[str, Any]) -> list[Difference]:
    """Every phase placed in either plan, moved, added and dropped ones first."""
    before, after = _places(baseline), _places(whatif)
    releases = {**_releases(baseline), **_releases(whatif)}
    reasons = {u["phase"]: u.get("reason", "") for u in whatif.get("unplaced", [])}
    found = [
        _difference(
            phase,
            releases.get(phase, ""),
            before.get(phase),
            after.get(phase),
            reasons.get(phase, ""),
        )
        for phase in sorted(set(before) | set(after))
    ]
    return sorted(found, key=lambda d: (KINDS.index(d.kind), d.phase))


def _difference(
    phase: str, release: str, before: Place | None, after: Place | None, reason: str
) -> Difference:
    if before is None:
        return Difference("added", phase, release, None, after)
    if after is None:
        return Difference("dropped", phase, release, before, None, reason)
    kind: Kind = "unchanged" if before == after else "moved"
    return Difference(kind, phase, release, before, after)


def _places(plan: dict[str, Any]) -> dict[str, Place]:
    return {
        a["phase"]: Place(
            a["environment"], dt.date.fromisoformat(a["start"]), dt.date.fromisoformat(a["end"])
        )
        for a in plan.get("assignments", [])
    }


def _releases(plan: dict[str, Any]) -> dict[str, str]:
    return {a["phase"]: a.get("release", "") for a in plan.get("assignments", [])}
