"""Classic job-shop benchmarks as envsched scenarios, to check the planner against optima.

A job shop is a special case of environment scheduling: each machine is an environment
of one type with capacity 1, each job a release, each operation a phase that must run on
one of its eligible machines, in the job's order. The objective is the makespan. We read
the two text formats of ``/work/shared/bench`` (see its README):

- JSP (``jsp/*.txt``): ``n m``, then per job ``m`` pairs ``machine duration``, 0-indexed;
- Hurink FJSP (``fjsp/{edata,rdata,vdata}-*.fjs``): ``n m f``, then per job the number of
  operations and per operation ``a`` pairs ``machine duration``, 1-indexed.

Phases have one duration whatever the environment, so only flexible instances whose
alternatives share a duration can be converted; Hurink's do, Brandimarte's ``mk*`` do not
and are refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from solver.scenario import Environment, Phase, Release, Scenario

MACHINE_TYPE = "MACHINE"
START = dt.date(2027, 1, 4)
_RANGE = re.compile(r"^(?P<prefix>[a-z]+-)?(?P<stem>[a-z]+)(?P<first>\d+)-(?P=stem)(?P<last>\d+)$")


@dataclass(frozen=True)
class Operation:
    machines: tuple[int, ...]  # 0-indexed eligible machines
    duration: int


@dataclass(frozen=True)
class JobShop:
    name: str
    machines: int
    jobs: tuple[tuple[Operation, ...], ...]


class UnsupportedInstance(ValueError):
    """An instance envsched cannot express: durations that depend on the machine."""


# -- reading -------------------------------------------------------------------------


def read_jsp(path: Path) -> JobShop:
    """A JSP file: every job visits every machine once, in the order listed."""
    numbers = [int(token) for token in path.read_text().split()]
    jobs, machines = numbers[0], numbers[1]
    pairs = numbers[2:]
    if len(pairs) != 2 * jobs * machines:
        raise ValueError(f"{path}: expected {jobs}×{machines} operations, got {len(pairs) // 2}")
    shop = tuple(
        tuple(
            Operation((pairs[2 * (j * machines + k)],), pairs[2 * (j * machines + k) + 1])
            for k in range(machines)
        )
        for j in range(jobs)
    )
    return JobShop(path.stem, machines, shop)


def read_fjsp(path: Path) -> JobShop:
    """A Hurink FJSP file; refuses an operation whose alternatives differ in duration."""
    tokens = path.read_text().split()
    jobs, machines = int(tokens[0]), int(tokens[1])
    numbers = [int(token) for token in tokens[3:]]  # tokens[2] is the nominal flexibility
    cursor = 0
    shop = []
    for _job in range(jobs):
        count, cursor = numbers[cursor], cursor + 1
        operations = []
        for _op in range(count):
            operation, cursor = _fjsp_operation(path, numbers, cursor)
            operations.append(operation)
        shop.append(tuple(operations))
    if cursor != len(numbers):
        raise ValueError(f"{path}: {len(numbers) - cursor} numbers left after {jobs} jobs")
    return JobShop(path.stem, machines, tuple(shop))


def _fjsp_operation(path: Path, numbers: list[int], cursor: int) -> tuple[Operation, int]:
    alternatives = numbers[cursor]
    pairs = numbers[cursor + 1 : cursor + 1 + 2 * alternatives]
    machines = tuple(dict.fromkeys(machine - 1 for machine in pairs[0::2]))
    durations = set(pairs[1::2])
    if len(durations) != 1:
        raise UnsupportedInstance(
            f"{path.name}: an operation takes {sorted(durations)} depending on the machine; "
            "a phase has one duration on every environment"
        )
    return Operation(machines, durations.pop()), cursor + 1 + 2 * alternatives


# -- converting ----------------------------------------------------------------------


def to_scenario(shop: JobShop, start: dt.date = START) -> Scenario:
    """Machines M1..Mm, jobs J1..Jn with phases J{j}-O{k} in order; minimise the makespan."""
    environments = tuple(
        Environment(id=_machine(k), type=MACHINE_TYPE) for k in range(shop.machines)
    )
    releases = tuple(_job(j, operations) for j, operations in enumerate(shop.jobs, start=1))
    horizon = sum(op.duration for operations in shop.jobs for op in operations)
    return Scenario(
        name=shop.name,
        start=start,
        horizon_days=horizon,
        environments=environments,
        releases=releases,
        objective="makespan",
    )


def _machine(index: int) -> str:
    return f"M{index + 1}"


def _job(number: int, operations: tuple[Operation, ...]) -> Release:
    release = f"J{number}"
    phases = tuple(
        Phase(
            id=f"{release}-O{k}",
            release=release,
            type=MACHINE_TYPE,
            duration=op.duration,
            environments=tuple(_machine(m) for m in op.machines),
        )
        for k, op in enumerate(operations, start=1)
    )
    return Release(id=release, phases=phases, name=f"job {number}")


# -- instances and bounds ------------------------------------------------------------


def load_instance(name: str, data_dir: Path) -> Scenario:
    """``ft06``, ``la16`` … from ``jsp/``; ``edata-la16`` … from ``fjsp/``."""
    jsp = data_dir / "jsp" / f"{name}.txt"
    fjsp = data_dir / "fjsp" / f"{name}.fjs"
    if jsp.exists():
        return to_scenario(read_jsp(jsp))
    if fjsp.exists():
        if not name.startswith(("edata-", "rdata-", "vdata-")):
            raise UnsupportedInstance(
                f"{name}: only Hurink's edata/rdata/vdata FJSP instances "
                "have machine-independent durations"
            )
        return to_scenario(read_fjsp(fjsp))
    raise FileNotFoundError(f"no instance {name!r} in {data_dir}/jsp or {data_dir}/fjsp")


def best_known(data_dir: Path) -> dict[str, int]:
    """Instance name -> best known makespan (the optimum where the instance is closed)."""
    with (data_dir / "best_known.csv").open(newline="") as handle:
        return {row["instance"]: int(row["optimum_or_best_ub"]) for row in csv.DictReader(handle)}


def expand_selection(selection: str) -> list[str]:
    """``"ft10,la16-la18,edata-la16-la17"`` -> ft10, la16, la17, la18, edata-la16, edata-la17."""
    names: list[str] = []
    for item in filter(None, (part.strip() for part in selection.split(","))):
        found = _RANGE.match(item)
        if found is None:
            names.append(item)
            continue
        prefix, stem = found["prefix"] or "", found["stem"]
        width = len(found["first"])
        names += [
            f"{prefix}{stem}{number:0{width}d}"
            for number in range(int(found["first"]), int(found["last"]) + 1)
        ]
    return names
