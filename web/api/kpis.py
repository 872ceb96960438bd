"""Release health (``/kpis``) and the release calendar's items (``/release-calendar``)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from envsched.lifecycle import Period, add_months, calendar_months, kpis_for, release_calendar
from envsched.lifecycle.shapes import CalendarItemOut, KpiReportOut
from envsched.models.limits import Day, Input
from web.api.routing import JSON, Route
from web.context import sessions, today


class MonthsQuery(Input):
    start: Day | None = Field(
        default=None,
        description="a day of the first month "
        "(default: twelve months up to this one for KPIs, this "
        "month for the calendar)",
    )
    months: int = Field(default=12, ge=1, le=36)


def kpi_period(start: dt.date | None, months: int, now_day: dt.date) -> Period:
    if start is None:
        return Period.months_ending(now_day, months)
    first = start.replace(day=1)
    return Period(first, add_months(first, months))


def get_kpis(query: MonthsQuery) -> JSON:
    report = kpis_for(sessions(), kpi_period(query.start, query.months, today()))
    return KpiReportOut.model_validate(report.to_dict()).model_dump(mode="json")


def get_release_calendar(query: MonthsQuery) -> list[JSON]:
    start, end = calendar_months(query.start or today(), query.months)
    return [
        CalendarItemOut.model_validate(item, from_attributes=True).model_dump(mode="json")
        for item in release_calendar(sessions(), start, end)
    ]


ROUTES = [
    Route(
        "GET",
        "/kpis",
        get_kpis,
        "kpis:read",
        "Release health over whole months: on time and late, failed and backed out, "
        "deployed without sign-off, time to implement per release type, utilisation "
        "per environment type, clashes, booking lead time, and the monthly trend",
        KpiReportOut,
        query=MonthsQuery,
        errors=(400,),
    ),
    Route(
        "GET",
        "/release-calendar",
        get_release_calendar,
        "calendar:read",
        "Release windows, releases, their phases' bookings, deployments, freezes and "
        "maintenance over whole months (default: twelve from this one)",
        list[CalendarItemOut],
        query=MonthsQuery,
        errors=(400,),
    ),
]
