"""The timeline to work on, on the data its page and its item route hand the browser: lanes
in natural order, bars labelled in words and movable only by whom may move them, blocked
days on the lanes they block, windows of days on demand (bad windows named), filters by
type, tag and release (SQLite and PostgreSQL)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from envsched.db import SessionFactory
from envsched.models import BookingStatus, Role
from tests.envsched import factories
from tests.web.page_world import PageWorld, day

Login = Callable[..., object]


def page_data(client: FlaskClient, path: str) -> dict[str, Any]:
    """The timeline element's data-* attributes, JSON ones read."""
    response = client.get(path)
    assert response.status_code == 200, path
    page = response.get_data(as_text=True)
    found = re.search(r'<div class="timeline" id="timeline"([^>]*)>', page)
    assert found, f"no timeline on {path}"
    data = {
        name: html.unescape(value)
        for name, value in re.findall(r'data-([\w-]+)="([^"]*)"', found.group(1))
    }
    for name in ("lanes", "items", "rules"):
        data[name] = json.loads(data[name])
    return data


def bookings(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Booking items by their label."""
    return {item["label"]: item for item in items if "label" in item}


def test_lanes_are_in_natural_order_and_idle_environments_have_one(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    for name in ("SIT-10", "SIT-2", "SIT-11"):
        factories.make_environment(sessions, name=name, type="SIT")
    login(client, Role.VIEWER)
    lanes = page_data(client, "/timeline?type=SIT")["lanes"]
    assert [lane["id"] for lane in lanes] == ["SIT-1", "SIT-2", "SIT-10", "SIT-11"]
    assert [lane["order"] for lane in lanes] == [0, 1, 2, 3]
    assert lanes[0]["title"] == "SIT-1: SIT, room for 2 at a time"


def test_bars_say_their_phase_release_days_and_status_in_words(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.VIEWER)
    found = bookings(page_data(client, "/timeline")["items"])
    assert set(found) == {"R1-SIT", "smoke tests"}
    sit = found["R1-SIT"]
    assert (sit["group"], sit["start"], sit["end"]) == (
        "SIT-1",
        day(0).isoformat(),
        day(5).isoformat(),
    )
    assert sit["title"] == "R1-SIT, release R1<br>SIT-1: 4–8 Jan 2027 (5 days)<br>confirmed"
    assert sit["content"] == (
        f'<a class="bar-link" href="/bookings/{sit["id"]}" '
        'draggable="false" aria-label="R1-SIT">'
        '<span class="label-full">R1-SIT</span>'
        '<span class="label-short" aria-hidden="true">R1</span></a>'  # the release, not SIT
    )
    assert "booking" not in sit["title"].lower()
    assert '<span class="label-full">smoke tests</span>' in found["smoke tests"]["content"]


def test_only_an_environment_manager_gets_movable_bars_and_never_one_in_use(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    factories.make_booking(
        sessions,
        estate.uat2,
        start=day(0),
        end=day(3),
        note="running now",
        status=BookingStatus.IN_USE,
    )
    factories.make_booking(
        sessions, estate.sit1, start=day(-2), end=day(3), note="started, confirmed"
    )
    login(client, Role.TEST_MANAGER)
    data = page_data(client, "/timeline")
    assert data["may-move"] == "false" and data["may-pick"] == "true"
    assert not any(item["editable"] for item in bookings(data["items"]).values())
    manager = client.application.test_client()
    login(manager, Role.ENVIRONMENT_MANAGER)
    data = page_data(manager, "/timeline")
    movable = {label: item["editable"] for label, item in bookings(data["items"]).items()}
    assert movable == {
        "R1-SIT": True,  # starts today: not in use yet, it may still move
        "smoke tests": True,
        "running now": False,
        "started, confirmed": False,  # its first day is past: those days cannot move
    }
    assert data["may-move"] == "true"
    assert data["move-url"] == "/api/v1/bookings/0/move"


def test_a_viewer_may_neither_move_nor_pick_days(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.VIEWER)
    data = page_data(client, "/timeline")
    assert (data["may-move"], data["may-pick"]) == ("false", "false")
    page = client.get("/timeline").get_data(as_text=True)
    assert 'id="pick-days"' not in page


def test_clashing_bars_are_marked_and_blocked_days_lie_on_the_lanes_they_block(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    factories.make_booking(sessions, estate.sit1, start=day(1), end=day(4), note="second")
    factories.make_booking(sessions, estate.sit1, start=day(2), end=day(3), note="third")
    factories.make_freeze(
        sessions,
        name="quarter close",
        start=day(10),
        end=day(12),
        types=["SIT"],
        reason="books closed",
    )
    login(client, Role.VIEWER)
    items = page_data(client, "/timeline")["items"]
    assert bookings(items)["third"]["className"] == "booking clash"  # SIT-1 holds 2
    assert bookings(items)["smoke tests"]["className"] == "booking booked"
    blocked = sorted(
        (i["className"], i["group"], i["start"], i["content"])
        for i in items
        if i.get("type") == "background"
    )
    assert blocked == [
        ("blocked freeze", "SIT-1", day(10).isoformat(), "Freeze: quarter close"),
        ("blocked maintenance", "UAT-2", day(20).isoformat(), "Maintenance: patching"),
    ]
    freeze = next(i for i in items if i.get("className") == "blocked freeze")
    assert freeze["title"] == (
        "Freeze: quarter close (books closed); SIT-1: 14–15 Jan 2027 "
        "(2 days); no booking on these days"
    )


def test_more_days_come_from_the_item_route_filtered_like_the_page(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    factories.make_booking(
        sessions, estate.uat2, phase_id=estate.uat_phase.id, start=day(120), end=day(123)
    )
    login(client, Role.VIEWER)
    assert "R1-UAT" not in bookings(page_data(client, "/timeline")["items"])
    answer = client.get(f"/timeline/items?start={day(100)}&end={day(140)}")
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["start"], body["end"]) == (day(100).isoformat(), day(140).isoformat())
    assert set(bookings(body["items"])) == {"R1-UAT"}
    sit_only = client.get(f"/timeline/items?start={day(0)}&end={day(140)}&type=SIT").get_json()
    assert set(bookings(sit_only["items"])) == {"R1-SIT"}
    tagged = client.get(f"/timeline/items?start={day(0)}&end={day(140)}&tag=mainframe")
    assert set(bookings(tagged.get_json()["items"])) == {"smoke tests"}  # UAT-1 only
    release = client.get(f"/timeline/items?start={day(0)}&end={day(140)}&release=R1")
    assert set(bookings(release.get_json()["items"])) == {"R1-SIT", "R1-UAT"}


def test_the_page_filters_lanes_by_tag_and_zooms_to_the_weeks_asked(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.VIEWER)
    data = page_data(client, "/timeline?tag=mainframe&zoom=weeks")
    assert [lane["id"] for lane in data["lanes"]] == ["UAT-1"]
    assert (data["start"], data["end"]) == (day(-7).isoformat(), day(21).isoformat())
    quarter = page_data(client, "/timeline?zoom=quarter")
    assert quarter["end"] == day(-7 + 13 * 7).isoformat()
    page = client.get("/timeline?zoom=nonsense").get_data(as_text=True)
    assert 'class="zoom-months" aria-current="true"' in page


def test_a_bad_window_of_days_is_named(
    client: FlaskClient, login: Login, estate: PageWorld
) -> None:
    login(client, Role.VIEWER)
    cases = {
        f"start={day(0)}": ("end", "give a date (YYYY-MM-DD)"),
        f"start=soon&end={day(5)}": ("start", "'soon' is not a date (YYYY-MM-DD)"),
        f"start={day(5)}&end={day(5)}": ("end", f"{day(5)} is not after start {day(5)}"),
        f"start={day(0)}&end={day(401)}": ("end", "at most 400 days at a time"),
    }
    for query, (field, problem) in cases.items():
        answer = client.get(f"/timeline/items?{query}")
        assert answer.status_code == 400, query
        assert answer.get_json()["error"]["fields"] == {field: problem}, query


def test_the_item_route_needs_a_signed_in_user(client: FlaskClient, estate: PageWorld) -> None:
    answer = client.get(f"/timeline/items?start={day(0)}&end={day(5)}")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_a_release_filter_keeps_other_releases_bookings_on_its_lanes_faded(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    other = factories.make_release(sessions, key="R2", title="Ledger 1.0")
    other_sit = factories.make_phase(sessions, other, key="R2-SIT", type="SIT")
    factories.make_booking(
        sessions, estate.sit1, phase_id=other_sit.id, start=day(2), end=day(7)
    )  # on R1's lane, days R1's own bar does not hide
    login(client, Role.VIEWER)
    data = page_data(client, "/timeline?release=R1")
    assert [lane["id"] for lane in data["lanes"]] == ["SIT-1"]  # the lanes R1 books
    shown = bookings(data["items"])
    assert set(shown) == {"R1-SIT", "R2-SIT"}  # R2's days on SIT-1 are taken, and say so
    assert "other-release" not in shown["R1-SIT"]["className"]
    assert shown["R2-SIT"]["className"] == "booking booked other-release"
    assert shown["R2-SIT"]["title"].endswith("<br>not the release shown")
    page = client.get("/timeline?release=R1").get_data(as_text=True)
    assert "<strong>Release R1</strong>: 1 of its booking " in page
    assert "Other releases' bookings on those environments are faded" in page
    assert 'R2 / R2-SIT</a> <span class="muted">(another release)</span>' in page
    items = client.get(f"/timeline/items?start={day(0)}&end={day(40)}&release=R1").get_json()
    assert bookings(items["items"])["R2-SIT"]["className"].endswith("other-release")
    unknown = client.get("/timeline?release=R99").get_data(as_text=True)
    assert "<strong>No release has the key R99</strong>" in unknown
    assert page_data(client, "/timeline?release=R99")["lanes"] == []
    unfiltered = bookings(page_data(client, "/timeline")["items"])
    assert "other-release" not in unfiltered["R2-SIT"]["className"]


def test_lanes_come_twenty_five_a_page_and_items_follow_the_page(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    for n in range(2, 31):  # SIT-1 … SIT-30, and UAT-1, UAT-2
        factories.make_environment(sessions, name=f"SIT-{n}", type="SIT")
    factories.make_booking(sessions, estate.uat2, start=day(1), end=day(3), note="late lane")
    login(client, Role.VIEWER)
    first = page_data(client, "/timeline")
    assert [lane["id"] for lane in first["lanes"]] == [f"SIT-{n}" for n in range(1, 26)]
    assert "late lane" not in bookings(first["items"])
    second = page_data(client, "/timeline?page=2")
    assert [lane["id"] for lane in second["lanes"]] == [
        *(f"SIT-{n}" for n in range(26, 31)),
        "UAT-1",
        "UAT-2",
    ]
    assert set(bookings(second["items"])) == {"smoke tests", "late lane"}
    assert second["items-url"] == "/timeline/items?page=2"
    more = client.get(f"/timeline/items?start={day(0)}&end={day(40)}&page=2").get_json()
    assert set(bookings(more["items"])) == {"smoke tests", "late lane"}
    text = client.get("/timeline?page=2").get_data(as_text=True)
    assert "<strong>Environments 26–32 of 32</strong>" in text
    assert 'rel="prev"' in text and "Page 2 of 2" in text
