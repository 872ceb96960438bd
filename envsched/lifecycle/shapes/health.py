"""Release health (the KPIs) and the items of the release calendar."""

import datetime as dt

from pydantic import BaseModel, Field

MonthValue = int | float | str | None


class PeriodOut(BaseModel):
    start: dt.date
    end: dt.date = Field(description="first day after the period")


class ReleaseCountsOut(BaseModel):
    deployed: int
    on_time: int
    late: int
    late_keys: list[str]
    backed_out: int
    failed: int = Field(description="backed out, or cancelled after testing started")
    failed_keys: list[str]
    without_test_signoff: list[str] = Field(
        description="deployed with a test phase's exit gate not signed (open, vetoed or waived)"
    )
    without_operational_signoff: list[str] = Field(description="deployed without a signed go/no-go")
    clashes: int


class TimeToImplementOut(BaseModel):
    type: str
    releases: int
    average_days: float
    best_days: int
    worst_days: int


class UtilisationOut(BaseModel):
    type: str
    booked_days: int
    open_days: int
    percent: float


class LeadTimeOut(BaseModel):
    bookings: int
    average_days: float | None
    median_days: float | None
    shortest_days: int | None
    longest_days: int | None


class KpiReportOut(BaseModel):
    period: PeriodOut
    releases: ReleaseCountsOut
    time_to_implement: list[TimeToImplementOut]
    utilisation: list[UtilisationOut]
    lead_time: LeadTimeOut
    monthly: list[dict[str, MonthValue]] = Field(
        description="per month: deployed, on_time, late, backed_out, failed, clashes, "
        "lead_time_days and utilisation_<TYPE> (per cent)"
    )


class CalendarItemOut(BaseModel):
    kind: str = Field(
        description="window, go_live, release, phase, deployment, freeze or maintenance"
    )
    lane: str
    start: dt.date
    end: dt.date
    label: str
    detail: str
