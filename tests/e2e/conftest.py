"""Browser tests: Debian's Chromium driven by Playwright against a real waitress server.

The server runs in a thread of the test process on a free port, over a SQLite file
loaded with the demo bank (dated to this week, as ``make run`` does): a copy of the
process's ``demo_template``, as is every other demo server of the browser tests. Chromium must be
installed at ``/usr/bin/chromium`` (``apt-get install chromium``): when it is missing the
tests fail, never skip. Playwright's own browser downloads are not used.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, expect
from sqlmodel import col, select

from envsched.db import SessionFactory, create_engine, read_transaction, session_factory
from envsched.models import LIVE_STATUSES, Booking, Phase, Release, ReleaseStatus
from envsched.settings import Settings
from envsched.solves.worker import Worker
from tests.e2e.servers import copy_demo, make_demo_template, serving
from web import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
# Waits for what a page shows: Playwright's 5 s default is short when test processes
# (pytest -n 2) and Chromium share two loaded cores and a page first runs Plotly's 4 MB.
expect.set_options(timeout=20_000)


@dataclass(frozen=True)
class LiveServer:
    url: str
    phase: str  # an unbooked phase of a planned release, for the scenario to request
    release: str
    database_url: str = ""  # the server's SQLite file, for tests that look behind the pages


def answer_with(questions: list[str], accept: bool) -> Callable[[Dialog], None]:
    """A page's dialog handler: notes the question in ``questions``, then says yes or no."""

    def answer(dialog: Dialog) -> None:
        questions.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    return answer


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"the browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo bank, loaded once a test process; each server of it serves a copy."""
    return make_demo_template(tmp_path_factory.mktemp("e2e-demo") / "envsched.db")


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, demo_template: Path
) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory.mktemp("e2e"), demo_template) as server:
        yield server


@contextmanager
def demo_server(directory: Path, template: Path) -> Iterator[LiveServer]:
    """A server and its worker over a fresh copy of the demo bank in ``directory``."""
    url = copy_demo(template, directory)
    settings = Settings(database_url=url, secret_key="e2e-secret-key")
    engine = create_engine(settings)
    sessions = session_factory(engine)
    phase, release = _unbooked_phase(sessions)
    with serving(create_app(settings, engine=engine)) as base, worker_beside(settings, sessions):
        yield LiveServer(base, phase, release, settings.database_url)
    engine.dispose()


@contextmanager
def worker_beside(settings: Settings, sessions: SessionFactory) -> Iterator[None]:
    """A real worker (``envsched worker``'s loop) on a thread, running what pages queue."""
    stop = threading.Event()
    worker = threading.Thread(
        target=Worker(replace(settings, worker_poll_seconds=0.2), sessions).run,
        args=(stop,),
        daemon=True,
    )
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join(timeout=30)


def _unbooked_phase(sessions: Any) -> tuple[str, str]:
    """The first phase of a planned release that has no live booking yet."""
    with read_transaction(sessions) as session:
        booked = set(
            session.exec(
                select(Booking.phase_id).where(col(Booking.status).in_(LIVE_STATUSES))
            ).all()
        )
        planned = session.exec(
            select(Release)
            .where(Release.status == ReleaseStatus.PLANNED)
            .order_by(col(Release.earliest_start))
        ).all()
        for release in planned:
            phases: list[Phase] = list(release.phases)
            if phases and phases[0].id not in booked:
                return phases[0].key, release.key
    raise AssertionError("the demo bank has no planned release with an unbooked first phase")


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


WAIT_MS = 120_000  # for a round or a what-if run on a loaded machine


@pytest.fixture(scope="session")
def crawl_world(browser: Browser, live_server: LiveServer) -> None:
    """``make_crawl_world`` on the shared server, once."""
    make_crawl_world(browser, live_server.url)


def make_crawl_world(browser: Browser, base: str) -> None:
    """A dry-run round (it changes no booking the other browser tests look at) and a run
    what-if on the server at ``base``, so the crawls reach a plan run's page and a
    what-if's comparison."""
    page = browser.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill("demo-admin-2027")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/plan-runs")
    page.get_by_label("Dry run (record, propose nothing)").check()
    page.locator("#replan-now").click()
    expect(page.locator("#started-by")).to_contain_text("Re-plan now by")
    expect(page.get_by_text("The round is running")).to_have_count(0, timeout=WAIT_MS)
    page.goto(f"{base}/what-ifs")
    page.get_by_label("Name").fill("crawl-check")
    page.get_by_role("button", name="New what-if from the current state").click()
    page.get_by_label("Solver seconds (whole run)").fill("2")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#comparison-table")).to_be_visible(timeout=WAIT_MS)
    page.close()
