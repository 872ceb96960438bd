"""What-if changes to and from JSON, driven by the dataclasses' own type hints.

A change is stored (and, later, sent by the API) as a flat JSON object; dates are ISO
strings and tuples are arrays. Decoding checks each value against the field's type and
raises ``InvalidInput`` naming ``<kind>.<field>``, so a bad change never reaches a
scenario. Only the types the change classes use are understood. Numbers and dates are
bounded as everywhere at the edge (``envsched.models.limits``): a number of days by
``MAX_DAYS``, any other number by the database's INTEGER, a date by the calendar.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from typing import Any

from envsched.errors import InvalidInput
from envsched.models.limits import INT_MAX, MAX_DAYS, iso_day, within_calendar
from envsched.planning.whatif.changes import CHANGE_KINDS, Change
from envsched.planning.whatif.release_changes import NewPhase

KINDS: dict[str, type[Change]] = {cls.kind: cls for cls in CHANGE_KINDS}
DAY_FIELDS = ("days", "duration_days", "gap_days", "changeover_days")


def change_to_dict(change: Change) -> dict[str, Any]:
    return {"kind": change.kind, **encode_fields(change)}


def change_from_dict(data: object) -> Change:
    """A change from its JSON; unknown kinds, unknown keys and wrong types name the field."""
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        raise InvalidInput("kind", 'a change is an object with a "kind"')
    cls = KINDS.get(data["kind"])
    if cls is None:
        raise InvalidInput(
            "kind", f"unknown change {data['kind']!r} (kinds: {', '.join(sorted(KINDS))})"
        )
    fields = {k: v for k, v in data.items() if k != "kind"}
    change: Change = cls(**decode_fields(cls, fields, cls.kind, {"NewPhase": NewPhase}))
    return change


def encode_fields(obj: Any) -> dict[str, Any]:
    """The dataclass's fields as JSON values."""
    return {f.name: _encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


def _encode(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return encode_fields(value)
    return value


def decode_fields(
    cls: type[Any], data: dict[str, Any], where: str, nested: dict[str, type[Any]]
) -> dict[str, Any]:
    """Constructor arguments for ``cls`` from ``data``; ``where`` prefixes error fields."""
    hints = typing.get_type_hints(cls, localns=nested)
    known = {f.name: f for f in dataclasses.fields(cls)}
    for key in data:
        if key not in known:
            raise InvalidInput(
                f"{where}.{key}", f"unknown field (fields: {', '.join(sorted(known))})"
            )
    for name, spec in known.items():
        required = (
            spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
        )
        if required and name not in data:
            raise InvalidInput(f"{where}.{name}", "required field is missing")
    return {
        key: _decode(hints[key], value, f"{where}.{key}", nested) for key, value in data.items()
    }


def _decode(hint: Any, value: Any, field: str, nested: dict[str, type[Any]]) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _decode(inner, value, field, nested)
    if origin is tuple:
        if not isinstance(value, list):
            raise InvalidInput(field, f"expected an array, got {value!r}")
        return tuple(
            _decode(args[0], item, f"{field}[{i}]", nested) for i, item in enumerate(value)
        )
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise InvalidInput(field, f"expected an object, got {value!r}")
        made: Any = hint  # a dataclass type: call it with its checked fields
        return made(**decode_fields(made, value, field, nested))
    return _scalar(hint, value, field)


def _scalar(hint: Any, value: Any, field: str) -> Any:
    if hint is dt.date:
        try:
            return within_calendar(iso_day(value))
        except ValueError as exc:
            raise InvalidInput(field, str(exc)) from None
    if hint is int:
        return _whole(value, field)
    if hint is str and not isinstance(value, str):
        raise InvalidInput(field, f"expected a string, got {value!r}")
    return value


def _whole(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(field, f"expected a whole number, got {value!r}")
    bound = MAX_DAYS if field.rsplit(".", 1)[-1] in DAY_FIELDS else INT_MAX
    if abs(value) > bound:
        raise InvalidInput(field, f"must be between {-bound} and {bound}, got {value}")
    return value
