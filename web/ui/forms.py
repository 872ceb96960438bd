"""A submitted form read into typed values, with one message per wrong field.

The inventory and user pages show a refused form again as it was typed, each problem
next to its field and listed once above the form. Reading a value that does not parse
notes the problem and carries on, so every bad field is named at once; the service
call is made only when the form reads cleanly, and a service's refusal
(``InvalidInput`` names its field) lands next to that field too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pydantic
from flask import request

from envsched.days import days_text
from envsched.errors import BookingConflict, EnvschedError, InvalidInput, NotFound
from envsched.models.limits import INT_MAX, iso_day, within_calendar
from envsched.serves import serves_text

FORM = "form"  # the key of a problem that belongs to no one field
_SEPARATORS = re.compile(r"[,\s]+")


@dataclass
class Form:
    """What was typed (``values``), what is wrong with it (``errors``), and the labels
    the template and the error summary use. ``prefix`` keeps element ids unique when
    a page holds several forms."""

    labels: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    prefix: str = ""

    @classmethod
    def posted(cls, labels: dict[str, str], prefix: str = "") -> Form:
        # a field sent several times (ticked checkboxes) reads back as a list: words()
        values = {k: ", ".join(request.form.getlist(k)) for k in request.form if k != "csrf_token"}
        return cls(labels, values, prefix=prefix)

    def id(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def label(self, name: str) -> str:
        return self.labels.get(name, "This form")

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    # -- reading values ------------------------------------------------------------------

    def text(self, name: str, *, required: str = "", longest: int | None = None) -> str:
        """The stripped text; empty with ``required`` (the message) is an error, and so
        is more than ``longest`` characters (the column would refuse it)."""
        value = self.values.get(name, "").strip()
        if not value and required:
            self.fail(name, required)
        if longest is not None and len(value) > longest:
            self.fail(name, f"at most {longest} characters, not {len(value)}")
        return value

    def whole(self, name: str, *, low: int, high: int = INT_MAX) -> int:
        """A whole number from ``low`` to ``high`` (``low`` itself when it is wrong); the
        bounds are the API's (``envsched.models.limits``)."""
        raw = self.text(name)
        try:
            number = int(raw)
        except ValueError:
            self.fail(
                name,
                f"{raw[:40]!r} is not a whole number"
                if raw
                else f"give a whole number, {low} or more",
            )
            return low
        if number < low:
            self.fail(name, f"must be {low} or more, not {number}")
            return low
        if number > high:
            self.fail(name, f"must be at most {high}, not {number}")
            return low
        return number

    def date(self, name: str, *, required: bool = True) -> dt.date | None:
        raw = self.text(name)
        if not raw:
            if required:
                self.fail(name, "give a date (YYYY-MM-DD)")
            return None
        try:
            day: dt.date = iso_day(raw)
        except ValueError:
            self.fail(name, f"{raw[:40]!r} is not a date (YYYY-MM-DD)")
            return None
        try:
            return within_calendar(day)
        except ValueError as exc:
            self.fail(name, f"{raw!r}: {exc}")
            return None

    def words(self, name: str) -> list[str]:
        """Comma- or space-separated words, each once, in the order given."""
        return list(dict.fromkeys(w for w in _SEPARATORS.split(self.text(name)) if w))

    def checked(self, name: str) -> bool:
        return name in self.values

    # -- refusals ------------------------------------------------------------------------

    def absorb(
        self, error: EnvschedError | pydantic.ValidationError, rename: dict[str, str] | None = None
    ) -> None:
        """Put a validation error or a service's refusal next to the field it names."""
        rename = rename or {}
        if isinstance(error, pydantic.ValidationError):
            for problem in error.errors():
                name = str(problem["loc"][0]) if problem["loc"] else FORM
                self.fail(rename.get(name, name), problem["msg"])
        elif isinstance(error, InvalidInput):
            self.fail(rename.get(error.field, error.field), error.problem)
        elif isinstance(error, NotFound) and error.fields:
            for name, message in error.fields.items():
                self.fail(rename.get(name, name), message)
        else:
            self.fail(FORM, error.said)


def read_day(text: str) -> dt.date:
    """A typed date as the API reads it: ``YYYY-MM-DD`` within the calendar's bounds;
    ``ValueError`` says what is wrong."""
    day: dt.date = within_calendar(iso_day(text))
    return day


def clash_lines(error: BookingConflict) -> list[str]:
    """The bookings a conflict names, one line each, in words (not by id): what it serves,
    where, its first and last day, its status."""
    return [
        f"{c.serves or serves_text(c.phase)} on {c.environment}, "
        f"{days_text(c.start, c.end)} ({c.status.replace('_', ' ')})"
        for c in error.clashes
    ]
