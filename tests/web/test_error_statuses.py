"""Domain errors know nothing of HTTP; ``web.errors.STATUS`` gives each code its status."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import envsched
import web
from envsched.booking.rulebook.rules import RuleBroken
from envsched.errors import (
    BlockingGate,
    BookingConflict,
    ConfigError,
    EnvschedError,
    GateConflict,
    GateNotPassed,
    IdempotencyKeyReused,
    InvalidInput,
    InvalidScenario,
    InvalidState,
    NotFound,
    PermissionDenied,
    TooManySignIns,
)
from envsched.lifecycle.flow import InvalidTransition
from envsched.planning.rounds.runlock import ReplanBusy
from envsched.transfer.tables import TransferRejected
from web.api.routing import InvalidRequest
from web.errors import STATUS, status_of

# Modules that act when imported: the command line, and migrations (run by Alembic only).
SKIPPED = ("envsched.__main__", "envsched.migrations.")


def every_error_class() -> list[type[EnvschedError]]:
    """Every subclass of ``EnvschedError`` that ``envsched`` and ``web`` define."""
    for package in (envsched, web):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not module.name.startswith(SKIPPED):
                importlib.import_module(module.name)
    found, todo = [], [EnvschedError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_domain_error_has_a_status_of_its_own_code() -> None:
    classes = every_error_class()
    assert len(classes) >= 16
    assert [cls.__name__ for cls in classes if cls.code not in STATUS] == []


def test_the_domain_errors_carry_no_http_status() -> None:
    assert [cls.__name__ for cls in every_error_class() if hasattr(cls, "http_status")] == []


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (EnvschedError("something"), 400),
        (InvalidInput("start", "in the past"), 400),
        (InvalidScenario("bad scenario"), 400),
        (ConfigError("ENVSCHED_X", "bad"), 400),
        (InvalidRequest("bad body"), 400),
        (PermissionDenied("no"), 403),
        (NotFound("booking", 7), 404),
        (BookingConflict("full"), 409),
        (InvalidState("cancelled"), 409),
        (GateConflict("R1 go/no-go"), 409),
        (GateNotPassed("ready", [BlockingGate("R1 go/no-go", "open", "", "release_manager")]), 409),
        (IdempotencyKeyReused(), 422),
        (TooManySignIns("for ada", 600), 429),
    ],
)
def test_each_error_answers_with_its_status(error: EnvschedError, status: int) -> None:
    assert status_of(error) == status


@pytest.mark.parametrize(
    ("cls", "status"),
    [
        (RuleBroken, 409),
        (InvalidTransition, 409),
        (ReplanBusy, 409),
        (TransferRejected, 400),
    ],
)
def test_errors_defined_by_services_have_their_status(
    cls: type[EnvschedError], status: int
) -> None:
    assert STATUS[cls.code] == status
