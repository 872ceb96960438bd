"""Who holds a claim on long work (a what-if run, the round lock), and when it is abandoned.

A claim records its owner as ``host:pid:token``: the token makes every claim unique, so
taking over a claim can check that it is still the one judged abandoned. A claim is
abandoned when

* its owner is *provably gone*: it was made on this host by a process that no longer
  exists (a claim from another host can only go stale by time), or
* it is *overdue*: older than the work's time limit plus a margin for what the solver's
  limit does not cover (building the model, comparing, writing, sending).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid


def new_owner() -> str:
    """A unique owner for a claim this process makes now."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_gone(owner: str | None) -> bool:
    """True only when ``owner`` ran on this host and its process has ended."""
    parts = (owner or "").split(":")
    if len(parts) < 3 or not parts[-2].isdigit():
        return False
    host = ":".join(parts[:-2])
    return host == socket.gethostname() and not _process_exists(int(parts[-2]))


def overdue(
    started_at: dt.datetime, time_limit_s: float, margin: dt.timedelta, now: dt.datetime
) -> bool:
    return now > started_at + dt.timedelta(seconds=time_limit_s) + margin


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only checks that the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True
