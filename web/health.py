"""``GET /healthz``: whether this instance can serve, for load balancers and monitors.

No sign-in: it says nothing but whether the database answers and carries the schema
this code needs (the same judgement as the command line's, ``migrations.schema_status``).
200 ``{"status": "ok", …}`` when both hold; 503 with ``reason`` when either does not,
so a balancer takes an instance out whose database is gone or not yet migrated.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify

from envsched import migrations
from web.context import sessions


def register_health(app: Flask) -> None:
    app.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])


def healthz() -> tuple[Response, int]:
    status = migrations.schema_status(sessions().kw["bind"])
    body = {
        "status": "ok" if status.current else "unavailable",
        "database": "reachable" if status.reachable else "unreachable",
        "migrations": {"database": status.revision, "code": status.head, "current": status.current},
    }
    if not status.current:
        body["reason"] = status.problem
    return jsonify(body), 200 if status.current else 503
