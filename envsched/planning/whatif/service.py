"""What-if scenarios for planners: copy the stored state, change it, plan it, compare, promote.

* ``create_whatif`` saves the stored state (``whatif_snapshot.take_copy``: the scenario
  of ``mapping.build_scenario`` and the demand outside it) as the what-if's base; each
  run takes a fresh copy the same way, and the row says when. ``add_change`` /
  ``remove_change`` edit its ordered list of changes, each checked against the scenario
  it would change, so a bad change is refused when it is made, not when it runs.
* ``run_whatif`` / ``start_whatif_run`` (``whatif_run``) plan base and changed scenario;
  ``compare`` shows them side by side. None of this touches a live booking. A run whose
  process died is failed (interrupted) when seen, and can run again (``whatif_claim``).
* ``promote_whatif`` turns the what-if's plan into tentative bookings through
  ``apply_plan_as_tentative`` (one transaction), by an environment manager, and only
  while the stored state is still exactly the base it started from.
* ``export_whatif`` writes the changed scenario as an ``envsched-scenario/1`` file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from envsched.db import SessionFactory, read_transaction
from envsched.errors import InvalidInput, InvalidState
from envsched.models import Booking, User, WhatIf, WhatIfStatus
from envsched.permissions import require
from envsched.planning.mapping import apply_plan_as_tentative, build_scenario
from envsched.planning.whatif.changes import Change
from envsched.planning.whatif.claim import settle_interrupted
from envsched.planning.whatif.codec import change_from_dict, change_to_dict
from envsched.planning.whatif.run import run_whatif, start_whatif_run
from envsched.planning.whatif.snapshot import copy_taken_at, take_copy
from envsched.planning.whatif.store import (
    WhatIfRef,
    base_scenario,
    changed_scenario,
    find,
    require_editable,
    require_editor,
    stored_changes,
    valid_name,
)
from solver.plan_file import parse_plan
from solver.scenario_file import save_scenario, scenario_to_dict

__all__ = [
    "add_change",
    "compare",
    "create_whatif",
    "export_whatif",
    "get_whatif",
    "list_whatifs",
    "promote_whatif",
    "remove_change",
    "run_whatif",
    "start_whatif_run",
]

SECTIONS = ("environments", "freezes", "releases", "bookings", "start", "horizon_days")


def create_whatif(
    sessions: SessionFactory,
    name: str,
    *,
    actor: User | None,
    now: dt.datetime,
    description: str = "",
    start: dt.date | None = None,
    horizon_days: int | None = None,
) -> WhatIf:
    """A new draft what-if whose base is the stored state now; ``name`` must be new."""
    require_editor(actor)
    name = valid_name(name)
    with sessions.begin() as session:
        if session.exec(select(WhatIf).where(WhatIf.name == name)).first() is not None:
            raise InvalidInput("name", f"a what-if named {name!r} already exists")
        base, snapshot = take_copy(session, name, now, start, horizon_days)
        row = WhatIf(
            name=name,
            description=description,
            created_at=now,
            created_by=actor.name if actor else "system",
            base=base,
            snapshot=snapshot.to_dict(),
            changes=[],
        )
        session.add(row)
    return row


def add_change(
    sessions: SessionFactory, ref: WhatIfRef, change: Change | dict[str, Any], *, actor: User | None
) -> WhatIf:
    """Append a change (a change object or its JSON), refused if it does not apply."""
    require_editor(actor)
    made = change if not isinstance(change, dict) else change_from_dict(change)
    with sessions.begin() as session:
        row = find(session, ref)
        require_editable(row)
        changes = [*stored_changes(row), made]
        changed_scenario(row, changes)
        _set_changes(row, changes)
    return row


def remove_change(
    sessions: SessionFactory, ref: WhatIfRef, index: int, *, actor: User | None
) -> WhatIf:
    """Drop the change at ``index`` (from 0); refused if a later change needed it."""
    require_editor(actor)
    with sessions.begin() as session:
        row = find(session, ref)
        require_editable(row)
        changes = stored_changes(row)
        if not 0 <= index < len(changes):
            raise InvalidInput(
                "index", f"what-if {row.name!r} has {len(changes)} changes; no change {index}"
            )
        del changes[index]
        changed_scenario(row, changes)
        _set_changes(row, changes)
    return row


def _set_changes(row: WhatIf, changes: list[Change]) -> None:
    """New changes make the last run's results stale: they are cleared."""
    row.changes = [change_to_dict(c) for c in changes]
    row.status = WhatIfStatus.DRAFT
    row.baseline_plan = row.result_plan = row.comparison = row.progress = None
    row.error = ""


def list_whatifs(sessions: SessionFactory, now: dt.datetime | None = None) -> list[WhatIf]:
    """Every what-if by name; seen ``now``, a run interrupted before then shows as failed."""
    if now is not None:
        settle_interrupted(sessions, now)
    with read_transaction(sessions) as session:
        return list(session.exec(select(WhatIf).order_by(col(WhatIf.name))).all())


def get_whatif(sessions: SessionFactory, ref: WhatIfRef, now: dt.datetime | None = None) -> WhatIf:
    """One what-if; seen ``now``, a run interrupted before then shows as failed."""
    if now is not None:
        settle_interrupted(sessions, now)
    with read_transaction(sessions) as session:
        return find(session, ref)


def describe_changes(row: WhatIf) -> list[str]:
    return [change.describe() for change in stored_changes(row)]


def compare(sessions: SessionFactory, ref: WhatIfRef) -> dict[str, Any]:
    """The comparison of a run what-if, with both plans for the two timelines."""
    row = get_whatif(sessions, ref)
    if row.comparison is None or row.status not in (WhatIfStatus.DONE, WhatIfStatus.PROMOTED):
        raise InvalidState(f"what-if {row.name!r} is {row.status.value}; run it first")
    return {
        "name": row.name,
        "status": row.status.value,
        "changes": describe_changes(row),
        "copy_taken_at": copy_taken_at(row).isoformat(),
        **row.comparison,
        "baseline_plan": row.baseline_plan,
        "whatif_plan": row.result_plan,
    }


def export_whatif(sessions: SessionFactory, ref: WhatIfRef, path: str | Path) -> None:
    """Write the changed scenario, named after the what-if, as an ``envsched-scenario/1``."""
    save_scenario(changed_scenario(get_whatif(sessions, ref)), path)


# -- promotion --------------------------------------------------------------------------


def promote_whatif(
    sessions: SessionFactory, ref: WhatIfRef, *, actor: User | None, now: dt.datetime
) -> list[Booking]:
    """The what-if's plan as tentative bookings; returns them. Environment managers only."""
    require(actor, "whatif:promote")
    row = get_whatif(sessions, ref)
    if row.status != WhatIfStatus.DONE or row.result_plan is None:
        raise InvalidState(
            f"what-if {row.name!r} is {row.status.value}; only a what-if "
            "that has run (status done) can be promoted"
        )
    changed = changed_scenario(row)
    result = parse_plan(row.result_plan, changed, source=f"what-if {row.name}")
    if not result.has_plan:
        raise InvalidState(f"what-if {row.name!r} has no plan to promote ({result.status})")
    _check_live_state_unchanged(sessions, row)
    _check_realisable(row, result.assignments)
    _mark(sessions, row, WhatIfStatus.DONE, WhatIfStatus.PROMOTED, actor=actor, now=now)
    try:
        return apply_plan_as_tentative(sessions, changed, result, now, actor=actor)
    except Exception:
        _mark(sessions, row, WhatIfStatus.PROMOTED, WhatIfStatus.DONE, actor=None, now=None)
        raise


def _check_live_state_unchanged(sessions: SessionFactory, row: WhatIf) -> None:
    base = base_scenario(row)
    with read_transaction(sessions) as session:
        live = scenario_to_dict(
            build_scenario(
                session, start=base.start, horizon_days=base.horizon_days, name=base.name
            ).scenario
        )
    changed = [key for key in SECTIONS if live.get(key) != row.base.get(key)]
    if changed:
        raise InvalidState(
            f"the stored state has changed since what-if {row.name!r} was "
            f"made (its {', '.join(changed)}); make a new what-if from the "
            "current state"
        )


def _check_realisable(row: WhatIf, assignments: Any) -> None:
    """Every placed phase and every environment it uses must exist in the stored state."""
    base = base_scenario(row)
    for a in assignments:
        if a.environment not in base.members:  # an environment or a stack
            raise InvalidState(
                f"what-if {row.name!r} places {a.phase} on {a.environment}, "
                "which exists only in the what-if: add the environment first"
            )
        if a.phase not in base.phase_by_id:
            raise InvalidState(
                f"what-if {row.name!r} places phase {a.phase} of release "
                f"{a.release}, which exists only in the what-if: add the "
                "release first"
            )


def _mark(
    sessions: SessionFactory,
    row: WhatIf,
    old: WhatIfStatus,
    new: WhatIfStatus,
    *,
    actor: User | None,
    now: dt.datetime | None,
) -> None:
    """``old`` -> ``new`` only if the row is still ``old``: one promotion wins, once."""
    with sessions.begin() as session:
        done = session.execute(
            update(WhatIf)
            .where(col(WhatIf.id) == row.id, col(WhatIf.status) == old)
            .values(
                status=new,
                promoted_at=now,
                promoted_by=actor.name if actor else ("system" if now else None),
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(done, "rowcount", 0) != 1:
            raise InvalidState(f"what-if {row.name!r} is no longer {old.value}")
