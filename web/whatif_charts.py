"""The what-if comparison as one chart: the what-if's plan drawn over the baseline's, each
phase coloured by what the what-if does to it (``envsched.planning.whatif.differences``):
unchanged in grey, moved in blue with its old place left as an outline, added in green,
dropped as a red outline where it was. Two side-by-side Gantts of near-identical plans
hide exactly what a planner wants to see.

Pure, like ``web.charts``: differences in, a Plotly figure out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from envsched.days import days_length_text
from envsched.planning import Difference, Place
from web import charts

# kind: (legend name, fill, outline, label colour, drawn at) — fills dark enough for white
# labels (4.5:1), outlines light so a bar drawn over them stands out.
STYLES: dict[str, tuple[str, str, str, str, str]] = {
    "unchanged": ("Unchanged", "#5c5c5c", "#5c5c5c", "#ffffff", "after"),
    "moved_from": ("Moved from here", "#ffffff", "#0b4f9c", "#0b4f9c", "before"),
    "moved": ("Moved to here", "#0b4f9c", "#0b4f9c", "#ffffff", "after"),
    "added": ("Added", "#1b6e20", "#1b6e20", "#ffffff", "after"),
    "dropped": ("Dropped", "#fbe9e9", "#a4161a", "#a4161a", "before"),
}
OUTLINED = {"moved_from", "dropped"}  # a place given up: drawn thin, under the rest


def comparison_figure(
    differences: Sequence[Difference], environments: Sequence[str], start: dt.date, end: dt.date
) -> go.Figure:
    """One line per environment (in ``environments`` order, then any other a plan uses)."""
    lines = _lines(differences, environments)
    figure = go.Figure()
    for style in ("moved_from", "dropped", "unchanged", "moved", "added"):
        chosen = [d for d in differences if _style(d, style)]
        if chosen:
            figure.add_trace(_bars(chosen, style))
    figure.update_layout(
        barmode="overlay",
        font=charts.FONT,
        plot_bgcolor="#ffffff",
        height=120 + charts.ROW_HEIGHT_PX * max(len(lines), 3),
        margin={"l": 90, "r": 20, "t": 40, "b": 40},
        legend={"orientation": "h", "y": 1, "yanchor": "bottom"},
        xaxis={
            "type": "date",
            "range": [start.isoformat(), end.isoformat()],
            "gridcolor": "#e3e3e3",
            "title": None,
        },
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "automargin": True,
            "categoryarray": list(reversed(lines)),
            "range": [-0.5, max(len(lines), 1) - 0.5],
            "title": None,
        },
    )
    return figure


def _style(difference: Difference, style: str) -> bool:
    return difference.kind == style or (style == "moved_from" and difference.kind == "moved")


def _lines(differences: Sequence[Difference], environments: Sequence[str]) -> list[str]:
    used = {p.environment for d in differences for p in (d.before, d.after) if p}
    return [*environments, *sorted(used - set(environments))]


def _bars(differences: Sequence[Difference], style: str) -> go.Bar:
    name, fill, outline, ink, drawn_at = STYLES[style]
    places: list[Place] = [getattr(d, drawn_at) for d in differences]
    return go.Bar(
        name=name,
        orientation="h",
        width=0.45 if style in OUTLINED else 0.8,
        marker={"color": fill, "line": {"color": outline, "width": 2}},
        y=[p.environment for p in places],
        base=[p.start.isoformat() for p in places],
        x=[(p.end - p.start).days * charts.MS_PER_DAY for p in places],
        text=[d.phase for d in differences],
        textposition="inside",
        insidetextanchor="start",
        textfont={"color": ink},
        hovertext=[_hover(d, p) for d, p in zip(differences, places, strict=True)],
        hovertemplate="%{hovertext}<extra></extra>",
    )


def _hover(difference: Difference, place: Place) -> str:
    said: dict[str, Any] = {
        "unchanged": "stays",
        "moved": "moves",
        "added": "gets a place",
        "dropped": "loses its place",
    }
    return (
        f"{difference.phase} ({difference.release}) {said[difference.kind]}"
        f"<br>{place.environment}: {days_length_text(place.start, place.end)}"
    )
