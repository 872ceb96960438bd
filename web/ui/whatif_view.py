"""What the what-if page shows of a run: both plans as timelines, and the names the
editor's fields suggest.

A plan (an ``envsched-plan/1`` document) becomes the rows the timeline Gantt of
``web.charts`` already draws, one bar per placed phase, so the baseline and the
what-if are drawn by the same chart function as the live bookings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from envsched.inventory import natural_key
from envsched.planning import plan_differences
from web import charts
from web.queries import BookingRow
from web.whatif_charts import comparison_figure

TAIL_DAYS = 7  # room after the last bar


def plan_rows(plan: dict[str, Any], types: dict[str, str]) -> list[BookingRow]:
    """The plan's assignments as timeline rows; a moved booking shows as tentative."""
    return [
        BookingRow(
            id=i,
            environment=a["environment"],
            type=types.get(a["environment"], ""),
            start=dt.date.fromisoformat(a["start"]),
            end=dt.date.fromisoformat(a["end"]),
            status="tentative" if a.get("moved") else "confirmed",
            phase=a["phase"],
            release=a["release"],
            requester=None,
            note="",
        )
        for i, a in enumerate(plan.get("assignments", []), start=1)
    ]


def plan_timeline(
    plan: dict[str, Any], scenario: dict[str, Any], start: dt.date, end: dt.date
) -> str:
    """The Gantt of one plan over ``[start, end)``, as JSON for a ``data-figure``."""
    environments = sorted(scenario["environments"], key=lambda e: (e["type"], natural_key(e["id"])))
    types = {e["id"]: e["type"] for e in environments}
    figure = charts.timeline_figure(
        plan_rows(plan, types),
        (),
        environments=[e["id"] for e in environments],
        capacities={e["id"]: e.get("capacity", 1) for e in environments},
        start=start,
        end=end,
    )
    return charts.figure_json(figure)


def comparison(
    comparison: dict[str, Any], base: dict[str, Any], changed: dict[str, Any]
) -> dict[str, Any]:
    """What differs between the two plans: the differences (moved, added, dropped first)
    and one chart of the what-if's plan over the baseline's, as JSON for a
    ``data-figure``."""
    found = plan_differences(
        comparison.get("baseline_plan") or {}, comparison.get("whatif_plan") or {}
    )
    environments = {
        e["id"]: e["type"] for doc in (base, changed) for e in doc.get("environments", [])
    }
    lines = sorted(environments, key=lambda e: (environments[e], natural_key(e)))
    start = dt.date.fromisoformat(base["start"])
    ends = [p.end for d in found for p in (d.before, d.after) if p]
    end = max([*ends, start + dt.timedelta(days=1)]) + dt.timedelta(days=TAIL_DAYS)
    figure = comparison_figure(found, lines, start, end)
    return {
        "differences": [d for d in found if d.kind != "unchanged"],
        "unchanged": sum(d.kind == "unchanged" for d in found),
        "figure": charts.figure_json(figure),
    }


def suggestions(scenario: dict[str, Any]) -> dict[str, list[str]]:
    """Names for the editor's ``<datalist>``s: environments, types, releases, phases."""
    envs = scenario.get("environments", [])
    releases = scenario.get("releases", [])
    return {
        "environments": sorted((e["id"] for e in envs), key=natural_key),
        "types": sorted({e["type"] for e in envs}),
        "releases": sorted((r["id"] for r in releases), key=natural_key),
        "phases": [p["id"] for r in releases for p in r.get("phases", [])],
    }


# Which suggestion list an editor field offers, by field name.
FIELD_LISTS = {
    "environment": "environments",
    "type": "types",
    "release": "releases",
    "phase": "phases",
}


def field_list(kind: str, field: str) -> str | None:
    """The datalist for ``field`` of a change ``kind`` (an ``id`` names what it changes)."""
    if field == "id":
        if kind in ("remove_environment", "change_environment"):
            return "environments"
        return None
    return FIELD_LISTS.get(field)
