"""What the health feature takes and gives: the URL to probe and an environment's history
of changes. Where its health stands (``HealthOut``) is part of the environment's own
shape, in ``envsched.inventory``. The URL rule (``health_url``) is the one the service,
the API body and the page's form all apply."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field

from envsched.inventory import HealthOut
from envsched.models import HealthState
from envsched.models.base import TEXT_LENGTH
from envsched.models.limits import Input


def health_url(text: str | None) -> str:
    """``text`` stripped, when it is an http:// or https:// URL with a host; empty stays
    empty (no health check). Raises ``ValueError`` saying what is wrong."""
    url = (text or "").strip()
    if not url:
        return ""
    if len(url) > TEXT_LENGTH:
        raise ValueError(f"at most {TEXT_LENGTH} characters")
    if any(c.isspace() for c in url):
        raise ValueError("a URL has no spaces")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"{url[:60]!r} is not an http:// or https:// URL")
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - reading it checks the port is a number in range
    except ValueError:
        raise ValueError(f"{url[:60]!r} has a port that is not a number up to 65535") from None
    if not host:
        raise ValueError(f"{url[:60]!r} names no host")
    return url


class HealthUrlIn(Input):
    url: Annotated[str | None, AfterValidator(health_url)] = Field(
        default=None,
        description="an http:// or https:// URL that answers 2xx or 3xx while the "
        "environment is up; empty or null: no health check",
    )


class HealthChangeOut(BaseModel):
    at: dt.datetime
    state: HealthState
    status_code: int | None
    detail: str


class HealthHistoryOut(BaseModel):
    environment: str
    health: HealthOut | None = Field(description="null: the environment has no health URL")
    history: list[HealthChangeOut] = Field(description="changes of state, newest first")
