"""What is derived from the whole stored state, kept per state.

The clash report, the KPIs and the capacity forecast read every booking, release and
environment; at an enterprise's size that is most of a page's time, and most loads ask
again about a state that has not changed. ``remember`` keeps each result under the
state's token (``envsched.state_version``: it changes with every committed write) and
works it out again only for a new token. Results are kept in this process, per engine,
the newest ``MAX_ENTRIES`` of them; a result must not be changed by its callers (keep
immutable things, or hand out copies).

Worked out afresh, never kept: in a session that has written and not committed (the
token does not know those writes yet), and when the token's row is missing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlmodel import Session

from envsched.state_version import has_pending_writes, read_token

T = TypeVar("T")
MAX_ENTRIES = 64

_lock = threading.Lock()
_kept: WeakKeyDictionary[Engine, OrderedDict[Hashable, Any]] = WeakKeyDictionary()


def remember(session: Session, name: str, compute: Callable[[Session], T], *args: Hashable) -> T:
    """``compute(session)``, or what it gave for ``name`` and ``args`` on the same state."""
    token = None if _has_own_writes(session) else read_token(session)
    if token is None:
        return compute(session)
    key, kept = (name, args, token), _kept_for(session)
    with _lock:
        if key in kept:
            kept.move_to_end(key)
            return kept[key]
    value = compute(session)
    with _lock:
        kept[key] = value
        while len(kept) > MAX_ENTRIES:
            kept.popitem(last=False)
    return value


def _has_own_writes(session: Session) -> bool:
    if session.new or session.dirty or session.deleted:
        return True
    return has_pending_writes(session.connection())


def _kept_for(session: Session) -> OrderedDict[Hashable, Any]:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _lock:
        return _kept.setdefault(engine, OrderedDict())
