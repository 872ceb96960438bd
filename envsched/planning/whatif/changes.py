"""What-if changes: small typed edits of a solver Scenario, each checked as it is applied.

A change never touches the database; ``apply`` takes a Scenario and returns a new one
(``dataclasses.replace`` on the frozen solver types) that still reads back through
``parse_scenario``. A change that makes no sense for the scenario raises
``InvalidInput`` naming the field (``delay_release.release``) and what is wrong.

Bookings follow the change: a booking that can no longer exist (its environment or
release is gone, its environment no longer fits the phase, it leaves the horizon) is
dropped, so the solver places that phase afresh; a booking that the change itself
forces to move (a maintenance window over it, a release that slips, a phase that grows,
an environment that shrinks) is kept as the plan in force but no longer pinned.

The kinds live by what they change: ``whatif_environment_changes`` and
``whatif_release_changes``. This module names them all (``Change``, ``CHANGE_KINDS``)
and applies a list of them. Changes are stored as JSON by ``whatif_codec``
(``change_to_dict`` / ``change_from_dict``).
"""

from __future__ import annotations

from collections.abc import Iterable

from envsched.errors import InvalidInput
from envsched.planning.whatif.edits import drop_impossible_bookings
from envsched.planning.whatif.environment_changes import (
    AddEnvironment,
    AddMaintenance,
    ChangeEnvironment,
    RemoveEnvironment,
)
from envsched.planning.whatif.release_changes import (
    AddRelease,
    ChangePhaseDuration,
    DelayRelease,
    DropRelease,
    ReprioritiseRelease,
)
from solver import scenario as sc
from solver.errors import ScenarioError
from solver.scenario_file import parse_scenario, scenario_to_dict

# -- the change kinds: environment changes, then release changes -------------------------

Change = (
    AddEnvironment
    | RemoveEnvironment
    | ChangeEnvironment
    | AddMaintenance
    | AddRelease
    | DelayRelease
    | ReprioritiseRelease
    | DropRelease
    | ChangePhaseDuration
)
CHANGE_KINDS: tuple[type[Change], ...] = (
    AddEnvironment,
    RemoveEnvironment,
    ChangeEnvironment,
    AddMaintenance,
    AddRelease,
    DelayRelease,
    ReprioritiseRelease,
    DropRelease,
    ChangePhaseDuration,
)


# -- applying a list of changes ----------------------------------------------------------


def apply_change(scenario: sc.Scenario, change: Change) -> sc.Scenario:
    """``scenario`` with ``change`` made, its bookings kept consistent, checked readable."""
    changed = drop_impossible_bookings(change.apply(scenario))
    try:
        parse_scenario(scenario_to_dict(changed))
    except ScenarioError as exc:
        raise InvalidInput(change.kind, f"the changed scenario is not valid: {exc}") from None
    return changed


def apply_changes(scenario: sc.Scenario, changes: Iterable[Change]) -> sc.Scenario:
    """Every change in order; an error names the change's place: ``changes[2].days``."""
    for i, change in enumerate(changes):
        try:
            scenario = apply_change(scenario, change)
        except InvalidInput as exc:
            raise InvalidInput(f"changes[{i}].{exc.field}", exc.problem) from None
    return scenario
