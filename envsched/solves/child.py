"""``python -m envsched.solves.child JOB_ID``: one claimed solve, in a process of its own.

The worker starts one per solve so that it can stop a running solve (cancel) by ending
the process, whatever the solver is doing. The child ends itself as soon as its worker
is gone (a worker killed with SIGKILL cannot stop it), so a lost worker's solve stops
too and the next worker settles it as failed.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

from envsched.db import database
from envsched.settings import Settings
from envsched.solves.runner import run_job

ORPHAN_CHECK_SECONDS = 0.2
log = logging.getLogger(__name__)


def watch_parent(parent: int) -> None:
    """End this process at once when its parent (the worker) has gone."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(3)


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
    settings = Settings.from_env()
    with database(settings) as sessions:
        status = run_job(sessions, settings, int(argv[1]))
    log.info("solve %s: %s", argv[1], status.value)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
