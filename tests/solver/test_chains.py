"""Ruin and recreate on several chains (``solver.chains``): the chains in child processes
find what one chain finds, keep the stability budget, hear progress each epoch, and
every plan they return is valid by the independent validator."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from solver.chains import EPOCHS, rearrange
from solver.metrics import score
from tests.solver.test_move_budget import queued_on_one_environment
from tests.solver.test_ruin import (
    assert_valid,
    first_come_first_served,
    urgent_release_behind_three,
)


def test_two_chains_put_the_urgent_release_first():
    scenario = urgent_release_behind_three()
    heard: list[tuple[int, int, int]] = []
    best = rearrange(scenario, first_come_first_served(scenario), None, 1, 1.5, 2, heard.append)
    assert score(scenario, "tardiness", best) == (0, 7, 0)
    assert len(heard) == EPOCHS and heard[-1] == (0, 7, 0)
    assert_valid(scenario, best)


def test_two_chains_keep_the_budget():
    scenario = queued_on_one_environment()
    in_force = {b.phase: (b.environment, b.start) for b in scenario.bookings}
    start = score(scenario, "tardiness", in_force)
    best = rearrange(scenario, in_force, 2, 3, 1.5, 2, lambda _cost: None)
    end = score(scenario, "tardiness", best)
    assert end <= start and end[2] <= 2
    assert_valid(scenario, best)


def test_one_chain_runs_without_a_process():
    scenario = urgent_release_behind_three()
    best = rearrange(scenario, first_come_first_served(scenario), None, 1, 1.0, 1, lambda _c: None)
    assert score(scenario, "tardiness", best) == (0, 7, 0)


CHAIN_FOREVER = """
import sys
from solver.chains import rearrange
from tests.solver.test_ruin import first_come_first_served, urgent_release_behind_three
scenario = urgent_release_behind_three()
print("searching", flush=True)
rearrange(scenario, first_come_first_served(scenario), None, 1, 600.0, 2, print)
"""


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_planner_leaves_no_chain_behind():
    planner = subprocess.Popen([sys.executable, "-c", CHAIN_FOREVER], stdout=subprocess.PIPE)
    assert planner.stdout is not None and planner.stdout.readline() == b"searching\n"
    deadline = time.monotonic() + 60
    while not (chains := _children(planner.pid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert chains, "the planner started no chain process"
    time.sleep(1.0)  # past the pool's start, into the search
    planner.kill()
    planner.wait()
    planner.stdout.close()
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in chains) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in chains)
