"""A release manager sets the stack a phase needs from the phase's edit form (issue 16):
the release page links each phase's form, the form lists the stacks with a member that
serves the phase, a stack beside named environments is refused next to its field, and
the saved stack shows on the release page. Photographed into ``tests/e2e/screenshots/``
(``rita-phase-*``); the phase and the stack are put back afterwards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import col, select

from envsched.db import create_engine, read_transaction, session_factory
from envsched.inventory import StackIn, create_stack, delete_stack
from envsched.lifecycle import update_phase
from envsched.lifecycle.shapes import PhasePatch
from envsched.models import (
    OPEN_RELEASE_STATUSES,
    Environment,
    EnvironmentType,
    Phase,
    Release,
    StackMember,
)
from envsched.settings import Settings
from tests.e2e.conftest import LiveServer
from tests.e2e.test_accessibility import axe_problems
from tests.e2e.test_booking_flow import DEMO, Visit

STACK = "E2E-PHASE-STACK"
DEMO.setdefault("rita", "demo-release-2027")


@pytest.fixture
def chosen(live_server: LiveServer) -> Iterator[tuple[str, str]]:
    """(release, phase): a UAT phase of an open release needing no tags, environments or
    stack, and the stack ``STACK`` of a UAT environment in no stack; put back after."""
    engine = create_engine(Settings(database_url=live_server.database_url))
    sessions = session_factory(engine)
    with read_transaction(sessions) as session:
        uat = session.exec(select(EnvironmentType.id).where(EnvironmentType.name == "UAT")).one()
        in_stacks = select(StackMember.environment_id)
        env = session.exec(
            select(Environment.name)
            .where(Environment.type_id == uat, col(Environment.id).not_in(in_stacks))
            .order_by(col(Environment.name))
        ).first()
        phases = session.exec(
            select(Release.key, Phase)
            .join(Release)
            .where(Phase.type_id == uat, col(Release.status).in_(OPEN_RELEASE_STATUSES))
            .order_by(col(Release.key), col(Phase.position))
        ).all()
        release, phase = next(
            (key, p.key)
            for key, p in phases
            if not p.required_tags and p.environments is None and p.stacks is None
        )
    assert env is not None
    create_stack(sessions, StackIn(name=STACK, members=[env]), actor=None, now=_now())
    yield release, phase
    update_phase(sessions, phase, PhasePatch(stacks=None), actor=None, now=_now())
    delete_stack(sessions, STACK, actor=None, now=_now())
    engine.dispose()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_a_release_manager_sets_the_stack_a_phase_needs(
    browser: Browser, live_server: LiveServer, screenshots: Path, chosen: tuple[str, str]
) -> None:
    release, phase = chosen
    rita = Visit(browser.new_page(), live_server, screenshots, "rita")
    rita.sign_in()
    page = rita.open(f"/releases/{release}", "phase-release")
    page.get_by_role("link", name=f"Edit {phase}").click()
    expect(page.get_by_role("heading", name=f"Edit {phase}", level=1)).to_be_visible()
    box = page.get_by_role("checkbox", name=STACK)
    expect(box).not_to_be_checked()

    box.check()
    page.get_by_label("Only these environments").fill("UAT-1")
    page.get_by_role("button", name=f"Save {phase}").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator("#stacks-error")).to_contain_text(
        "a phase names either its environments or its stacks"
    )
    rita.shot("phase-refused")
    assert axe_problems(page) == []
    assert [e for e in rita.errors if "400 (BAD REQUEST)" in e] == rita.errors != []
    rita.errors.clear()  # the refused form answered 400, as it should

    page.get_by_label("Only these environments").fill("")
    expect(page.get_by_role("checkbox", name=STACK)).to_be_checked()
    page.get_by_role("button", name=f"Save {phase}").click()
    expect(page.get_by_text(f"{phase} is saved.")).to_be_visible()
    expect(page.locator("table").first).to_contain_text(f"a whole stack: {STACK}")
    rita.shot("phase-saved")
    page.get_by_role("link", name=f"Edit {phase}").click()
    expect(page.get_by_role("checkbox", name=STACK)).to_be_checked()
    rita.shot("phase-form")
    rita.assert_clean()
