"""Solves that wait in a queue for ``envsched worker``: "Re-plan now", the nightly round
and what-if runs.

* ``enqueue``: what the web (and the nightly cron) call; the plan run or what-if is
  recorded at once, marked running, and its solve queued.
* ``queue``: the ``solve_job`` table's verbs: claim the next one atomically, heartbeat,
  settle the solves of a lost worker, cancel, and each open solve's place in the queue.
* ``runner``: one solve carried out in the calling process; ``drain`` runs the queue dry.
* ``worker``: the process edge, which runs each solve in a child process it can stop.
"""

from envsched.solves.enqueue import queue_replan, queue_whatif
from envsched.solves.queue import QueueEntry, cancel, entry_for, open_entries, queued_targets
from envsched.solves.runner import drain
from envsched.solves.worker import run_worker

__all__ = [
    "QueueEntry",
    "cancel",
    "drain",
    "entry_for",
    "open_entries",
    "queue_replan",
    "queue_whatif",
    "queued_targets",
    "run_worker",
]
