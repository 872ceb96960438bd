"""Migration 0025 keys what a notification tells (``notification.topic``), on SQLite and
PostgreSQL, keeping every notification already told."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from envsched import migrations

USER = (
    "INSERT INTO app_user (id, name, full_name, email, role, active, created_at) "
    "VALUES (1, 'tom', 'Tom Test', 'tom@example.com', 'test_manager', true, "
    "'2026-12-01 00:00:00')"
)
NOTIFICATION = (
    "INSERT INTO notification (user_id, at, event, text, entity, entity_id) "
    "VALUES (1, '2026-12-04 09:00:00', 'request.approved', 'Approved', 'booking_request', '7')"
)


def test_0025_adds_a_topic_to_notifications_and_going_back_drops_it(
    empty_engine: Engine,
) -> None:
    migrations.upgrade(empty_engine, "0024")
    with empty_engine.begin() as c:
        c.execute(text(USER))
        c.execute(text(NOTIFICATION))
    migrations.upgrade(empty_engine, "0025")
    columns = {c["name"] for c in inspect(empty_engine).get_columns("notification")}
    assert "topic" in columns
    with empty_engine.begin() as c:  # told before: no topic
        assert c.execute(text("SELECT topic FROM notification")).scalar_one() is None
        c.execute(text("UPDATE notification SET topic = 'days 2027-03-12/2027-03-21'"))
    migrations.downgrade(empty_engine, "0024")
    columns = {c["name"] for c in inspect(empty_engine).get_columns("notification")}
    assert "topic" not in columns
    with empty_engine.connect() as c:
        assert c.execute(text("SELECT text FROM notification")).scalar_one() == "Approved"
