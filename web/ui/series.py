"""Repeating bookings (issue 16): the series form with its preview, and the series page.

The form books through ``booking.create_series``, the same service as ``POST
/api/v1/series``; "Preview" asks ``booking.preview_series``, which runs the very same
booking and rolls it back, so the preview lists each run as booking it would turn out:
booked, or refused with the rule in words. The series page lists the runs and cancels
one, or it and the later ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pydantic
from flask import flash, redirect, render_template, request, url_for

from envsched import booking
from envsched.booking import DAY_NAMES, MAX_RUNS, WEEKDAYS, Run, SeriesIn, SeriesOut
from envsched.db import read_transaction
from envsched.errors import EnvschedError
from envsched.models.limits import MAX_DAYS
from web.auth import current_user, requires
from web.context import now, sessions, today
from web.queries import bookable_environments
from web.timeline_items import RULE_WORDS
from web.ui.booking_new import phase_choices_for
from web.ui.forms import Form

LABELS = {
    "environment": "Environment",
    "phase": "Release and phase",
    "repeat": "Repeats",
    "interval": "Every",
    "weekdays": "On",
    "start": "From",
    "length_days": "Days each run holds",
    "ends": "Ends",
    "until": "Last day a run may start",
    "times": "Number of runs",
    "pinned": "Pinned",
    "note": "What it is for",
}
REPEATS = [("weekly", "Every week or few weeks, on chosen weekdays"), ("days", "Every few days")]


@requires("series:create")
def series_new() -> Any:
    if request.method == "POST":
        return _submit(Form.posted(LABELS))
    args = request.args
    start = args.get("start") or today().isoformat()
    return _page(
        Form(
            LABELS,
            {
                "environment": args.get("environment", ""),
                "repeat": "weekly",
                "interval": "1",
                "weekdays": first_weekday(start),
                "start": start,
                "length_days": "1",
                "ends": "times",
                "times": "6",
            },
        )
    )


def first_weekday(start: str) -> str:
    """The weekday a weekly series runs on unless told otherwise: its first day's (none
    while the first day is not a date). The form's script moves it with the first day
    until the user ticks weekdays themselves."""
    try:
        return WEEKDAYS[dt.date.fromisoformat(start).weekday()]
    except ValueError:
        return ""


def _page(form: Form, status: int = 200, runs: list[Run] | None = None) -> Any:
    with read_transaction(sessions()) as session:
        envs = bookable_environments(session)
        chosen = next((e for e in envs if e.name == form.values.get("environment")), None)
        phases = phase_choices_for(session, chosen)
    return render_template(
        "series_new.html",
        form=form,
        environments=[e.name for e in envs],
        phases=phases,
        repeats=REPEATS,
        weekdays=list(zip(WEEKDAYS, DAY_NAMES, strict=True)),
        chosen_days=form.words("weekdays"),
        fresh=request.method == "GET",  # the weekdays follow the first day until chosen
        runs=runs,
        rule_words=rule_words,
    ), status


def _submit(form: Form) -> Any:
    data = _read(form)
    if data is None:
        return _page(form, 400)
    try:
        if request.form.get("action") == "preview":
            runs = booking.preview_series(sessions(), data, actor=current_user(), now=now())
            return _page(form, runs=runs)
        series = booking.create_series(sessions(), data, actor=current_user(), now=now())
    except EnvschedError as exc:
        form.absorb(exc)
        return _page(form, 400)
    shown = booking.series_out(sessions(), series.id or 0)
    booked = sum(1 for o in shown.occurrences if o.state != "refused")
    refused = len(shown.occurrences) - booked
    flash(
        f"Booked {booked} run{'s' if booked != 1 else ''} on {shown.environment}"
        + (f"; {refused} refused, listed below." if refused else "."),
        "success" if not refused else "warning",
    )
    return redirect(url_for("ui.series_detail", series_id=shown.id))


def _read(form: Form) -> SeriesIn | None:
    """The typed series, or None with every wrong field named on ``form``."""
    environment = form.text("environment", required="choose an environment")
    repeat = form.text("repeat")
    if repeat not in ("weekly", "days"):
        form.fail("repeat", "choose weekly or every few days")
    interval = form.whole("interval", low=1, high=MAX_DAYS)
    weekdays = form.words("weekdays") if repeat == "weekly" else []
    start = form.date("start")
    length = form.whole("length_days", low=1, high=MAX_DAYS)
    ends = form.text("ends")
    until = form.date("until") if ends == "until" else None
    times = form.whole("times", low=1, high=MAX_RUNS) if ends != "until" else None
    note = form.text("note", longest=2000)
    if not form.ok or start is None:
        return None
    try:
        return SeriesIn.model_validate(
            {
                "environment": environment,
                "phase": form.text("phase") or None,
                "repeat": repeat,
                "interval": interval,
                "weekdays": weekdays,
                "start": start,
                "length_days": length,
                "until": until,
                "times": times,
                "pinned": form.checked("pinned"),
                "note": note,
            }
        )
    except pydantic.ValidationError as exc:
        form.absorb(exc)
        return None


def rule_words(rule: str) -> str:
    words = RULE_WORDS.get(rule, "not free")
    return words[0].upper() + words[1:]


# -- the series page ----------------------------------------------------------------------------


@requires("series:read")
def series_detail(series_id: int) -> Any:
    shown = booking.series_out(sessions(), series_id)
    return render_template(
        "series.html",
        s=shown,
        how=shown.repeats,
        rule_words=rule_words,
        cancellable=_cancellable(shown),
        runs=run_counts(shown),
    )


LIVE_RUN = ("tentative", "confirmed", "in_use")


def run_counts(series: SeriesOut) -> str:
    """How the runs stand now, as "2 booked, 2 cancelled, 2 refused": a cancelled run
    no longer counts as booked."""
    counts: dict[str, int] = {}
    for run in series.occurrences:
        word = "booked" if run.state in LIVE_RUN else run.state.replace("_", " ")
        counts[word] = counts.get(word, 0) + 1
    order = sorted(counts, key=lambda word: (word != "booked", word == "refused", word))
    return ", ".join(f"{counts[word]} {word}" for word in order) or "none"


def _cancellable(series: SeriesOut) -> dict[int, int]:
    """Run id -> how many live runs cancelling it and the rest would cancel; a run under
    way (its first day past) is handed back from its booking's page, not cancelled."""
    day = today()
    live = [
        o.id
        for o in series.occurrences
        if o.state in LIVE_RUN and not booking.has_past_days(o.state, o.start, day)
    ]
    return {run: len(live) - i for i, run in enumerate(live)}


@requires("series:cancel")
def series_cancel(series_id: int, occurrence_id: int) -> Any:
    rest = request.form.get("rest") == "yes"
    try:
        cancelled = booking.cancel_runs(
            sessions(),
            series_id,
            occurrence_id,
            rest=rest,
            actor=current_user(),
            now=now(),
            reason=request.form.get("reason", "").strip()[:2000],
        )
    except EnvschedError as exc:
        flash(exc.said, "error")
    else:
        count = len(cancelled)
        flash(
            f"Cancelled {count} run{'s' if count != 1 else ''}; the days are free again.", "success"
        )
    return redirect(url_for("ui.series_detail", series_id=series_id))
