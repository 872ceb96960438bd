"""bench/load_bench.py end to end, small: its clients race through a real gunicorn server
on PostgreSQL, and its own checks (no day over capacity, one stored booking per 201, only
201 and 409 answers, every attempt answered) decide its exit status. Nothing here is
about speed: the numbers it prints are not read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("server", ["gunicorn", "waitress"])
def test_the_load_bench_finds_every_check_held(server: str) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "bench/load_bench.py",
            "--clients",
            "6",
            "--attempts",
            "60",
            "--environments",
            "2",
            f"--server={server}",
            "--threads=2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    row = done.stdout.splitlines()[-1].split("|")
    answered, created, clashed = int(row[3]), int(row[4]), int(row[5])
    assert answered == 60 and created + clashed == 60 and created > 0 and clashed > 0
    assert row[12].strip() == "0"  # overbooked days
