"""Booking series (issue 16): book a repeating booking, preview it, read it with its runs,
cancel one run or it and the rest."""

from __future__ import annotations

from envsched import booking
from envsched.booking import RunOut, SeriesCancelIn, SeriesIn, SeriesOut
from web.api.routing import JSON, Route, actor
from web.context import now, sessions

__all__ = ["ROUTES"]


def create_series(body: SeriesIn) -> JSON:
    series = booking.create_series(sessions(), body, actor=actor(), now=now())
    return get_series(series.id or 0)


def preview_series(body: SeriesIn) -> list[JSON]:
    runs = booking.preview_series(sessions(), body, actor=actor(), now=now())
    return [
        RunOut(
            start=r.start, end=r.end, booked=not r.refused, rule=r.rule, reason=r.reason
        ).model_dump(mode="json")
        for r in runs
    ]


def get_series(series_id: int) -> JSON:
    return booking.series_out(sessions(), series_id).model_dump(mode="json")


def cancel_run(series_id: int, occurrence_id: int, body: SeriesCancelIn) -> JSON:
    booking.cancel_runs(
        sessions(),
        series_id,
        occurrence_id,
        rest=body.rest,
        actor=actor(),
        now=now(),
        reason=body.reason,
    )
    return get_series(series_id)


EXAMPLE = {
    "environment": "UAT-1",
    "repeat": "weekly",
    "weekdays": ["tue"],
    "start": "2027-03-01",
    "length_days": 1,
    "times": 6,
    "note": "weekly regression run",
}

ROUTES = [
    Route(
        "POST",
        "/series",
        create_series,
        "series:create",
        "Book a repeating booking: each run is checked by the same rules as one booking; "
        "the free runs are booked, the refused ones listed with the rule and why (201)",
        SeriesOut,
        201,
        body=SeriesIn,
        errors=(400,),
        example=EXAMPLE,
        idempotent=True,
    ),
    Route(
        "POST",
        "/series/preview",
        preview_series,
        "series:create",
        "What booking this series would do now, run by run; nothing is booked",
        list[RunOut],
        body=SeriesIn,
        errors=(400,),
        example=EXAMPLE,
    ),
    Route(
        "GET",
        "/series/<int:series_id>",
        get_series,
        "series:read",
        "A booking series with each run: its days and state (refused, or its booking's "
        "status) and, for a refused run, the rule and why",
        SeriesOut,
        errors=(404,),
    ),
    Route(
        "POST",
        "/series/<int:series_id>/occurrences/<int:occurrence_id>/cancel",
        cancel_run,
        "series:cancel",
        "Cancel one run's booking, or with rest=true it and every later run's; the days "
        "go to the waitlist",
        SeriesOut,
        body=SeriesCancelIn,
        errors=(400, 404, 409),
        example={"rest": True, "reason": "regression moved to nightly"},
    ),
]
