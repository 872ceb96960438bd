"""A signed-in browser, as far as the page benchmark needs one: plain HTTP/1.1 on one
keep-alive connection, the session cookie kept, each answer read to its last byte."""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TIMEOUT_S = 120


@dataclass(frozen=True)
class Load:
    """One page load: the status, how long the answer took, the CPU time this process
    spent meanwhile (the server runs in it; waiting for a busy core does not count), and
    the answer's size in bytes."""

    status: int
    seconds: float
    cpu_seconds: float
    size: int


class Browser:
    """One user's connection to the app at ``127.0.0.1:port``."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
        self.cookies: dict[str, str] = {}

    def get(self, path: str) -> tuple[Load, str]:
        return self._send("GET", path, None)

    def sign_in(self, name: str, password: str) -> None:
        _load, page = self.get("/login")
        found = CSRF.search(page)
        if found is None:
            raise SystemExit("the sign-in page holds no CSRF token")
        form = {"name": name, "password": password, "csrf_token": found.group(1)}
        load, _page = self._send("POST", "/login", urlencode(form))
        if load.status != 302:
            raise SystemExit(f"signing in as {name} answered {load.status}, not a redirect")

    def close(self) -> None:
        self.connection.close()

    def _send(self, method: str, path: str, form: str | None) -> tuple[Load, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        began, cpu = time.perf_counter(), time.process_time()
        self.connection.request(method, path, body=form, headers=headers)
        response = self.connection.getresponse()
        body = response.read()
        load = Load(
            response.status, time.perf_counter() - began, time.process_time() - cpu, len(body)
        )
        self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        return load, body.decode("utf-8", "replace")

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
