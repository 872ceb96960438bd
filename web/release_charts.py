"""Release charts as pure functions: calendar items or KPI rows in, a Plotly figure out.

Like ``web.charts``: no database, no request, no clock (``today`` is a parameter), so
tests assert on ``figure.data``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from envsched.days import days_length_text
from envsched.lifecycle import FREEZES_LANE, MAINTENANCE_LANE, WINDOWS_LANE, CalendarItem
from web import charts  # a module, not its names: web.charts imports web.ui, which imports us

ROW_HEIGHT_PX = 30
LABEL_MIN_PX = 10
SHORT_LANES = {WINDOWS_LANE: "Windows"}  # a bar's words at this size or not at all
# Colours with at least 4.5:1 contrast against white for labels drawn on them.
BARS = {  # kind: (legend name, colour)
    "window": ("Release window", "#4a3f8c"),
    "release": ("Release span", "#b9cde5"),
    "phase": ("Phase booking", "#0b4f9c"),
    "freeze": ("Freeze", "#6b6b6b"),
    "maintenance": ("Maintenance", "#8a5a00"),
}
MARKERS = {  # kind: (legend name, colour, symbol)
    "go_live": ("Go-live", "#4a3f8c", "star"),
    "deployment": ("Deployment", "#1b6e20", "diamond"),
}
KPI_COLOURS = {
    "on_time": "#1b6e20",
    "late": "#a4161a",
    "backed_out": "#8a5a00",
    "failed": "#1a1a1a",
    "clashes": "#a4161a",
    "lead": "#0b4f9c",
}


def lane_order(items: Sequence[CalendarItem]) -> list[str]:
    """Windows on top, then each release (by its first day), then freezes, maintenance."""
    releases: list[str] = []
    for item in sorted(items, key=lambda i: (i.start, i.lane)):
        if item.lane not in (WINDOWS_LANE, FREEZES_LANE, MAINTENANCE_LANE, *releases):
            releases.append(item.lane)
    present = {i.lane for i in items}
    return [
        *([WINDOWS_LANE] if WINDOWS_LANE in present else []),
        *releases,
        *(lane for lane in (FREEZES_LANE, MAINTENANCE_LANE) if lane in present),
    ]


def release_calendar_figure(
    items: Sequence[CalendarItem], *, start: dt.date, end: dt.date, today: dt.date | None = None
) -> go.Figure:
    """One line per release (its span, its phases' bookings, its deployments) between the
    release windows on top and the freezes and maintenance below."""
    lanes = lane_order(items)
    figure = go.Figure()
    for kind, (name, colour) in BARS.items():
        figure.add_trace(
            _bars(
                [i for i in items if i.kind == kind],
                name,
                colour,
                release_span=kind == "release",
                since=start,
            )
        )
    for kind, (name, colour, symbol) in MARKERS.items():
        figure.add_trace(_markers([i for i in items if i.kind == kind], name, colour, symbol))
    figure.update_layout(
        barmode="overlay",
        font=charts.FONT,
        height=140 + ROW_HEIGHT_PX * max(len(lanes), 3),
        # the lane names take the room they need (a phone keeps the rest for the days);
        # the legend sits above the chart, however many lines it wraps to on a phone
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom"},
        # a label too small to read is left out, not shrunk: the hover says it all
        uniformtext={"minsize": LABEL_MIN_PX, "mode": "hide"},
        plot_bgcolor="#ffffff",
        xaxis={
            "type": "date",
            "range": [start.isoformat(), end.isoformat()],
            "gridcolor": "#e3e3e3",
            "title": None,
        },
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": list(reversed(lanes)),
            "range": [-0.5, max(len(lanes), 1) - 0.5],
            "title": None,
            "automargin": True,
            # short lane names leave a phone more of its width for the days
            "tickvals": lanes,
            "ticktext": [SHORT_LANES.get(lane, lane) for lane in lanes],
        },
    )
    if today is not None and start <= today < end:
        figure.add_vline(x=today.isoformat(), line_width=2, line_dash="dot", line_color="#1a1a1a")
    return figure


def _bars(
    items: Sequence[CalendarItem], name: str, colour: str, *, release_span: bool, since: dt.date
) -> go.Bar:
    """A bar begun before the chart's first day (``since``) is drawn from that day, so
    its words start where they can be read (else "2026-12" shows as "026-12"); the
    hover keeps its own days."""
    return go.Bar(
        name=name,
        orientation="h",
        marker={"color": colour},
        width=0.9 if release_span else 0.65,  # tall enough for words of LABEL_MIN_PX
        y=[i.lane for i in items],
        base=[max(i.start, since).isoformat() for i in items],
        x=[(i.end - max(i.start, since)).days * charts.MS_PER_DAY for i in items],
        text=[None if release_span else bar_text(i) for i in items],
        textposition="inside",
        insidetextanchor="start",
        textfont={"color": "#ffffff"},
        customdata=[[i.label, days_length_text(i.start, i.end), i.detail] for i in items],
        hovertemplate="%{customdata[0]}: %{customdata[1]}<br>%{customdata[2]}<extra></extra>",
    )


def bar_text(item: CalendarItem) -> str:
    """A bar's words: on a release's line, its phase's own part ("SIT" of "R7-SIT"),
    short enough for the bar; the hover gives the whole label."""
    prefix = f"{item.lane}-"
    return item.label[len(prefix) :] if item.label.startswith(prefix) else item.label


def _markers(items: Sequence[CalendarItem], name: str, colour: str, symbol: str) -> go.Scatter:
    return go.Scatter(
        name=name,
        mode="markers",
        marker={"color": colour, "symbol": symbol, "size": 12},
        y=[i.lane for i in items],
        x=[i.start.isoformat() for i in items],
        customdata=[[i.label, i.detail] for i in items],
        hovertemplate="%{customdata[0]} on %{x}<br>%{customdata[1]}<extra></extra>",
    )


# -- KPI trends ---------------------------------------------------------------------------------

STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000)
MOST_TICKS = 6


def whole_axis(values: Sequence[float | None], title: str, **more: Any) -> dict[str, Any]:
    """An axis of counts or days: ticks on whole numbers from 0 (never 6.7, 13.4), a step
    of 1, 2, 5, 10 … giving at most six of them, and the top a whole step above the
    largest value."""
    top = max([0.0, *(float(v) for v in values if v is not None)])
    step = next((s for s in STEPS if top / s <= MOST_TICKS - 1), STEPS[-1])
    ceiling = (math.floor(top / step) + 1) * step
    return {
        "title": {"text": title},
        "range": [0, ceiling],
        "tick0": 0,
        "dtick": step,
        "tickformat": "d",
        **more,
    }


def _kpi_layout(figure: go.Figure, **layout: Any) -> go.Figure:
    figure.update_layout(
        font=charts.FONT,
        height=320,
        plot_bgcolor="#ffffff",
        margin={"l": 60, "r": 60, "t": 30, "b": 50},
        legend={"orientation": "h", "y": 1.12},
        **layout,
    )
    return figure


def releases_trend_figure(monthly: Sequence[dict[str, Any]]) -> go.Figure:
    """Deployments per month, on time and late stacked; backed-out and failed as lines."""
    months = [row["month"] for row in monthly]
    figure = go.Figure(
        [
            go.Bar(
                name="On time",
                x=months,
                y=[r["on_time"] for r in monthly],
                marker={"color": KPI_COLOURS["on_time"]},
            ),
            go.Bar(
                name="Late",
                x=months,
                y=[r["late"] for r in monthly],
                marker={"color": KPI_COLOURS["late"]},
            ),
            go.Scatter(
                name="Backed out",
                x=months,
                y=[r["backed_out"] for r in monthly],
                mode="lines+markers",
                line={"color": KPI_COLOURS["backed_out"]},
            ),
            go.Scatter(
                name="Failed",
                x=months,
                y=[r["failed"] for r in monthly],
                mode="lines+markers",
                line={"color": KPI_COLOURS["failed"], "dash": "dot"},
            ),
        ]
    )
    stacked = [r["on_time"] + r["late"] for r in monthly]
    lines = [v for r in monthly for v in (r["backed_out"], r["failed"])]
    return _kpi_layout(figure, barmode="stack", yaxis=whole_axis([*stacked, *lines], "releases"))


def clashes_and_lead_time_figure(monthly: Sequence[dict[str, Any]]) -> go.Figure:
    """Clashes per month (bars, left axis) and average booking lead time (line, right)."""
    months = [row["month"] for row in monthly]
    figure = go.Figure(
        [
            go.Bar(
                name="Clashes",
                x=months,
                y=[r["clashes"] for r in monthly],
                marker={"color": KPI_COLOURS["clashes"]},
            ),
            go.Scatter(
                name="Lead time (days)",
                x=months,
                y=[r["lead_time_days"] for r in monthly],
                yaxis="y2",
                mode="lines+markers",
                connectgaps=False,
                line={"color": KPI_COLOURS["lead"]},
            ),
        ]
    )
    return _kpi_layout(
        figure,
        yaxis=whole_axis([r["clashes"] for r in monthly], "clashes"),
        yaxis2=whole_axis(
            [r["lead_time_days"] for r in monthly],
            "lead time, days",
            overlaying="y",
            side="right",
            showgrid=False,
        ),
    )


def utilisation_trend_figure(monthly: Sequence[dict[str, Any]]) -> go.Figure:
    """Per environment type, the share of open environment-days booked, month by month."""
    months = [row["month"] for row in monthly]
    prefix = "utilisation_"
    types = sorted({key[len(prefix) :] for row in monthly for key in row if key.startswith(prefix)})
    figure = go.Figure(
        [
            go.Scatter(
                name=t, x=months, y=[r.get(prefix + t) for r in monthly], mode="lines+markers"
            )
            for t in types
        ]
    )
    highest = max(
        [
            100.0,
            *(
                float(v)
                for r in monthly
                for k, v in r.items()
                if k.startswith(prefix) and v is not None
            ),
        ]
    )
    return _kpi_layout(
        figure,
        yaxis={
            "title": {"text": "booked of open days"},
            "range": [0, math.ceil(highest / 25) * 25],
            "dtick": 25,
            "ticksuffix": " %",
        },
    )


def time_to_implement_figure(rows: Sequence[dict[str, Any]]) -> go.Figure:
    """Average days to implement per release type, the bar's whisker from best to worst."""
    figure = go.Figure(
        go.Bar(
            x=[r["type"] for r in rows],
            y=[r["average_days"] for r in rows],
            marker={"color": KPI_COLOURS["lead"]},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [r["worst_days"] - r["average_days"] for r in rows],
                "arrayminus": [r["average_days"] - r["best_days"] for r in rows],
            },
            customdata=[[r["best_days"], r["worst_days"], r["releases"]] for r in rows],
            hovertemplate="%{x}: %{y} days on average (best %{customdata[0]}, worst "
            "%{customdata[1]}, %{customdata[2]} releases)<extra></extra>",
        )
    )
    return _kpi_layout(figure, yaxis=whole_axis([r["worst_days"] for r in rows], "days"))
