"""The bounds every input is checked against at the edge, as shared field types.

The database sets some of them (an ``INTEGER`` column holds a 32-bit signed number on
PostgreSQL) and the calendar the others (day arithmetic on a date near year 9999
overflows). Each input model uses these types instead of a bare ``int``, ``date``,
``bool`` or tag ``str``, so the API, the pages and the OpenAPI document share one rule:

* ``Id`` / ``Count``: a row id, a capacity, a priority: 1 to 2,147,483,647;
* ``Days``: a duration, gap, changeover or horizon in days: 0 to ``MAX_DAYS``;
* ``Day``: an ISO date ``YYYY-MM-DD`` between ``FIRST_DAY`` and ``LAST_DAY`` (``0`` or a
  timestamp is refused, not read as 1970-01-01);
* ``Flag``: ``true`` or ``false`` only (``0`` and ``"yes"`` are refused);
* ``Tag``: one word, stripped; a blank tag is refused;
* ``Name``: a name something is created under: not blank.

Text without NUL bytes or lone surrogates is checked on the raw request instead
(``web.request_checks``): it applies to every string, not to some fields.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)

INT_MAX = 2**31 - 1  # PostgreSQL INTEGER
MAX_DAYS = 3660  # ten years: the longest duration, gap, changeover or horizon
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
TAG_PATTERN = r"^\s*[^\s,]+\s*$"  # one word; surrounding spaces are stripped
NAME_PATTERN = r"\S"  # at least one character that is not a space


def iso_day(value: Any) -> Any:
    """``YYYY-MM-DD`` text becomes a date; a date stays; anything else is refused."""
    if isinstance(value, dt.datetime) or not isinstance(value, str | dt.date):
        raise ValueError("expected a date YYYY-MM-DD")
    if isinstance(value, str):
        if not ISO_DAY.fullmatch(value):
            raise ValueError(f"expected a date YYYY-MM-DD, got {value[:40]!r}")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"no such day {value!r}") from None
    return value


def within_calendar(day: dt.date) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"must be between {FIRST_DAY} and {LAST_DAY}")
    return day


Id = Annotated[int, Field(ge=1, le=INT_MAX)]
Count = Annotated[int, Field(ge=1, le=INT_MAX)]
Position = Annotated[int, Field(ge=0, le=INT_MAX)]
Days = Annotated[int, Field(ge=0, le=MAX_DAYS)]
Day = Annotated[dt.date, BeforeValidator(iso_day), AfterValidator(within_calendar)]
Flag = Annotated[bool, Strict()]
Tag = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=TAG_PATTERN)
]


class Input(BaseModel):
    """A request body or query string: a field it does not have is refused, not ignored
    (the OpenAPI document says ``additionalProperties: false``). The SQLModel inputs
    (``EnvironmentIn`` …) set the same ``extra="forbid"``."""

    model_config = ConfigDict(extra="forbid")


def clean_tags(tags: list[str]) -> list[str]:
    """Stored tags as the edge would take them: stripped, blanks and repeats dropped."""
    return list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))
