"""Typed, path-tracking access to JSON documents, shared by the scenario and plan files.

Every read names the field it reads (``releases[3].phases[1].type``), so an error can say
exactly where a file is wrong; file reading and writing live here too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from solver.errors import ScenarioError

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def describe(value: object) -> str:
    """A JSON value as an error message shows it: its kind, and the value when short."""
    if value is None or isinstance(value, bool):
        return json.dumps(value) if value is None else f"boolean {json.dumps(value)}"
    if isinstance(value, str):
        return f"string {quote(value)}"
    if isinstance(value, int | float):
        return f"number {value}"
    return "an array" if isinstance(value, list) else "an object"


def _short(number: int) -> str:
    """A number for a message; a huge one by its size (Python refuses to print some)."""
    return str(number) if abs(number) < 10**18 else "a number of 19 digits or more"


def quote(name: str) -> str:
    return repr(name if len(name) <= 40 else name[:37] + "...")


def listing(names: Iterable[str], limit: int = 12) -> str:
    """Sorted names for a message, cut short when there are many."""
    found = sorted(set(names))
    shown = ", ".join(found[:limit]) or "none"
    return f"{shown}, … ({len(found) - limit} more)" if len(found) > limit else shown


class Reader:
    """One JSON object being read: every error it raises names the field's path."""

    def __init__(self, data: object, path: str, source: str) -> None:
        self.path, self.source = path, source
        if not isinstance(data, dict):
            raise ScenarioError(f"expected an object, got {describe(data)}", path, source)
        self.data: dict[str, Any] = data

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, message: str) -> NoReturn:
        raise ScenarioError(message, self.at(key), self.source)

    def check_keys(self, allowed: Sequence[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.fail(
                    str(key),
                    f"unknown key {quote(str(key))} (allowed: {', '.join(sorted(allowed))})",
                )

    def has(self, key: str) -> bool:
        return key in self.data

    def value(self, key: str) -> object:
        if key not in self.data:
            self.fail(key, "required key is missing")
        return self.data[key]

    def expect(self, key: str, wanted: str) -> NoReturn:
        self.fail(key, f"expected {wanted}, got {describe(self.data[key])}")

    def text(self, key: str, default: str | None = None, nonempty: bool = False) -> str:
        if default is not None and key not in self.data:
            return default
        value = self.value(key)
        if not isinstance(value, str):
            self.expect(key, "a string")
        if nonempty and not value.strip():
            self.fail(key, "must not be empty")
        return value

    def integer(
        self,
        key: str,
        minimum: int | None = None,
        default: int | None = None,
        maximum: int | None = None,
    ) -> int:
        if default is not None and key not in self.data:
            return default
        value = self.value(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.expect(key, "an integer")
        if minimum is not None and value < minimum:
            self.fail(key, f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            self.fail(key, f"must be at most {maximum}, got {_short(value)}")
        return value

    def number(self, key: str) -> float:
        value = self.value(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.expect(key, "a number")
        return value

    def boolean(self, key: str, default: bool | None = None) -> bool:
        if default is not None and key not in self.data:
            return default
        value = self.value(key)
        if not isinstance(value, bool):
            self.expect(key, "true or false")
        return value

    def date(self, key: str) -> dt.date:
        value = self.value(key)
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            self.expect(key, "a date YYYY-MM-DD")
        try:
            return dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        except ValueError as exc:
            self.fail(key, f"no such date {quote(value)} ({exc})")

    def date_between(self, key: str, first: dt.date, last: dt.date) -> dt.date:
        date = self.date(key)
        if not first <= date <= last:
            self.fail(key, f"must be between {first} and {last}, got {date}")
        return date

    def array(self, key: str) -> list[Any]:
        """The array at ``key``; an absent array is empty."""
        value = self.data.get(key, [])
        if not isinstance(value, list):
            self.expect(key, "an array")
        return value

    def texts(self, key: str) -> list[str]:
        items = self.array(key)
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{key}[{i}]", f"expected a non-empty string, got {describe(item)}")
        return items

    def objects(self, key: str, allowed: Sequence[str]) -> list[Reader]:
        self.value(key)
        readers = [
            Reader(item, self.at(f"{key}[{i}]"), self.source)
            for i, item in enumerate(self.array(key))
        ]
        for reader in readers:
            reader.check_keys(allowed)
        return readers

    def optional_objects(self, key: str, allowed: Sequence[str]) -> list[Reader]:
        return self.objects(key, allowed) if key in self.data else []


def read_format(top: Reader, expected: str) -> None:
    """Checked before any other key, so a file of the wrong kind says so first."""
    if top.value("format") != expected:
        top.expect("format", quote(expected))


def read_json(path: str | Path) -> object:
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read the file ({exc.strerror})", "", source) from exc
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text (invalid byte at offset {exc.start})"
        raise ScenarioError(message, "", source) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise ScenarioError(message, "", source) from exc
    except RecursionError:
        # Python's parser gives up near its recursion limit (about 1,000 levels); no
        # scenario or plan nests deeper than five.
        raise ScenarioError(
            "not readable: arrays or objects nested too deeply", "", source
        ) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise ScenarioError(f"not readable: {exc}", "", source) from exc


def write_json(data: dict[str, Any], path: str | Path) -> None:
    Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# -- reading a scenario ----------------------------------------------------------------
