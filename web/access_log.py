"""The access log: one line per request, on waitress and gunicorn alike.

``client "METHOD /path" status duration``, logged by ``envsched.access`` at INFO once the
app has answered (the duration is the app's, before the body goes out). The query
string is left out on purpose: a calendar feed's URL carries the user's feed token
there, and a log is read by more people than the token's owner. The path is logged
percent-encoded, so no request can write a line break (or a fake line) into the log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("envsched.access")
PATH_SAFE = "/:@!$&'()*+,;=-._~%"  # what a path may hold as it is; the rest is quoted


class AccessLog:
    """WSGI middleware around the app: ``app.wsgi_app = AccessLog(app.wsgi_app)``."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status = ["500"]  # unless the app starts a response

        def recording(status_line: str, headers: Any, exc_info: Any = None) -> Any:
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, exc_info)

        try:
            return self.app(environ, recording)
        finally:
            log.info("%s", line(environ, status[0], time.perf_counter() - started))


def line(environ: WSGIEnvironment, status: str, seconds: float) -> str:
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    shown = quote(path.encode("latin-1", "replace"), safe=PATH_SAFE)
    method = quote(environ.get("REQUEST_METHOD", "-"), safe="")
    client = environ.get("REMOTE_ADDR") or "-"
    return f'{client} "{method} {shown}" {status} {seconds * 1000:.1f}ms'
