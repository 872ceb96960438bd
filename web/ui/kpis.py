"""Release health: the KPIs of whole months, their trends as charts, and CSV export."""

from __future__ import annotations

from typing import Any

import pandas as pd
from flask import Response, abort, render_template, request

from envsched.lifecycle import KpiReport, Period, add_months, kpis_for, monthly_frame
from web import charts, release_charts
from web.auth import requires
from web.context import sessions, today
from web.ui.params import date_arg, int_arg

TABLES = ("monthly", "time_to_implement", "utilisation")


def _period() -> Period:
    months = int_arg("months", 12, low=1, high=36)
    if not request.args.get("start"):
        return Period.months_ending(today(), months)
    first = date_arg("start", today()).replace(day=1)
    return Period(first, add_months(first, months))


@requires("kpis:read")
def kpi_page() -> Any:
    period = _period()
    report = kpis_for(sessions(), period)
    figures = {
        "releases": release_charts.releases_trend_figure(report.monthly),
        "clashes": release_charts.clashes_and_lead_time_figure(report.monthly),
        "utilisation": release_charts.utilisation_trend_figure(report.monthly),
        "implement": release_charts.time_to_implement_figure(report.time_to_implement),
    }
    return render_template(
        "kpis.html",
        report=report,
        period=period,
        months=len(period.months()),
        figures={k: charts.figure_json(f) for k, f in figures.items()},
    )


@requires("kpis:read")
def kpi_csv() -> Any:
    table = request.args.get("table", "monthly")
    if table not in TABLES:
        abort(404, f"No KPI table {table!r}; choose one of {', '.join(TABLES)}.")
    period = _period()
    frame = export_frame(kpis_for(sessions(), period), table)
    response = Response(frame.to_csv(index=False), mimetype="text/csv")
    name = f"kpis-{table}-{period.start:%Y-%m}-to-{add_months(period.end, -1):%Y-%m}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def export_frame(report: KpiReport, table: str) -> pd.DataFrame:
    if table == "monthly":
        return monthly_frame(report)
    return pd.DataFrame(getattr(report, table))
