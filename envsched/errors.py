"""Named domain errors, raised by services and translated only at the edges.

The web layer maps each class to an HTTP status (``http_status``) and the CLI to an
exit code and one line on stderr; nothing in between catches them to guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any


class EnvschedError(Exception):
    """Base of every error a service raises on purpose."""

    code = "error"
    http_status = 500

    def __init__(self, message: str, *, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, str] = dict(fields or {})

    def to_dict(self) -> dict[str, Any]:
        """The API's one error shape: ``{"code", "message", "fields"}``."""
        return {"code": self.code, "message": self.message, "fields": self.fields}


class NotFound(EnvschedError):
    """The named thing does not exist: ``entity`` and the ``key`` it was looked up by."""

    code = "not_found"
    http_status = 404

    def __init__(self, entity: str, key: object, *, field: str | None = None) -> None:
        fields = {field: f"no {entity} {key!r}"} if field else None
        super().__init__(f"{entity} {key!r} not found", fields=fields)
        self.entity = entity
        self.key = key


class InvalidInput(EnvschedError):
    """A value a caller gave is wrong: ``field`` names it, the message says why."""

    code = "invalid_input"
    http_status = 400

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}", fields={field: problem})
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class Clash:
    """A stored booking in the way, as plain values (it outlives the rolled-back session)."""

    booking_id: int
    environment: str
    start: dt.date
    end: dt.date
    status: str
    phase: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(start=self.start.isoformat(), end=self.end.isoformat())
        return data


class BookingConflict(EnvschedError):
    """A booking would break capacity, changeover, a maintenance window or a freeze.

    ``clashes`` holds the stored bookings it collides with (empty when the obstacle is a
    window or a freeze, which ``reason`` then names); ``field``, when given, names the
    input that caused it (a capacity cut: ``capacity``).
    """

    code = "booking_conflict"
    http_status = 409

    def __init__(self, reason: str, clashes: Sequence[Clash] = (), *,
                 field: str | None = None) -> None:
        super().__init__(reason, fields={field: reason} if field else None)
        self.reason = reason
        self.clashes = list(clashes)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["clashes"] = [clash.to_dict() for clash in self.clashes]
        return data


class PermissionDenied(EnvschedError):
    """The acting user's role may not do this."""

    code = "permission_denied"
    http_status = 403


class InvalidState(EnvschedError):
    """The thing exists but is in a status that does not allow this verb."""

    code = "invalid_state"
    http_status = 409


class GateConflict(InvalidState):
    """Someone else wrote the same gate at the same moment (the database kept theirs)."""

    code = "gate_conflict"

    def __init__(self, gate: str) -> None:
        super().__init__(f"the {gate} gate was changed by someone else at the same moment; "
                         f"reload it and try again", fields={"gate": f"{gate}: changed meanwhile"})
        self.gate = gate


class InvalidScenario(EnvschedError):
    """A scenario file or the stored state cannot become a solver scenario."""

    code = "invalid_scenario"
    http_status = 400

    def __init__(self, message: str, *, path: str = "", source: str = "") -> None:
        super().__init__(message, fields={path: message} if path else None)
        self.path = path
        self.source = source


class ConfigError(EnvschedError):
    """An ``ENVSCHED_*`` variable has a bad value; the message names the variable."""

    code = "config_error"

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}", fields={variable: problem})
        self.variable = variable
