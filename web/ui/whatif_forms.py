"""The what-if editor's forms: one small form per change kind, read back into a change's JSON.

The forms are derived from the change dataclasses' own fields and type hints, so a new
change kind gets its form without a template edit. Reading a form only collects values
(empty optional fields are left out, numbers that do not parse are passed on as text):
the what-if services validate the change, and their message names the bad field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
import typing
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from envsched.planning import CHANGE_KINDS, NewPhase

TITLES = {
    "add_environment": "Add an environment",
    "remove_environment": "Remove an environment",
    "change_environment": "Change an environment",
    "add_maintenance": "Add a maintenance window",
    "add_release": "Add a release",
    "delay_release": "Delay or advance a release",
    "reprioritise_release": "Re-prioritise a release",
    "drop_release": "Drop a release",
    "change_phase_duration": "Change a phase's duration",
}
LABELS = {
    "id": "Name",
    "type": "Type",
    "capacity": "Capacity",
    "tags": "Tags (comma-separated)",
    "changeover_days": "Changeover days",
    "environment": "Environment",
    "start": "First day",
    "end": "Day after the last",
    "reason": "Reason",
    "name": "Name",
    "priority": "Priority",
    "earliest_start": "Earliest start",
    "due": "Due",
    "release": "Release",
    "days": "Days (negative: advance)",
    "phase": "Phase",
    "duration_days": "Duration (days)",
    "phases": "Phases, one per line: ID TYPE DAYS [GAP]",
}

# A field whose label depends on the change it belongs to.
KIND_LABELS = {("add_release", "id"): "Key"}
# A field an error names: ``changes[1].add_environment.id`` or ``add_environment.id``.
ERROR_FIELD = re.compile(r"^(?:changes\[\d+\]\.)?(\w+)\.(\w+)")


def label_of(kind: str, name: str) -> str:
    return KIND_LABELS.get((kind, name)) or LABELS.get(name, name.replace("_", " ").capitalize())


def error_words(field: str, problem: str) -> str:
    """A what-if change's error as its form names it: "Add an environment, Name:
    environment 'PERF-7' already exists", not "changes[1].add_environment.id: …"."""
    found = ERROR_FIELD.match(field)
    if found is None or found[1] not in TITLES:
        return f"{field}: {problem}"
    kind, name = found[1], found[2]
    return f"{TITLES[kind]}, {label_of(kind, name)}: {problem}"


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    input: str  # text, number, date, list, phases
    required: bool

    def html_id(self, kind: str) -> str:
        return f"{kind}-{self.name}"


@dataclass(frozen=True)
class ChangeForm:
    kind: str
    title: str
    fields: tuple[FormField, ...]


def _input_of(hint: Any) -> str:
    inner = hint
    if typing.get_origin(hint) in (typing.Union, types.UnionType):  # X | None: optional X
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(inner) is tuple:
        return "phases" if typing.get_args(inner)[0] is NewPhase else "list"
    return {int: "number", dt.date: "date"}.get(inner, "text")


def _form(cls: Any) -> ChangeForm:
    hints = typing.get_type_hints(cls, localns={"NewPhase": NewPhase})
    fields = tuple(
        FormField(
            f.name,
            label_of(cls.kind, f.name),
            _input_of(hints[f.name]),
            f.default is dataclasses.MISSING,
        )
        for f in dataclasses.fields(cls)
    )
    return ChangeForm(cls.kind, TITLES.get(cls.kind, cls.kind), fields)


FORMS = tuple(_form(cls) for cls in CHANGE_KINDS)
FORM_BY_KIND = {form.kind: form for form in FORMS}


def change_from_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """The change JSON the form describes (validated later by the what-if services)."""
    kind = form.get("kind", "")
    spec = FORM_BY_KIND.get(kind)
    data: dict[str, Any] = {"kind": kind}
    if spec is None:
        return data
    for field in spec.fields:
        raw = form.get(field.html_id(kind), "").strip()
        if raw or field.required:
            data[field.name] = _value(field.input, raw)
    return data


def _value(kind: str, raw: str) -> Any:
    if kind == "number":
        try:
            return int(raw)
        except ValueError:
            return raw  # the codec names the field: "expected a whole number"
    if kind == "list":
        return [part.strip() for part in raw.split(",") if part.strip()]
    if kind == "phases":
        return [_phase(line) for line in raw.splitlines() if line.strip()]
    return raw


def _phase(line: str) -> dict[str, Any]:
    """``R9-SIT SIT 10 [1]`` -> a new phase's JSON (bad numbers stay text, see ``_value``)."""
    parts = line.split()
    names = ("id", "type", "duration_days", "gap_days")
    values: dict[str, Any] = dict(zip(names, parts, strict=False))
    for key in ("duration_days", "gap_days"):
        if key in values:
            values[key] = _value("number", values[key])
    return values
