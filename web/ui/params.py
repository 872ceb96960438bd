"""Reading filter values from query strings and forms, forgivingly.

A page filter that cannot be read falls back to its default and says so in a flash
message, rather than failing the whole page: the filters are a convenience, the page
is still useful without them.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import flash, request

from envsched.errors import InvalidInput
from envsched.models.limits import INT_MAX
from web.ui.forms import read_day

ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")  # what <input type="week"> sends: 2027-W09


def text_arg(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    return value or None


def date_arg(name: str, default: dt.date) -> dt.date:
    value = request.args.get(name, "").strip()
    if not value:
        return default
    try:
        return read_day(value)
    except ValueError:
        flash(f"{name}: {value[:40]!r} is not a date (YYYY-MM-DD); showing {default}.", "error")
        return default


def int_arg(name: str, default: int, *, low: int, high: int) -> int:
    value = request.args.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        flash(f"{name}: give a whole number from {low} to {high}; showing {default}.", "error")
        return default
    return number


def form_id(name: str) -> int:
    """The id a form names (a hidden field or a choice): 1 to the database's INTEGER."""
    value = request.form.get(name, "").strip()
    if not value.isdigit() or not 1 <= int(value) <= INT_MAX:
        raise InvalidInput(name, f"not an id: {value[:40]!r}")
    return int(value)


def form_date(name: str) -> dt.date | None:
    """A date form field, or None when empty; a bad date raises ``ValueError``."""
    value = request.form.get(name, "").strip()
    return read_day(value) if value else None


def week_arg(name: str) -> dt.date | None:
    """An ISO week (``2027-W09``) as its Monday, or None when empty or not a week."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    found = ISO_WEEK.match(value)
    try:
        if found is None:
            raise ValueError(value)
        return dt.date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
    except ValueError:
        flash(f"{name}: {value!r} is not a week (such as 2027-W09); showing every week.", "error")
        return None
