"""Every page at two sizes of estate: how long each takes to answer, over real HTTP.

For each size (``--sizes``, default 100 releases / 15 environments and 1,000 / 150), in a
fresh SQLite file, through the real command line: ``envsched db upgrade``, ``envsched
generate --releases N --environments M --seed 3``, ``envsched import`` of that scenario,
and ``envsched user add`` of an environment manager; then ``envsched clashes`` is timed.
The app then runs in this process on waitress (127.0.0.1, a free port) with its clock
three weeks into the generated year (the scenario starts 4 January 2027; "today" then has
bookings around it, as a real estate would), and one signed-in user loads every page
``--loads`` times, one after the other.

Prints one Markdown table: per page the best load at each size and their ratio (large
over small), the large page's first load (nothing kept yet), the CPU time the best loads
and that first one took in this process (the server runs here: time spent waiting for a
busy core does not count), the SQL statements the last load ran (a count no busy machine
can blur) and the large page's size. With the commit and the 1-minute load average (2
cores: above 2, other work competed for them). ``--workdir DIR`` keeps the databases and
reuses them next time.

    .venv/bin/python bench/page_bench.py
    .venv/bin/python bench/page_bench.py --loads 5 --sizes 100x15,1000x150 --pages /,/kpis
    .venv/bin/python bench/page_bench.py --workdir /tmp/pages   # build once, time again
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from page_client import Browser, Load
from report import git_commit, markdown_table
from sqlalchemy import Engine, event
from sqlmodel import col, func, select
from waitress.server import BaseWSGIServer, create_server

from envsched.db import create_engine, read_transaction, session_factory
from envsched.models import LIVE_STATUSES, Booking, Environment, Phase, Release
from envsched.settings import Settings
from web import create_app

ROOT = Path(__file__).resolve().parent.parent
ENVSCHED = [sys.executable, "-m", "envsched"]
USER, PASSWORD = "eric", "page-bench-password"
SEED = 3
TODAY_OFFSET = dt.timedelta(weeks=3)  # "today", counted from the scenario's start
PAGES = [
    "/",
    "/timeline",
    "/capacity",
    "/kpis",
    "/releases",
    "/releases/{release}",
    "/releases/{release}/lifecycle",
    "/release-calendar",
    "/release-calendar?view=gantt",
    "/environments",
    "/environments/{environment}",
    "/environment-types",
    "/bookings/{booking}",
    "/approvals",
    "/requests/new",
    "/freezes",
    "/release-windows",
    "/release-templates",
    "/gates",
    "/what-ifs",
    "/plan-runs",
    "/audit",
    "/account",
]


@dataclass(frozen=True)
class Size:
    releases: int
    environments: int

    @property
    def label(self) -> str:
        return f"{self.releases}x{self.environments}"


@dataclass
class Measured:
    """One size: each page's loads and statement counts, and the CLI's clash report."""

    loads: dict[str, list[Load]]
    statements: dict[str, int]
    clashes_cli_s: tuple[float, float]  # wall, CPU


def main() -> None:
    args = _arguments()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.workdir or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        results = [measure_size(size, folder, args.loads, args.pages) for size in args.sizes]
    print(
        f"Pages at {' and '.join(s.label for s in args.sizes)} (releases x environments), "
        f"best of {args.loads} loads; commit {git_commit(ROOT, paths=('.',))}; "
        f"load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.\n"
    )
    print(table(args.pages, results[0], results[-1]))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="100x15,1000x150", help="two sizes, RELEASESxENVIRONMENTS, small first"
    )
    parser.add_argument("--loads", type=int, default=3, help="loads of each page")
    parser.add_argument(
        "--workdir",
        help="keep the databases here, and use those found there instead of building them again",
    )
    parser.add_argument(
        "--pages",
        default=",".join(PAGES),
        help="comma-separated paths; {release}, {environment} and {booking} "
        "are filled in from the database",
    )
    args = parser.parse_args()
    args.sizes = [Size(*map(int, s.split("x"))) for s in args.sizes.split(",")]
    args.pages = args.pages.split(",")
    return args


def measure_size(size: Size, folder: Path, loads: int, pages: list[str]) -> Measured:
    url, today = build(size, folder)
    print(f"{size.label}: built, timing pages", file=sys.stderr, flush=True)
    clashes_s = timed_cli(url, "clashes")
    with served(url, today) as (port, engine, counter):
        names = examples(engine)
        browser = Browser(port)
        browser.sign_in(USER, PASSWORD)
        measured = Measured({}, {}, clashes_s)
        for page in pages:
            path = page.format(**names)
            measured.loads[page] = []
            for _ in range(loads):
                before = counter[0]
                measured.loads[page].append(_checked(browser.get(path)[0], path))
                measured.statements[page] = counter[0] - before  # the last load's
        browser.close()
    return measured


def _checked(load: Load, path: str) -> Load:
    if load.status != 200:
        raise SystemExit(f"{path} answered {load.status}")
    return load


# -- the estate, through the real command line -------------------------------------------------


def build(size: Size, folder: Path) -> tuple[str, dt.date]:
    """A fresh SQLite database holding the generated estate (or the one built before in
    ``folder``, migrated); its URL and the bench's today."""
    url = f"sqlite:///{folder / size.label}.db"
    scenario = folder / f"{size.label}.json"
    built = scenario.exists() and (folder / f"{size.label}.db").exists()
    cli(url, "db", "upgrade")
    if not built:
        _generate_and_import(url, size, scenario)
    return url, dt.date.fromisoformat(_scenario_start(scenario)) + TODAY_OFFSET


def _generate_and_import(url: str, size: Size, scenario: Path) -> None:
    cli(
        url,
        "generate",
        "--releases",
        str(size.releases),
        "--environments",
        str(size.environments),
        "--seed",
        str(SEED),
        "--out",
        str(scenario),
    )
    cli(url, "import", str(scenario))
    cli(
        url,
        "user",
        "add",
        USER,
        "--role",
        "environment_manager",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )


def _scenario_start(path: Path) -> str:
    return str(json.loads(path.read_text())["start"])


def cli(url: str, *args: str, stdin: str = "", check: bool = True) -> None:
    subprocess.run(
        [*ENVSCHED, *args],
        input=stdin,
        text=True,
        capture_output=True,
        check=check,
        env=os.environ | {"ENVSCHED_DATABASE_URL": url},
    )


def timed_cli(url: str, *args: str) -> tuple[float, float]:
    """Seconds the command takes, start-up included, and the CPU seconds it used (exit 1
    only says clashes were found)."""
    began, cpu = time.perf_counter(), _children_cpu()
    cli(url, *args, check=False)
    return time.perf_counter() - began, _children_cpu() - cpu


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


# -- the app, served in this process -------------------------------------------------------------


@contextmanager
def served(url: str, today: dt.date) -> Iterator[tuple[int, Engine, list[int]]]:
    """The app on waitress, its clock at 09:00 UTC on ``today``; the port, the engine and a
    running count of the SQL statements it has sent."""
    settings = Settings(database_url=url, secret_key="page-bench")
    engine = create_engine(settings)
    counter = [0]
    event.listen(engine, "before_cursor_execute", lambda *_a: _count(counter))
    now = dt.datetime.combine(today, dt.time(9), tzinfo=dt.UTC)
    server = create_server(
        create_app(settings, engine, clock=lambda: now), host="127.0.0.1", port=0, threads=4
    )
    assert isinstance(server, BaseWSGIServer) and server.socket is not None
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server.socket.getsockname()[1], engine, counter
    finally:
        server.task_dispatcher.shutdown()  # let the last answer's thread finish first
        server.close()
        thread.join(timeout=10)
        engine.dispose()


def _count(counter: list[int]) -> None:
    counter[0] += 1


def examples(engine: Engine) -> dict[str, str]:
    """The release, environment and booking whose pages are timed: the busiest ones."""
    with read_transaction(session_factory(engine)) as session:
        live = col(Booking.status).in_(LIVE_STATUSES)
        release = session.exec(
            select(Release.key)
            .join(Phase)
            .join(Booking)
            .where(live)
            .group_by(col(Release.key))
            .order_by(func.count().desc(), col(Release.key))
        ).first()
        environment = session.exec(
            select(Environment.name)
            .join(Booking)
            .where(live)
            .group_by(col(Environment.name))
            .order_by(func.count().desc(), col(Environment.name))
        ).first()
        booking = session.exec(
            select(Booking.id).where(live).order_by(col(Booking.start), col(Booking.id))
        ).first()
    return {"release": str(release), "environment": str(environment), "booking": str(booking)}


# -- the table ------------------------------------------------------------------------------------


def table(pages: list[str], small: Measured, large: Measured) -> str:
    headers = [
        "page",
        "small ms",
        "large ms",
        "ratio",
        "large first ms",
        "small CPU ms",
        "large CPU ms",
        "CPU ratio",
        "large first CPU ms",
        "statements small",
        "statements large",
        "KB large",
    ]
    rows: list[list[object]] = []
    for page in pages:
        s, g = small.loads[page], large.loads[page]
        rows.append(
            [
                f"`{page}`",
                _ms(_best(s)),
                _ms(_best(g)),
                _ratio(_best(g), _best(s)),
                _ms(g[0].seconds),
                _ms(_best_cpu(s)),
                _ms(_best_cpu(g)),
                _ratio(_best_cpu(g), _best_cpu(s)),
                _ms(g[0].cpu_seconds),
                small.statements[page],
                large.statements[page],
                round(g[-1].size / 1024, 1),
            ]
        )
    (small_s, small_cpu), (large_s, large_cpu) = small.clashes_cli_s, large.clashes_cli_s
    rows.append(
        [
            "`envsched clashes` (CLI, start-up included)",
            _ms(small_s),
            _ms(large_s),
            _ratio(large_s, small_s),
            None,
            _ms(small_cpu),
            _ms(large_cpu),
            _ratio(large_cpu, small_cpu),
            None,
            None,
            None,
            None,
        ]
    )
    return markdown_table(headers, rows)


def _best(loads: list[Load]) -> float:
    return min(load.seconds for load in loads)


def _best_cpu(loads: list[Load]) -> float:
    return min(load.cpu_seconds for load in loads)


def _ratio(large: float, small: float) -> float:
    return round(large / small, 1) if small else 0.0


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


if __name__ == "__main__":
    main()
