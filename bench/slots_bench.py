"""How fast the earliest free slots of a booking request are found on the demo bank.

Loads the demo into a fresh SQLite file (or the database named by --database-url),
then times ``find_free_slots`` for every environment type, with and without tags,
for several durations, as a test manager's request form asks while they type.

    .venv/bin/python bench/slots_bench.py [--repeat 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from envsched import migrations
from envsched.booking.free_slots import find_free_slots
from envsched.db import SessionFactory, create_engine, read_transaction, session_factory
from envsched.demo import load_demo
from envsched.settings import Settings

QUERIES = [
    (t, d, tags)
    for t in ("SIT", "UAT", "PERF", "STAGING")
    for d in (3, 10)
    for tags in ((), ("mainframe",))
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = create_engine(Settings(database_url=url))
        migrations.upgrade(engine)
        sessions = session_factory(engine)
        now = dt.datetime.now(dt.UTC)
        load_demo(sessions, now)
        times = measure(sessions, now.date(), args.repeat)
        engine.dispose()
    report(times, url.split(":")[0], args.repeat)


def measure(sessions: SessionFactory, today: dt.date, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        for env_type, days, tags in QUERIES:
            began = time.perf_counter()
            with read_transaction(sessions) as session:
                find_free_slots(session, env_type, days, today, tags=tags)
            times.append((time.perf_counter() - began) * 1000)
    return times


def report(times: list[float], backend: str, repeat: int) -> None:
    ordered = sorted(times)
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    print(
        f"{len(times)} slot searches on the demo bank ({backend}, {repeat} rounds of "
        f"{len(QUERIES)} requests)\n"
    )
    print("| median ms | p99 ms | max ms |\n|---:|---:|---:|")
    print(f"| {statistics.median(times):.1f} | {p99:.1f} | {max(times):.1f} |")


if __name__ == "__main__":
    main()
