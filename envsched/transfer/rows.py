"""The rows of the transfer files: columns, reading one row's cells, writing stored rows.

``Cells`` reads typed values from one row's text cells, noting a ``RowError`` for each
bad cell instead of stopping, so one pass reports every problem of a file. The
per-kind readers and writers live in ``transfer_kinds``.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlmodel import Session, select

from envsched.models import EnvironmentType

E = TypeVar("E", bound=enum.Enum)
Record = dict[str, Any]
NONE_MARK = "(none)"
_NUMBER = re.compile(r"-?\d+(\.0+)?")


@dataclass(frozen=True)
class RowError:
    """Row ``row`` (as a spreadsheet numbers it), column ``column``: ``problem``."""

    row: int
    column: str
    problem: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.problem}"


@dataclass
class Cells:
    """One row's cells as text, and the problems found reading them."""

    row: int
    texts: dict[str, str]
    errors: list[RowError] = field(default_factory=list)

    def fail(self, column: str, problem: str) -> None:
        self.errors.append(RowError(self.row, column, problem))

    def text(self, column: str, *, required: bool = False, limit: int = 64) -> str:
        value = self.texts.get(column, "")
        if required and not value:
            self.fail(column, "required, but empty")
        elif len(value) > limit:
            self.fail(column, f"longer than {limit} characters")
        return value

    def integer(self, column: str, *, default: int, minimum: int) -> int:
        value = self.texts.get(column, "")
        if not value:
            return default
        if not _NUMBER.fullmatch(value):
            self.fail(column, f"expected a whole number, got {value!r}")
            return default
        number = int(float(value))
        if number < minimum:
            self.fail(column, f"must be at least {minimum}, got {number}")
        return number

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        value = self.texts.get(column, "")
        if not value:
            if required:
                self.fail(column, "required, but empty")
            return None
        try:  # Excel's own dates arrive as "2027-01-04 00:00:00"
            return dt.date.fromisoformat(value.removesuffix(" 00:00:00"))
        except ValueError:
            self.fail(column, f"expected a date YYYY-MM-DD, got {value!r}")
            return None

    def boolean(self, column: str) -> bool:
        value = self.texts.get(column, "").lower()
        if value in ("", "false", "no", "0"):
            return False
        if value in ("true", "yes", "1"):
            return True
        self.fail(column, f"expected true or false, got {value!r}")
        return False

    def choice(self, column: str, enum_class: type[E], default: E) -> E:
        value = self.texts.get(column, "")
        if not value:
            return default
        try:
            return enum_class(value)
        except ValueError:
            choices = ", ".join(str(m.value) for m in enum_class)
            self.fail(column, f"{value!r} is not one of: {choices}")
            return default

    def names(self, column: str) -> list[str]:
        """``a; b`` as a list; an empty cell is an empty list."""
        return [n.strip() for n in self.texts.get(column, "").split(";") if n.strip()]

    def optional_names(self, column: str) -> list[str] | None:
        """None for an empty cell (the default), ``[]`` for ``(none)``, else the names."""
        value = self.texts.get(column, "")
        if not value:
            return None
        return [] if value == NONE_MARK else self.names(column)

    def pairs(self, column: str) -> dict[str, str]:
        """``name=version; name=version`` as a dict."""
        found: dict[str, str] = {}
        for item in self.names(column):
            name, sep, version = item.partition("=")
            if not sep or not name.strip():
                self.fail(column, f"expected name=version, got {item!r}")
            found[name.strip()] = version.strip()
        return found


Parsed = list[tuple[Cells, Record]]


def type_id(session: Session, name: str) -> int:
    """The id of environment type ``name``; a new type is created on first mention."""
    found = session.exec(select(EnvironmentType).where(EnvironmentType.name == name)).first()
    if found is None:
        found = EnvironmentType(name=name)
        session.add(found)
        session.flush()
    assert found.id is not None
    return found.id


def duplicates(parsed: Parsed, column: str) -> list[RowError]:
    first: dict[str, int] = {}
    errors = []
    for cells, record in parsed:
        value = record[column]
        if value in first:
            errors.append(
                RowError(
                    cells.row, column, f"{value!r} is given twice (first on row {first[value]})"
                )
            )
        first.setdefault(value, cells.row)
    return errors


def joined(names: list[str] | None) -> str:
    return "; ".join(names or [])


def optional_joined(names: list[str] | None) -> str:
    if names is None:
        return ""
    return joined(names) if names else NONE_MARK


def iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""
