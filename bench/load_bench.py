"""Booking API under load: many clients racing for the same environment-days.

Creates a PostgreSQL database for the run, migrates and seeds it (capacity-1 and one
capacity-2 environment, one environment manager with an API token per client), starts
the app with ``envsched serve`` (waitress, or gunicorn's processes) on 127.0.0.1, and
lets ``--clients`` threads send ``--attempts`` direct bookings
(``POST /api/v1/bookings``) on a few contended weeks. Afterwards it checks the database:
no day of any environment holds more live bookings than its capacity, one stored
booking per 201, and no answer was a 5xx. Prints one Markdown table row, with the
machine's 1-minute load average when the clients started and ended (2 cores: above 2,
other work was competing for them), and on stderr the CPU time the clients, the
server and the whole machine spent per request, and when the slowest requests were
sent. ``--trivial`` sends requests the app answers without the database instead: the
most the clients and the HTTP layer can carry.

    .venv/bin/python bench/load_bench.py --clients 20 --attempts 500   # gunicorn 2×4
    .venv/bin/python bench/load_bench.py --server waitress --threads 8
    .venv/bin/python bench/load_bench.py --warmup 5    # each client reads 5 times first
    .venv/bin/python bench/load_bench.py --trivial
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import queue
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from envsched import migrations
from envsched.accounts import tokens, users
from envsched.db import SessionFactory, create_engine, session_factory
from envsched.inventory import environments as inventory
from envsched.inventory.shapes import EnvironmentIn
from envsched.models import LIVE_STATUSES, Booking, Environment, Role
from envsched.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get(
    "ENVSCHED_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
NOW = dt.datetime.now(dt.UTC)
FIRST_DAY = NOW.date() + dt.timedelta(days=30)
CONTENDED_DAYS = 28
REQUEST_TIMEOUT_S = 30
RUN_DEADLINE_S = 300
QUIET_INTERVAL_S, QUIET_CPU_S = 0.5, 0.02  # "quiet": under 4 % of a core for half a second
SLOWEST_SHOWN = 5  # on stderr: when in the run the slowest requests were sent


@dataclass(frozen=True)
class Attempt:
    environment: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Answer:
    status: int  # 0: no HTTP answer (connection error or timeout)
    seconds: float
    sent: float  # time.perf_counter() when the request went out


# -- the database for this run ------------------------------------------------------------


def create_database(name: str) -> str:
    admin = create_engine(Settings(database_url=ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    admin = create_engine(Settings(database_url=ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def seed(sessions: SessionFactory, environments: int, clients: int) -> list[str]:
    """``environments`` capacity-1 UAT environments plus SHARED-1 (capacity 2), and an
    environment manager per client (each client its own user, as separate tools are)."""
    inventory.create_environment_type(sessions, "UAT", actor=None, now=NOW)
    names = [f"UAT-{n + 1}" for n in range(environments)]
    for name in names:
        inventory.create_environment(
            sessions, EnvironmentIn(name=name, type="UAT"), actor=None, now=NOW
        )
    inventory.create_environment(
        sessions, EnvironmentIn(name="SHARED-1", type="UAT", capacity=2), actor=None, now=NOW
    )
    for n in range(clients):
        users.create_user(sessions, f"loader{n}", Role.ENVIRONMENT_MANAGER, actor=None, now=NOW)
    return [*names, "SHARED-1"]


def attempts(environments: list[str], count: int, rng: random.Random) -> list[Attempt]:
    """Bookings of 1 to 3 days on a few weeks of the given environments: most collide."""
    made = []
    for _ in range(count):
        start = FIRST_DAY + dt.timedelta(days=rng.randrange(CONTENDED_DAYS))
        made.append(
            Attempt(rng.choice(environments), start, start + dt.timedelta(days=rng.randint(1, 3)))
        )
    return made


# -- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    kind: str, database_url: str, port: int, threads: int, workers: int, log: IO[bytes]
) -> subprocess.Popen[bytes]:
    """``envsched serve``, as an operator starts it (its pool: a connection per thread).

    Its log goes to the file ``log``: to a pipe nobody reads, the server would block on
    its first write beyond the pipe's buffer (waitress warns of every deep queue)."""
    env = {**os.environ, "ENVSCHED_DATABASE_URL": database_url, "ENVSCHED_SECRET_KEY": "load-bench"}
    command = [
        sys.executable,
        "-m",
        "envsched",
        "serve",
        f"--server={kind}",
        f"--threads={threads}",
        f"--workers={workers}",
        "--host=127.0.0.1",
        f"--port={port}",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    wait_until_up(server, port, log)
    return server


def wait_until_up(server: subprocess.Popen[bytes], port: int, log: IO[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise SystemExit(f"the server exited: {log.read().decode()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/openapi.json")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not answer within 30 s")


def wait_until_quiet(pid: int) -> None:
    """Until the server's processes stop using CPU: gunicorn answers as soon as its first
    worker is up, while the others may still be starting (work no request asked for)."""
    deadline = time.monotonic() + 30
    before = server_cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(QUIET_INTERVAL_S)
        now = server_cpu_seconds(pid)
        if now - before < QUIET_CPU_S:
            return
        before = now


def cpu_seconds() -> float:
    """User and system CPU time of this process: its threads are the clients."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_cpu_seconds(pid: int) -> float:
    """CPU time of the server process and its direct children (gunicorn's workers), from
    /proc (Linux); 0 where there is no /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that ended meanwhile
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def machine_cpu_seconds() -> float:
    """CPU time every process on the machine has spent (PostgreSQL's included), from
    /proc/stat (Linux); 0 where there is no /proc."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    idle, iowait = int(fields[3]), int(fields[4])
    return (sum(int(f) for f in fields[:8]) - idle - iowait) / os.sysconf("SC_CLK_TCK")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# -- the clients --------------------------------------------------------------------------


def run_clients(
    port: int, secrets: list[str], work: list[Attempt], trivial: bool = False, warmup: int = 0
) -> tuple[list[Answer], float]:
    """Every client sends ``warmup`` reads first (not counted); then, all at once, the
    work. Returns the answers to the work and the seconds it took."""
    todo: queue.SimpleQueue[Attempt] = queue.SimpleQueue()
    for attempt in work:
        todo.put(attempt)
    answers: list[Answer] = []
    lock = threading.Lock()
    deadline = time.monotonic() + RUN_DEADLINE_S
    start = threading.Barrier(len(secrets) + 1)
    send = probe if trivial else book
    threads = [
        threading.Thread(
            target=client, args=(port, token, todo, answers, lock, deadline, send, warmup, start)
        )
        for token in secrets
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return answers, time.perf_counter() - began


def client(
    port: int,
    token: str,
    todo: queue.SimpleQueue[Attempt],
    answers: list[Answer],
    lock: threading.Lock,
    deadline: float,
    send: Sender,
    warmup: int,
    start: threading.Barrier,
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for _ in range(warmup):
        connection.request("GET", "/api/v1/environments?type=UAT", headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:  # counted: the run then fails its checks
            with lock:
                answers.append(Answer(response.status, 0.0, time.perf_counter()))
    start.wait()
    while time.monotonic() < deadline:
        try:
            attempt = todo.get_nowait()
        except queue.Empty:
            break
        answer = send(connection, headers, attempt)
        if answer.status == 0:
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
        with lock:
            answers.append(answer)
    connection.close()


def book(
    connection: http.client.HTTPConnection, headers: dict[str, str], attempt: Attempt
) -> Answer:
    body = json.dumps(
        {
            "environment": attempt.environment,
            "start": attempt.start.isoformat(),
            "end": attempt.end.isoformat(),
            "note": "load bench",
        }
    )
    began = time.perf_counter()
    try:
        connection.request("POST", "/api/v1/bookings", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return Answer(response.status, time.perf_counter() - began, began)
    except (OSError, http.client.HTTPException):
        return Answer(0, time.perf_counter() - began, began)


def probe(
    connection: http.client.HTTPConnection, headers: dict[str, str], _attempt: Attempt
) -> Answer:
    """A request the app answers without the database (404 before any token check): what
    the clients and the server's HTTP layer can do at most, nothing of the booking."""
    began = time.perf_counter()
    try:
        connection.request("GET", "/api/v1/no-such-endpoint")
        response = connection.getresponse()
        response.read()
        return Answer(response.status, time.perf_counter() - began, began)
    except (OSError, http.client.HTTPException):
        return Answer(0, time.perf_counter() - began, began)


Sender = Callable[[http.client.HTTPConnection, dict[str, str], Attempt], Answer]


# -- the verdict --------------------------------------------------------------------------


def overbooked_days(sessions: SessionFactory) -> list[str]:
    """Every (environment, day) holding more live bookings than the environment's capacity."""
    problems = []
    with sessions() as session:
        for env in session.exec(select(Environment)).all():
            held: Counter[dt.date] = Counter()
            for booking in session.exec(
                select(Booking).where(
                    Booking.environment_id == env.id, col(Booking.status).in_(LIVE_STATUSES)
                )
            ):
                for n in range((booking.end - booking.start).days):
                    held[booking.start + dt.timedelta(days=n)] += 1
            problems += [
                f"{env.name} {day}: {count} > {env.capacity}"
                for day, count in sorted(held.items())
                if count > env.capacity
            ]
    return problems


def stored_bookings(sessions: SessionFactory) -> int:
    with sessions() as session:
        return len(session.exec(select(Booking.id)).all())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(
    args: argparse.Namespace,
    answers: list[Answer],
    seconds: float,
    problems: list[str],
    stored: int,
    loads: tuple[float, float],
) -> bool:
    statuses = Counter(a.status for a in answers)
    latencies = [a.seconds * 1000 for a in answers]
    failures = sum(n for status, n in statuses.items() if status >= 500 or status == 0)
    server = (
        (
            f"gunicorn {args.workers}×{args.threads}"
            if args.server == "gunicorn"
            else f"waitress ×{args.threads}"
        )
        + (" (404 probe)" if args.trivial else "")
        + (f", warm-up {args.warmup}" if args.warmup else "")
    )
    print(
        "| server | clients | attempts | 201 | 409 | other | 5xx or no answer | seconds "
        "| requests/s | p50 ms | p99 ms | overbooked days | machine load |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    other = len(answers) - statuses[201] - statuses[409] - failures
    print(
        f"| {server} | {args.clients} | {len(answers)} | {statuses[201]} | {statuses[409]} "
        f"| {other} | {failures} | {seconds:.2f} | {len(answers) / seconds:.0f} "
        f"| {statistics.median(latencies):.1f} | {percentile(latencies, 0.99):.1f} "
        f"| {len(problems)} | {loads[0]:.1f}→{loads[1]:.1f} |"
    )
    first = min(a.sent for a in answers)
    for answer in sorted(answers, key=lambda a: -a.seconds)[:SLOWEST_SHOWN]:
        print(
            f"slow: {1000 * answer.seconds:.0f} ms, sent {1000 * (answer.sent - first):.0f} "
            f"ms into the run, answered {answer.status}",
            file=sys.stderr,
        )
    for problem in problems[:20]:
        print(f"overbooked: {problem}", file=sys.stderr)
    if stored != statuses[201]:
        print(f"{stored} bookings stored, but {statuses[201]} answers were 201", file=sys.stderr)
    expected = {404} if args.trivial else {201, 409}
    return (
        not problems
        and set(statuses) <= expected
        and stored == statuses[201]
        and len(answers) == args.attempts
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--attempts", type=int, default=500)
    parser.add_argument(
        "--environments",
        type=int,
        default=4,
        help="capacity-1 environments contended (plus one of capacity 2)",
    )
    parser.add_argument("--server", choices=("waitress", "gunicorn"), default="gunicorn")
    parser.add_argument("--threads", type=int, default=4, help="threads per server process")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--warmup",
        type=int,
        default=0,
        help="reads each client sends before the measured attempts (not "
        "counted): without, the first second of a fresh server counts",
    )
    parser.add_argument(
        "--trivial",
        action="store_true",
        help="send GET requests the app answers 404 without the database "
        "instead of bookings: the ceiling of the clients and HTTP layer",
    )
    args = parser.parse_args()
    name = f"envsched_load_{os.getpid()}"
    url = create_database(name)
    engine = create_engine(Settings(database_url=url))
    try:
        migrations.upgrade(engine)
        with tempfile.TemporaryFile() as log:  # the server's log, read if it fails to start
            ok = measure(args, url, session_factory(engine), log)
    finally:
        engine.dispose()
        drop_database(name)
    return 0 if ok else 1


def measure(args: argparse.Namespace, url: str, sessions: SessionFactory, log: IO[bytes]) -> bool:
    """Seed, start the server, run the clients, stop it; True if every check held."""
    environments = seed(sessions, args.environments, args.clients)
    secrets = [
        tokens.issue_token(sessions, f"loader{n}", actor=None, now=NOW)[1]
        for n in range(args.clients)
    ]
    work = attempts(environments, args.attempts, random.Random(args.seed))
    port = free_port()
    server = start_server(args.server, url, port, args.threads, args.workers, log)
    try:
        wait_until_quiet(server.pid)
        load = os.getloadavg()[0]  # other work on the machine skews every number
        clients_cpu, server_cpu = cpu_seconds(), server_cpu_seconds(server.pid)
        machine_cpu = machine_cpu_seconds()
        answers, seconds = run_clients(port, secrets, work, args.trivial, args.warmup)
        clients_cpu = cpu_seconds() - clients_cpu
        server_cpu = server_cpu_seconds(server.pid) - server_cpu
        machine_cpu = machine_cpu_seconds() - machine_cpu
    finally:
        stop_server(server)
    per_request = 1000 / len(answers)
    print(
        f"CPU per request during the run: clients {clients_cpu * per_request:.2f} ms, "
        f"server {server_cpu * per_request:.2f} ms, the whole machine (PostgreSQL and "
        f"anything else running included) {machine_cpu * per_request:.2f} ms",
        file=sys.stderr,
    )
    return report(
        args,
        answers,
        seconds,
        overbooked_days(sessions),
        stored_bookings(sessions),
        (load, os.getloadavg()[0]),
    )


if __name__ == "__main__":
    sys.exit(main())
