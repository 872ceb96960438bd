"""One row per gate, even when two writers define the same new gate at the same moment:
the database refuses the second row and the service names the conflict; on SQLite and
PostgreSQL."""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from envsched.db import SessionFactory, read_transaction
from envsched.errors import GateConflict
from envsched.lifecycle import gates
from envsched.lifecycle.gates import GateRef, GateView
from envsched.models import Gate, GateKind, Phase, Release, Role, User
from tests.envsched.factories import NOW, Factory

EXIT = GateRef("R1", "R1-UAT", GateKind.EXIT)
GO = GateRef("R1", None, GateKind.GO_NO_GO)


@pytest.fixture
def release(make_release: Factory, make_phase: Factory) -> Release:
    row = make_release(key="R1")
    make_phase(row, key="R1-UAT")
    return row


@pytest.fixture
def release_manager(make_user: Factory) -> User:
    return make_user(role=Role.RELEASE_MANAGER)


def stored(sessions: SessionFactory, ref: GateRef) -> list[Gate]:
    with read_transaction(sessions) as session:
        phase = session.exec(select(Phase).where(Phase.key == ref.phase)).first()
        return list(
            session.exec(
                select(Gate).where(
                    Gate.kind == ref.kind, Gate.phase_id == (phase.id if phase else None)
                )
            ).all()
        )


def _wait_for_a_lock_wait(engine: Engine) -> None:
    """Until a PostgreSQL backend of this database waits on a lock (ours, on the row)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with engine.connect() as c:
            if c.execute(query).scalar_one():
                return
        time.sleep(0.05)
    pytest.fail("the service never waited for the other writer's gate row")


def _define_while_another_writer_adds(
    engine: Engine,
    sessions: SessionFactory,
    backend: str,
    release: Release,
    ref: GateRef,
    actor: User,
) -> Future[GateView]:
    """Another writer inserts the gate's row; while its transaction is still open the
    service defines the same gate; then the other writer commits."""
    phase = next((p for p in release_phases(sessions) if p.key == ref.phase), None)
    with engine.connect() as other, ThreadPoolExecutor(1) as pool:
        other.execute(
            text(
                "INSERT INTO gate (release_id, phase_id, kind, criteria, "
                "signoff_role, state, reason) VALUES (:r, :p, :k, 'theirs', "
                "'release_manager', 'open', '')"
            ),
            {"r": release.id, "p": phase.id if phase else None, "k": ref.kind.value},
        )
        done = pool.submit(gates.define_gate, sessions, ref, actor=actor, now=NOW, criteria="ours")
        if backend == "postgresql":
            _wait_for_a_lock_wait(engine)
        other.commit()
        done.exception(timeout=60)
    return done


def release_phases(sessions: SessionFactory) -> list[Phase]:
    with read_transaction(sessions) as session:
        return list(session.exec(select(Phase)).all())


@pytest.mark.parametrize("ref", [EXIT, GO], ids=["exit", "go_no_go"])
def test_two_writers_of_one_new_gate_leave_one_row_and_no_database_error(
    engine: Engine,
    sessions: SessionFactory,
    backend: str,
    release: Release,
    release_manager: User,
    ref: GateRef,
) -> None:
    done = _define_while_another_writer_adds(
        engine, sessions, backend, release, ref, release_manager
    )
    rows = stored(sessions, ref)
    assert len(rows) == 1
    if backend == "postgresql":
        # both inserted; the database kept the first, the service names the conflict
        error = done.exception()
        assert isinstance(error, GateConflict)
        assert error.code == "gate_conflict"
        assert "reload it and try again" in error.message
        assert rows[0].criteria == "theirs"
    else:
        # SQLite serialises writers: ours waited, found their row and changed it
        assert done.result().id == rows[0].id
        assert rows[0].criteria == "ours"


def test_a_gate_defined_twice_in_turn_is_one_row(
    sessions: SessionFactory, release: Release, release_manager: User
) -> None:
    for criteria in ("first", "second"):
        gates.define_gate(sessions, GO, actor=release_manager, now=NOW, criteria=criteria)
    assert [g.criteria for g in stored(sessions, GO)] == ["second"]
