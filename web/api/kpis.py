"""Release health (``/kpis``) and the release calendar's items (``/release-calendar``)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from envsched.lifecycle import Period, add_months, calendar_months, kpis_for, release_calendar
from envsched.models.limits import Day, Input
from web.api.routing import JSON, Route
from web.context import sessions, today

MonthValue = int | float | str | None


class MonthsQuery(Input):
    start: Day | None = Field(default=None, description="a day of the first month "
                                  "(default: twelve months up to this one for KPIs, this "
                                  "month for the calendar)")
    months: int = Field(default=12, ge=1, le=36)


class PeriodPublic(BaseModel):
    start: dt.date
    end: dt.date = Field(description="first day after the period")


class ReleaseCounts(BaseModel):
    deployed: int
    on_time: int
    late: int
    late_keys: list[str]
    backed_out: int
    failed: int = Field(description="backed out, or cancelled after testing started")
    failed_keys: list[str]
    without_test_signoff: list[str] = Field(description="deployed with a test phase's exit "
                                            "gate not signed (open, vetoed or waived)")
    without_operational_signoff: list[str] = Field(description="deployed without a signed "
                                                   "go/no-go")
    clashes: int


class TimeToImplement(BaseModel):
    type: str
    releases: int
    average_days: float
    best_days: int
    worst_days: int


class Utilisation(BaseModel):
    type: str
    booked_days: int
    open_days: int
    percent: float


class LeadTime(BaseModel):
    bookings: int
    average_days: float | None
    median_days: float | None
    shortest_days: int | None
    longest_days: int | None


class KpiReportPublic(BaseModel):
    period: PeriodPublic
    releases: ReleaseCounts
    time_to_implement: list[TimeToImplement]
    utilisation: list[Utilisation]
    lead_time: LeadTime
    monthly: list[dict[str, MonthValue]] = Field(
        description="per month: deployed, on_time, late, backed_out, failed, clashes, "
                    "lead_time_days and utilisation_<TYPE> (per cent)")


class CalendarItemPublic(BaseModel):
    kind: str = Field(description="window, go_live, release, phase, deployment, freeze or "
                                  "maintenance")
    lane: str
    start: dt.date
    end: dt.date
    label: str
    detail: str


def kpi_period(start: dt.date | None, months: int, now_day: dt.date) -> Period:
    if start is None:
        return Period.months_ending(now_day, months)
    first = start.replace(day=1)
    return Period(first, add_months(first, months))


def get_kpis(query: MonthsQuery) -> JSON:
    report = kpis_for(sessions(), kpi_period(query.start, query.months, today()))
    return KpiReportPublic.model_validate(report.to_dict()).model_dump(mode="json")


def get_release_calendar(query: MonthsQuery) -> list[JSON]:
    start, end = calendar_months(query.start or today(), query.months)
    return [CalendarItemPublic.model_validate(item, from_attributes=True).model_dump(
        mode="json") for item in release_calendar(sessions(), start, end)]


ROUTES = [
    Route("GET", "/kpis", get_kpis, "kpis:read",
          "Release health over whole months: on time and late, failed and backed out, "
          "deployed without sign-off, time to implement per release type, utilisation "
          "per environment type, clashes, booking lead time, and the monthly trend",
          KpiReportPublic, query=MonthsQuery, errors=(400,)),
    Route("GET", "/release-calendar", get_release_calendar, "calendar:read",
          "Release windows, releases, their phases' bookings, deployments, freezes and "
          "maintenance over whole months (default: twelve from this one)",
          list[CalendarItemPublic], query=MonthsQuery, errors=(400,)),
]
