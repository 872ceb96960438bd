"""One look at a health URL, and many at once: what the worker's probe job does.

A probe is a ``GET`` that follows redirects and gives up after ``timeout`` seconds; an
answer of 2xx or 3xx is up, anything else down. What it found is said in words people
read on the environment's page ("HTTP 503 Service Unavailable", "connection refused",
"no answer within 5 seconds"). Nothing here touches the database: probes run outside
any transaction, several at once, so a dead host costs the job one timeout, not one
per environment.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

USER_AGENT = "envsched health check"
MOST_AT_ONCE = 16


@dataclass(frozen=True)
class Probe:
    """What one probe found: ``up``, the answer's HTTP status if there was one, and the
    outcome in words."""

    up: bool
    status_code: int | None
    detail: str


def probe(url: str, timeout: float) -> Probe:
    """``GET url``; never raises for what the network does."""
    try:
        with requests.get(
            url, timeout=timeout, stream=True, headers={"User-Agent": USER_AGENT}
        ) as answer:
            code, reason = answer.status_code, answer.reason or ""
    except requests.Timeout:
        return Probe(False, None, f"no answer within {timeout:g} seconds")
    except requests.TooManyRedirects:
        return Probe(False, None, "too many redirects")
    except requests.RequestException as exc:
        return Probe(False, None, failure_words(exc))
    return Probe(200 <= code < 400, code, f"HTTP {code} {reason}".strip())


def probe_all(targets: Sequence[tuple[int, str]], timeout: float) -> dict[int, Probe]:
    """Probe each ``(key, url)`` at once (at most ``MOST_AT_ONCE`` at a time); by key."""
    if not targets:
        return {}
    with ThreadPoolExecutor(max_workers=min(MOST_AT_ONCE, len(targets))) as pool:
        found = pool.map(lambda target: probe(target[1], timeout), targets)
        return {key: result for (key, _url), result in zip(targets, found, strict=True)}


def failure_words(exc: BaseException) -> str:
    """Why a request got no answer, as a person would say it."""
    for cause in _causes(exc):
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "host name not found"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"certificate not trusted ({cause.verify_message})"
        if isinstance(cause, ssl.SSLError):
            return "secure connection failed"
        if isinstance(cause, ConnectionResetError):
            return "connection reset"
        if isinstance(cause, TimeoutError | socket.timeout):
            return "no answer in time"
    return f"request failed: {type(exc).__name__}"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what caused it, down the chain (urllib3 keeps it in ``reason``)."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return
        yield seen
        reason = getattr(seen, "reason", None)
        seen = (
            seen.__cause__
            or seen.__context__
            or (reason if isinstance(reason, BaseException) else None)
        )
