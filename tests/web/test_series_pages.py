"""The series form and page (issue 16): a preview naming the refused run's rule in words,
booking, the runs listed with cancel actions, cancel the rest; wrong fields named next
to them. The estate's UAT-1 holds "smoke tests" on 4–7 Jan 2027 (``page_world``)."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from envsched.models import Role
from tests.web.forms import field_errors, page_text, post
from tests.web.page_world import PageWorld

Login = Callable[..., object]
FORM: dict[str, str | list[str]] = {
    "environment": "UAT-1",
    "repeat": "weekly",
    "interval": "1",
    "weekdays": ["mon", "thu"],
    "start": "2027-01-04",
    "length_days": "1",
    "ends": "times",
    "times": "4",
    "note": "regression run",
}


def test_preview_then_book_then_cancel_the_rest(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    form = page_text(client, "/series/new?environment=UAT-1")
    assert "Book a repeating booking" in form and 'name="csrf_token"' in form

    preview = post(client, "/series/new", {**FORM, "action": "preview"})
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert "Preview: 2 of 4 runs would be booked" in text
    assert "The environment is full</strong>: UAT-1 is fully booked" in text
    assert "Nothing is booked yet" in text

    booked = post(client, "/series/new", {**FORM, "action": "book"})
    assert booked.status_code == 302
    page = page_text(client, booked.headers["Location"])
    assert "Booked 2 runs on UAT-1; 2 refused, listed below." in page
    assert "Every Monday and Thursday, 1 day each, from 4 Jan 2027, 4 times" in page
    assert page.count(">refused</span>") == 2 and page.count(">confirmed</span>") == 2
    assert "<dd>2 booked, 2 refused</dd>" in page
    assert page.count("Cancel this run</button>") == 2
    assert page.count("Cancel this and later runs</button>") == 1
    run = re.search(r'href="(/bookings/\d+)"', page)
    assert run is not None
    assert "one run of <a href" in page_text(client, run.group(1))

    action = re.search(r'action="(/series/\d+/runs/\d+/cancel)"', page)
    assert action is not None
    done = post(client, action.group(1), {"rest": "yes"})
    assert done.status_code == 302
    after = page_text(client, done.headers["Location"])
    assert "Cancelled 2 runs; the days are free again." in after
    assert after.count(">cancelled</span>") == 2 and "Cancel this run" not in after
    assert "<dd>2 cancelled, 2 refused</dd>" in after


def test_wrong_fields_are_named_next_to_them(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    response = post(
        client,
        "/series/new",
        {**FORM, "weekdays": [], "interval": "0", "action": "book"},
    )
    assert response.status_code == 400
    assert field_errors(response) == {"interval": "must be 1 or more, not 0"}
    response = post(client, "/series/new", {**FORM, "weekdays": [], "action": "book"})
    assert field_errors(response) == {"weekdays": "choose at least one weekday"}
    response = post(
        client, "/series/new", {**FORM, "ends": "until", "until": "2027-01-01", "action": "book"}
    )
    assert field_errors(response) == {"until": "1 Jan 2027 is before the first day"}


def test_a_test_manager_sees_a_series_but_cannot_cancel_it(
    app: Flask, client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.ENVIRONMENT_MANAGER)
    location = post(client, "/series/new", {**FORM, "action": "book"}).headers["Location"]
    tester = app.test_client()
    login(tester, Role.TEST_MANAGER)
    page = page_text(tester, location)
    assert "Every Monday and Thursday" in page and "Cancel this run" not in page
    assert tester.get("/series/new").status_code == 403


def test_the_form_ticks_the_first_days_weekday_not_todays(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    """Opened for a first day (the timeline's selection), the weekday ticked is that
    day's; a first day that is no date ticks none; a posted form keeps what was ticked,
    and only a fresh form's weekdays follow the first day in the browser."""
    login(client, Role.ENVIRONMENT_MANAGER)

    def ticked(text: str) -> list[str]:
        return re.findall(r'name="weekdays" value="(\w+)" checked', text)

    thursday = page_text(client, "/series/new?environment=UAT-1&start=2027-01-07")
    assert ticked(thursday) == ["thu"] and "data-follows-day=" in thursday
    assert ticked(page_text(client, "/series/new?start=someday")) == []
    preview = post(client, "/series/new", {**FORM, "action": "preview"}).get_data(as_text=True)
    assert ticked(preview) == ["mon", "thu"] and "data-follows-day=" not in preview
    # the default is marked so the first weekday the user ticks replaces it; the hint
    # says so in whole words (and only while it holds)
    assert 'value="thu" checked data-default>' in thursday and "data-default" not in preview
    hint = "the weekdays a run starts on. Until you tick one yourself, it is the first day’s"
    assert hint in thursday and "the first day’s until you choose" not in thursday
    assert "Until you tick one" not in preview
