"""Finding a what-if row and rebuilding its two scenarios; shared by the what-if services.

The base scenario is read back from the stored ``envsched-scenario/1`` document, and the
changed one is the base with every stored change applied in order, so what is planned,
compared, exported and promoted is always derived the same way.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from envsched.errors import InvalidInput, InvalidState, NotFound
from envsched.models import User, WhatIf, WhatIfStatus
from envsched.permissions import require
from envsched.planning.whatif.changes import Change, apply_changes
from envsched.planning.whatif.codec import change_from_dict
from solver.scenario import Scenario
from solver.scenario_file import parse_scenario, scenario_to_dict

# Who may make, change and run what-ifs; promoting needs an environment manager.
WhatIfRef = int | str  # the row's id, or its name


def find(session: Session, ref: WhatIfRef, for_update: bool = False) -> WhatIf:
    """The what-if with this id (an int) or name (a string), or ``NotFound``; with
    ``for_update`` its row stays locked until the transaction ends (PostgreSQL)."""
    if isinstance(ref, int):
        row = session.get(WhatIf, ref, with_for_update=for_update)
    else:
        query = select(WhatIf).where(WhatIf.name == ref)
        row = session.exec(query.with_for_update() if for_update else query).first()
    if row is None:
        raise NotFound("what-if", ref)
    return row


def require_editor(actor: User | None) -> None:
    require(actor, "whatif:write")


def require_editable(row: WhatIf) -> None:
    """A running what-if is busy; a promoted one is history."""
    if row.status in (WhatIfStatus.RUNNING, WhatIfStatus.PROMOTED):
        raise InvalidState(f"what-if {row.name!r} is {row.status.value}; it cannot change now")


def valid_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise InvalidInput("name", "must be 1 to 64 characters without spaces")
    return name


def base_scenario(row: WhatIf) -> Scenario:
    return parse_scenario(row.base, source=f"what-if {row.name}")


def stored_changes(row: WhatIf) -> list[Change]:
    return [change_from_dict(data) for data in row.changes]


def changed_scenario(row: WhatIf, changes: list[Change] | None = None) -> Scenario:
    """The base with ``changes`` (default: the stored ones) applied, in order."""
    return apply_changes(base_scenario(row), stored_changes(row) if changes is None else changes)


def changed_scenario_document(row: WhatIf) -> dict[str, Any]:
    """The changed scenario as an ``envsched-scenario/1`` document (what pages and the API
    hand out), so the web layer reaches the solver's file format only through here."""
    return scenario_to_dict(changed_scenario(row))
