"""A scenario built from stored rows, made to read back as an ``envsched-scenario/1`` file.

What-ifs keep their copy of the stored state as a scenario document and read it back on
every page, and ``envsched export --scenario`` writes one for ``envsched plan``. A row
the file's reader refuses (a blank tag or name stored before the edge refused them, a
phase naming an environment that is gone) would make every one of those fail. Instead
each row the reader names is left out, one at a time, and said so (``left_out``): the
environment, release, freeze or booking, and what is wrong with it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from envsched.errors import InvalidScenario
from solver import scenario as sc
from solver.errors import ScenarioError
from solver.scenario_file import parse_scenario, scenario_to_dict

_ROW = re.compile(r"(environments|releases|freezes|bookings)\[(\d+)\]")


def readable(scenario: sc.Scenario, left_out: list[str]) -> sc.Scenario:
    """``scenario`` less each row its file's reader refuses, each noted in ``left_out``."""
    rows = (
        len(scenario.environments)
        + len(scenario.releases)
        + len(scenario.freezes)
        + len(scenario.bookings)
    )
    for _ in range(rows + 1):
        try:
            parse_scenario(scenario_to_dict(scenario), source="stored state")
            return scenario
        except ScenarioError as exc:
            scenario = _without_row(scenario, exc, left_out)
    raise InvalidScenario("the stored state does not make a readable scenario")


def _without_row(scenario: sc.Scenario, exc: ScenarioError, left_out: list[str]) -> sc.Scenario:
    found = _ROW.match(exc.path)
    if found is None:  # the scenario's own start or horizon: nothing to leave out
        raise InvalidScenario(exc.message, path=exc.path, source=exc.source) from exc
    section, index = found.group(1), int(found.group(2))
    rows: list[object] = list(getattr(scenario, section))
    row = rows.pop(index)
    left_out.append(f"{_named(row)}: {exc.path}: {exc.message}")
    kept: dict[str, Any] = {section: tuple(rows)}
    return replace(scenario, **kept)


def _named(row: object) -> str:
    if isinstance(row, sc.Environment):
        return f"environment {row.id}"
    if isinstance(row, sc.Release):
        return f"release {row.id}"
    if isinstance(row, sc.Booking):
        return f"the booking of {row.phase} on {row.environment}"
    return "a freeze"
