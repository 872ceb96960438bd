"""Charts as pure functions: rows or a DataFrame in, a Plotly ``Figure`` out.

No database, no request, no clock (``today`` is a parameter): tests build rows by hand
and assert on ``figure.data``. Pages embed ``figure_json(fig)`` and ``app.js`` draws it
with the Plotly served by the app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from envsched.days import days_length_text
from web import timeline_lanes
from web.queries import BlockedRow, BookingRow

MS_PER_DAY = 86_400_000
ROW_HEIGHT_PX = 28
# Colours with at least 4.5:1 contrast against white for the labels drawn on them.
COLOURS = {"booked": "#0b4f9c", "tentative": "#8a5a00", "clash": "#a4161a"}
# Behind the lanes of one environment; light enough for any bar to stand out on.
LANE_BANDS = {"shared": "#eef2f7", "over": "#fbe9e9"}
# Days an environment takes no booking: light and hatched, so a booking drawn over them
# (a clash) stands out; the labels on them are dark.
BLOCKED = {
    "maintenance": ("Maintenance", "#e4e4e4", "/", "#6b6b6b"),
    "freeze": ("Freeze", "#e6ecf5", "x", "#7d8ca3"),
}
FONT = {"family": "system-ui, sans-serif", "size": 13, "color": "#1a1a1a"}


def figure_json(figure: go.Figure) -> str:
    """The figure as JSON for a ``data-figure`` attribute (``app.js`` draws it)."""
    return str(pio.to_json(figure, validate=False, pretty=False))


def _kind(row: BookingRow, clash_ids: Collection[int]) -> str:
    if row.id in clash_ids:
        return "clash"
    return "tentative" if row.status == "tentative" else "booked"


def timeline_figure(
    rows: Sequence[BookingRow],
    clash_ids: Collection[int],
    *,
    environments: Sequence[str],
    start: dt.date,
    end: dt.date,
    capacities: Mapping[str, int] | None = None,
    blocked: Sequence[BlockedRow] = (),
    today: dt.date | None = None,
) -> go.Figure:
    """A Gantt chart: one line per environment, one bar per booking, clashes in red.

    ``environments`` fixes the lines (in this order, top to bottom) so an idle
    environment still shows as free. Bookings sharing days on an environment (of
    ``capacities``, 1 where not given) go to lanes of their own, ``SIT-1 · 1``,
    ``SIT-1 · 2`` …, shaded together; see ``web.timeline_lanes``. ``blocked`` days
    (maintenance windows, freezes) are hatched across every lane of their environment,
    under the bookings.
    """
    lane_of = timeline_lanes.lane_numbers(rows)
    lanes = timeline_lanes.chart_lanes(rows, lane_of, environments, capacities or {})
    labels = {(lane.environment, lane.number): lane.label for lane in lanes}
    figure = go.Figure()
    for kind in BLOCKED:  # first, so the bookings are drawn over them
        if chosen_blocked := [b for b in blocked if b.kind == kind]:
            figure.add_trace(_blocked_bars(chosen_blocked, lanes, kind, start, end))
    for kind, label in (("booked", "Booked"), ("tentative", "Tentative"), ("clash", "Clash")):
        chosen = [r for r in rows if _kind(r, clash_ids) == kind]
        figure.add_trace(
            _bars(
                chosen, [labels[r.environment, lane_of[r.id]] for r in chosen], label, COLOURS[kind]
            )
        )
    figure.update_layout(_timeline_layout(lanes, start, end))
    if today is not None and start <= today < end:
        figure.add_vline(x=today.isoformat(), line_width=2, line_dash="dot", line_color="#1a1a1a")
    return figure


def _timeline_layout(
    lanes: Sequence[timeline_lanes.Lane], start: dt.date, end: dt.date
) -> dict[str, Any]:
    return {
        "barmode": "overlay",
        "font": FONT,
        "height": 120 + ROW_HEIGHT_PX * max(len(lanes), 3),
        "margin": {"l": 90, "r": 20, "t": 40, "b": 40},
        "legend": {"orientation": "h", "y": 1, "yanchor": "bottom"},  # above the top lane
        "plot_bgcolor": "#ffffff",
        "shapes": _lane_bands(lanes),
        "xaxis": {
            "type": "date",
            "range": [start.isoformat(), end.isoformat()],
            "gridcolor": "#e3e3e3",
            "title": None,
        },
        "yaxis": {
            "type": "category",
            "categoryorder": "array",
            "automargin": True,
            "categoryarray": [lane.label for lane in reversed(lanes)],
            "range": [-0.5, max(len(lanes), 1) - 0.5],
            "title": None,
        },
    }


def _lane_bands(lanes: Sequence[timeline_lanes.Lane]) -> list[dict[str, Any]]:
    """A shaded band behind each environment drawn on several lanes, so they read as one
    environment, and a red one behind each lane over its capacity."""
    position = {lane: i for i, lane in enumerate(reversed(lanes))}  # category index
    groups: dict[str, list[int]] = {}
    for lane in lanes:
        groups.setdefault(lane.environment, []).append(position[lane])
    bands = [
        _band(min(spots), max(spots), LANE_BANDS["shared"])
        for spots in groups.values()
        if len(spots) > 1
    ]
    return bands + [
        _band(position[lane], position[lane], LANE_BANDS["over"])
        for lane in lanes
        if lane.over_capacity
    ]


def _band(low: int, high: int, colour: str) -> dict[str, Any]:
    """A rectangle across the plot over category positions ``low`` to ``high``, between
    the grid lines and the bars; inset a little so neighbouring environments stay apart."""
    return {
        "type": "rect",
        "layer": "between",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": low - 0.46,
        "y1": high + 0.46,
        "fillcolor": colour,
        "line": {"width": 0},
    }


def _bars(rows: Sequence[BookingRow], lines: Sequence[str], name: str, colour: str) -> go.Bar:
    return go.Bar(
        name=name,
        orientation="h",
        marker={"color": colour},
        y=list(lines),
        base=[r.start.isoformat() for r in rows],
        x=[(r.end - r.start).days * MS_PER_DAY for r in rows],
        text=[r.serves for r in rows],  # what it is for, never "booking 42"
        textposition="inside",
        insidetextanchor="start",
        textfont={"color": "#ffffff"},
        # customdata[0] is the booking id: app.js opens its page when the bar is clicked
        customdata=[
            [
                r.id,
                days_length_text(r.start, r.end),
                r.status.replace("_", " "),
                r.release or "no release",
                r.environment,
            ]
            for r in rows
        ],
        hovertemplate=(
            "%{text}<br>%{customdata[4]}: %{customdata[1]}"
            "<br>release %{customdata[3]}, %{customdata[2]}"
            "<br>click to open<extra></extra>"
        ),
    )


def _blocked_bars(
    blocked: Sequence[BlockedRow],
    lanes: Sequence[timeline_lanes.Lane],
    kind: str,
    start: dt.date,
    end: dt.date,
) -> go.Bar:
    """One hatched bar per blocked period and lane of its environment, cut to the chart's
    days so its label shows; the hover gives the period's own days."""
    name, colour, hatch, lines = BLOCKED[kind]
    drawn = [
        (b, lane.label) for b in blocked for lane in lanes if lane.environment == b.environment
    ]
    days = [(max(b.start, start), min(b.end, end)) for b, _ in drawn]
    return go.Bar(
        name=name,
        orientation="h",
        y=[label for _, label in drawn],
        marker={
            "color": colour,
            "pattern": {"shape": hatch, "fgcolor": lines, "size": 8},
            "line": {"color": lines, "width": 1},
        },
        base=[first.isoformat() for first, _ in days],
        x=[(last - first).days * MS_PER_DAY for first, last in days],
        # Level and full size: a label turned on its side or shrunk to fit a bar of a few
        # days is not read; one that does not fit goes beside the bar.
        text=[b.label for b, _ in drawn],
        textposition="auto",
        insidetextanchor="start",
        textangle=0,
        constraintext="none",
        textfont={"color": "#1a1a1a"},
        hovertext=[_blocked_hover(name, b) for b, _ in drawn],
        hovertemplate="%{hovertext}<extra></extra>",
    )


def _blocked_hover(name: str, row: BlockedRow) -> str:
    """``Maintenance: OS patching`` or ``Freeze: Q1 close`` and its reason, then the
    environment and the period's own days."""
    said = [
        f"{name}: {row.reason or 'no reason given'}"
        if row.kind == "maintenance"
        else f"{name}: {row.label}" + (f" ({row.reason})" if row.reason else "")
    ]
    return "<br>".join([*said, f"{row.environment}: {days_length_text(row.start, row.end)}"])


def capacity_heatmap(frame: pd.DataFrame) -> go.Figure:
    """Demand as a share of supply per type (rows) and ISO week (columns).

    Cells read "demand/supply"; above 100 % the type is short that week.
    """
    cells = {
        (r["type"], pd.Timestamp(r["week_start"])): (int(r["demand_days"]), int(r["supply_days"]))
        for r in frame.to_dict(orient="records")
    }
    types = sorted({t for t, _ in cells})
    weeks = sorted({w for _, w in cells})
    z = [[share(*cells[t, w]) for w in weeks] for t in types]
    text = [[f"{cells[t, w][0]}/{cells[t, w][1]}" for w in weeks] for t in types]
    labels = [w.strftime("%G-W%V") for w in weeks]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=types,
            text=text,
            texttemplate="%{text}",
            colorscale=[[0, "#f2f7fd"], [0.5, "#9ec3e6"], [0.67, "#f4c26b"], [1, "#a4161a"]],
            zmin=0,
            zmax=150,
            colorbar={"title": {"text": "demand / supply %"}},
            hovertemplate="%{y}, week %{x}: %{text} environment-days (%{z:.0f} %)<extra></extra>",
        )
    )
    figure.update_layout(
        font=FONT,
        height=140 + 48 * max(len(types), 2),
        margin={"l": 90, "r": 20, "t": 20, "b": 60},
        yaxis={"autorange": "reversed"},
    )
    return figure


def share(demand: int, supply: int) -> float:
    """Demand as a per cent of supply; demand on no supply at all counts as 150 %."""
    if supply == 0:
        return 150.0 if demand else 0.0
    return round(100.0 * demand / supply, 1)


def utilisation_figure(shares: Sequence[tuple[str, float]]) -> go.Figure:
    """Horizontal bars: the share of each type's supply that demand takes (per cent)."""
    figure = go.Figure(
        go.Bar(
            orientation="h",
            y=[name for name, _ in shares],
            x=[share for _, share in shares],
            text=[f"{share:.0f} %" for _, share in shares],
            textposition="outside",
            marker={
                "color": [COLOURS["clash"] if s > 100 else COLOURS["booked"] for _, s in shares]
            },
            hovertemplate="%{y}: %{x:.0f} % of supply<extra></extra>",
        )
    )
    top = max([100.0, *(1.1 * s for _, s in shares)])  # full supply is the scale: 23 % looks low
    figure.update_layout(
        font=FONT,
        height=80 + 40 * max(len(shares), 2),
        margin={"l": 90, "r": 40, "t": 10, "b": 40},
        xaxis={
            "title": {"text": "share of supply taken"},
            "range": [0, round(top)],
            "ticksuffix": " %",
            "dtick": 25 if top <= 150 else 50,
        },
        yaxis={"autorange": "reversed"},
    )
    return figure
