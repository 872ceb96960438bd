"""Pages speak of phases, releases, environments and dates, never of ids or columns: the
audit log names what changed in words, a plan run says who started it and what the
solver's answer means (the precise figures one click away), a failed run says only that
it failed and why, a running one claims nothing yet; gates show their state in a word, a
mark and a colour; a window long past offers no Move."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlmodel import select

from envsched.accounts import teams, tokens
from envsched.booking import move
from envsched.db import SessionFactory
from envsched.lifecycle import gates
from envsched.lifecycle.gates import GateRef
from envsched.models import (
    Booking,
    GateKind,
    PlanRun,
    PlanRunStatus,
    PlanTrigger,
    ReleaseWindow,
    Role,
)
from envsched.permissions import PERMISSIONS
from envsched.planning.rounds.runlock import round_lock
from tests.fixtures.web import UserOf
from tests.web.helpers import NOW, csrf_token
from tests.web.page_world import PageWorld, day
from tests.web.planning_world import a_round

Login = Callable[..., object]
# What a person must never read on a page (outside a "details" they open on purpose): a
# booking or a run by its number, a column, raw or spaced ("team id: 1"), the solver's
# terms, a booking "no phase" with no words around it, a permission by its API name.
RAW = re.compile(
    r"\bbooking \d+\b|_id\b|\b\w+ id: \d+|token_hash|Trigger: api|OPTIMAL|makespan|"
    r"weighted tardiness|\bplan run #?\d+|\bbooking no phase\b|"
    + "|".join(rf"\b{re.escape(name)}\b" for name in PERMISSIONS),
    re.IGNORECASE,
)


def seen(body: str) -> str:
    """The words a reader sees before opening any <details>: tags, scripts and closed
    details left out, single spaces."""
    body = re.sub(r"<details.*?</details>", " ", body, flags=re.S)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r'data-[a-z-]+="[^"]*"', " ", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def shown(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return seen(response.get_data(as_text=True))


def test_the_audit_log_names_things_and_says_what_changed_in_words(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory, user_of: UserOf
) -> None:
    manager = user_of(Role.ENVIRONMENT_MANAGER)
    with sessions() as session:
        smoke = session.exec(select(Booking).where(Booking.note == "smoke tests")).one()
    move.move_booking(
        sessions, smoke.id or 0, environment="UAT-2", start=day(1), actor=manager, now=NOW
    )
    tokens.issue_token(sessions, manager.name, actor=manager, now=NOW)
    teams.create_team(sessions, "Payments", actor=None, now=NOW)
    teams.set_team(sessions, manager.name, "Payments", actor=None, now=NOW)
    gates.veto_gate(
        sessions,
        GateRef("R1", "R1-UAT", GateKind.EXIT),
        actor=None,
        now=NOW,
        reason="sev-1 defects open",
    )
    login(client, Role.ADMIN)
    page = shown(client, "/audit")
    assert not RAW.search(page), RAW.search(page)
    assert "environment_id" not in page and "release_id" not in page
    assert "booking smoke tests on UAT-2 (5–8 Jan 2027)" in page  # the thing, by its name
    assert "environment: UAT-1 → UAT-2" in page
    assert "days: 4–7 Jan 2027 → 5–8 Jan 2027" in page
    assert "API token" in page and "Environment Manager" in page  # whose token, by name
    assert "vetoed To what: gate R1-UAT exit" in page  # a phone card labels its columns
    assert "team: none → Payments" in page  # a team by its name, never "team id: 1"
    assert "state: vetoed" in page and "reason: sev-1 defects open" in page
    assert "revoked: none" not in page  # a new row says what it holds, not what it lacks


def test_a_plan_run_says_who_started_it_and_what_the_solver_found_in_words(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory, user_of: UserOf
) -> None:
    erin = user_of(Role.ENVIRONMENT_MANAGER, "erin")
    run = a_round(sessions, PlanTrigger.API, started_by=erin)
    nightly = a_round(sessions, PlanTrigger.SCHEDULED)
    login(client, Role.VIEWER)
    page = shown(client, f"/plan-runs/{run.id}")
    assert "Started by Re-plan now by Erin" in page
    assert "The best possible plan was found." in page
    assert "Days late, weighted by priority" in page and "Last test ends" in page
    assert not RAW.search(page), RAW.search(page)
    full = client.get(f"/plan-runs/{run.id}").get_data(as_text=True)
    figures = re.search(r"<details class=\"figures\">.*?</details>", full, re.S)
    assert figures and "Solver status OPTIMAL, objective" in seen(
        figures.group(0).replace("<details", "<div").replace("</details>", "</div>")
    )  # one click away
    listed = shown(client, "/plan-runs")
    assert "Re-plan now by Erin" in listed and "the nightly round" in listed
    assert f"/plan-runs/{nightly.id}" in client.get("/plan-runs").get_data(as_text=True)


def _stored(sessions: SessionFactory, **fields: Any) -> int:
    run = PlanRun(trigger=PlanTrigger.SCHEDULED, started_at=NOW, **fields)
    with sessions.begin() as session:
        session.add(run)
        session.flush()
        return run.id or 0


def test_a_failed_run_says_it_failed_and_why_and_nothing_else(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    run_id = _stored(
        sessions,
        status=PlanRunStatus.FAILED,
        finished_at=NOW,
        solver_status="UNKNOWN",
        metrics={"placed_phases": 0},
        flags={"clashes": [], "remedies": [], "late": []},
        error="no plan was found in the time allowed: 2 s were too few",
    )
    login(client, Role.VIEWER)
    page = shown(client, f"/plan-runs/{run_id}")
    assert (
        "This round failed: no plan was found in the time allowed: 2 s were too few. "
        "It changed no booking."
    ) in page
    for claim in (
        "No remedy needed",
        "No release late",
        "No clash",
        "Every phase has a place",
        "Phases placed",
        "Proposals",
        "No shortfall ahead",
    ):
        assert claim not in page, claim


def test_a_running_round_claims_nothing_yet(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    run_id = _stored(sessions, status=PlanRunStatus.RUNNING, flags={"clashes": []})
    login(client, Role.VIEWER)
    with round_lock(sessions, NOW, 60):  # the round is under way: it holds the lock
        page = shown(client, f"/plan-runs/{run_id}")
    assert "The round is running" in page
    for claim in (
        "No clash",
        "No release late",
        "No remedy needed",
        "Every phase has a place",
        "failed",
    ):
        assert claim not in page, claim


def test_gate_states_differ_in_word_mark_and_colour(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    gates.sign_gate(sessions, GateRef("R1", "R1-SIT", GateKind.ENTRY), actor=None, now=NOW)
    gates.veto_gate(
        sessions, GateRef("R1", "R1-SIT", GateKind.EXIT), actor=None, now=NOW, reason="defects"
    )
    gates.waive_gate(
        sessions, GateRef("R1", "R1-UAT", GateKind.ENTRY), actor=None, now=NOW, reason="not needed"
    )
    login(client, Role.VIEWER)
    body = client.get("/gates?release=R1").get_data(as_text=True)
    badges = dict(
        re.findall(
            r'<span class="badge gate-(\w+)"><span aria-hidden="true">'
            r"(\S+) </span>\1</span>",
            body,
        )
    )
    assert badges == {"signed": "✓", "vetoed": "✗", "waived": "↷", "open": "○"}


def test_a_window_long_past_offers_no_move_and_refuses_one(
    client: FlaskClient, login: Login, estate: PageWorld, sessions: SessionFactory
) -> None:
    with sessions.begin() as session:
        past = ReleaseWindow(name="2026-12", start=day(-30), cutoff=day(-14), go_live=day(-10))
        ahead = ReleaseWindow(name="2027-02", start=day(10), cutoff=day(25), go_live=day(30))
        session.add_all([past, ahead])
        session.flush()
        past_id, ahead_id = past.id, ahead.id
    login(client, Role.RELEASE_MANAGER)
    body = client.get("/release-windows").get_data(as_text=True)
    assert f'id="move-{ahead_id}"' in body and f'id="move-{past_id}"' not in body
    assert "went live 25 Dec 2026" in seen(body)
    refused = client.post(
        "/release-windows/move",
        follow_redirects=True,
        data={
            "csrf_token": csrf_token(client, "/"),
            "window_id": str(past_id),
            "go_live": day(40).isoformat(),
        },
    )
    assert "window 2026-12 went live on 25 Dec 2026; a window in the past does not move" in seen(
        refused.get_data(as_text=True)
    )
