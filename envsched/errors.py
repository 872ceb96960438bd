"""Named domain errors, raised by services and translated only at the edges.

Each error names what went wrong by its ``code`` (``not_found``, ``booking_conflict`` …)
and carries the plain facts (message, fields, clashes, gates); it knows nothing of HTTP.
The web layer maps each code to a status in one table (``web.errors.STATUS``) and the
CLI maps errors to an exit code and one line on stderr (``envsched.cli.errors``); nothing
in between catches them to guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any


class EnvschedError(Exception):
    """Base of every error a service raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, str] = dict(fields or {})

    @property
    def said(self) -> str:
        """What went wrong as a page tells a person (the API gives ``message``)."""
        return self.message

    def to_dict(self) -> dict[str, Any]:
        """What went wrong as plain data: ``{"code", "message", "fields"}`` and a
        subclass's own facts (the web API answers with it)."""
        return {"code": self.code, "message": self.message, "fields": self.fields}


class NotFound(EnvschedError):
    """The named thing does not exist: ``entity`` and the ``key`` it was looked up by."""

    code = "not_found"

    def __init__(self, entity: str, key: object, *, field: str | None = None) -> None:
        fields = {field: f"no {entity} {key!r}"} if field else None
        super().__init__(f"{entity} {key!r} not found", fields=fields)
        self.entity = entity
        self.key = key


class InvalidInput(EnvschedError):
    """A value a caller gave is wrong: ``field`` names it, the message says why; ``rule``,
    when given, names the rule it breaks (``tags``, ``type`` …) so a refusal can title it
    as the rulebook's refusals are titled (``problem`` is then said without the field)."""

    code = "invalid_input"

    def __init__(self, field: str, problem: str, *, rule: str | None = None) -> None:
        super().__init__(f"{field}: {problem}", fields={field: problem})
        self.field = field
        self.problem = problem
        self.rule = rule

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        if self.rule is not None:
            data.update(rule=self.rule, problem=self.problem)
        return data


@dataclass(frozen=True)
class Clash:
    """A stored booking in the way, as plain values (it outlives the rolled-back session)."""

    booking_id: int
    environment: str
    start: dt.date
    end: dt.date
    status: str
    phase: str | None = None
    serves: str = ""  # what it is for, in words (``envsched.serves``); pages say it

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["serves"]  # the API gives the phase; a client words it itself
        data.update(start=self.start.isoformat(), end=self.end.isoformat())
        return data


class BookingConflict(EnvschedError):
    """A booking would break capacity, changeover, a maintenance window or a freeze.

    ``clashes`` holds the stored bookings it collides with (empty when the obstacle is a
    window or a freeze, which ``reason`` then names); ``field``, when given, names the
    input that caused it (a capacity cut: ``capacity``); ``rule``, when known, names the
    environment's rule it breaks (``capacity``, ``changeover``, ``maintenance``, ``freeze``)
    as the rulebook's refusals name theirs.
    """

    code = "booking_conflict"

    def __init__(
        self,
        reason: str,
        clashes: Sequence[Clash] = (),
        *,
        field: str | None = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(reason, fields={field: reason} if field else None)
        self.reason = reason
        self.clashes = list(clashes)
        self.rule = rule

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["clashes"] = [clash.to_dict() for clash in self.clashes]
        if self.rule is not None:
            data["rule"] = self.rule
        return data


class PermissionDenied(EnvschedError):
    """The acting user's role may not do this. ``said``, when given, is the refusal in a
    person's words (a page shows it; the API's message names the permission)."""

    code = "permission_denied"

    def __init__(self, message: str, *, said: str = "") -> None:
        super().__init__(message)
        self.words = said

    @property
    def said(self) -> str:
        return self.words or self.message


class TooManySignIns(PermissionDenied):
    """Sign-in refused for a while: too many recent failures with this user name or from
    this address. ``retry_after`` says in how many seconds the next try may work."""

    code = "too_many_sign_ins"

    def __init__(self, whose: str, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            f"Too many failed sign-ins {whose}: try again in {minutes} "
            f"minute{'s' if minutes != 1 else ''}."
        )
        self.retry_after = retry_after


class InvalidState(EnvschedError):
    """The thing exists but is in a status that does not allow this verb."""

    code = "invalid_state"


class GateConflict(InvalidState):
    """Someone else wrote the same gate at the same moment (the database kept theirs)."""

    code = "gate_conflict"

    def __init__(self, gate: str) -> None:
        super().__init__(
            f"the {gate} gate was changed by someone else at the same moment; "
            f"reload it and try again",
            fields={"gate": f"{gate}: changed meanwhile"},
        )
        self.gate = gate


@dataclass(frozen=True)
class BlockingGate:
    """A gate in the way of a step, as plain values: ``name`` (``R1-UAT exit``,
    ``R1 go/no-go``), its ``state`` (open or vetoed), the veto's ``reason`` and the role
    whose sign-off it awaits."""

    name: str
    state: str
    reason: str
    signoff_role: str

    def __str__(self) -> str:
        why = f" ({self.reason})" if self.reason else ""
        return f"the {self.name} gate is {self.state}{why}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class GateNotPassed(InvalidState):
    """A lifecycle step (ready, deploy, start a booking) needs gates that are open or
    vetoed; ``gates`` names each, and the message says who may let the step through."""

    code = "gate_not_passed"

    def __init__(self, step: str, gates: Sequence[BlockingGate]) -> None:
        super().__init__(
            f"{step}: {'; '.join(str(g) for g in gates)} — {_needs(gates)}",
            fields={g.name: f"{g.state}{': ' + g.reason if g.reason else ''}" for g in gates},
        )
        self.gates = list(gates)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["gates"] = [gate.to_dict() for gate in self.gates]
        return data


def _needs(gates: Sequence[BlockingGate]) -> str:
    """Who lets the step through: the sign-off role, or the release manager's waiver."""
    if len(gates) > 1:
        return "each needs its sign-off or the release manager's waiver"
    role = gates[0].signoff_role.replace("_", " ")
    if role == "release manager":
        return "it needs the release manager's sign-off or waiver"
    return f"it needs the {role}'s sign-off or the release manager's waiver"


class InvalidScenario(EnvschedError):
    """A scenario file or the stored state cannot become a solver scenario."""

    code = "invalid_scenario"

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


class IdempotencyKeyReused(EnvschedError):
    """An ``Idempotency-Key`` that already answered a different request (another method,
    path or body) within its lifetime."""

    code = "idempotency_key_reused"
    FIELD = "Idempotency-Key"

    def __init__(self) -> None:
        problem = (
            "this key already answered a different request (method, path or body); "
            "use a new key for a new request"
        )
        super().__init__(f"{self.FIELD}: {problem}", fields={self.FIELD: problem})
