"""The browser tests' waitress servers, each run on a thread of the test process."""

from __future__ import annotations

import errno

from waitress.server import BaseWSGIServer


def run_until_closed(server: BaseWSGIServer) -> None:
    """``server.run`` for a thread. The test closes the server from its own thread, which
    can pull the socket from under the loop's ``select`` (EBADF): that is how the server
    stops, not a fault of the test."""
    try:
        server.run()
    except OSError as error:
        if error.errno != errno.EBADF:
            raise
