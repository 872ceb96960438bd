"""The REST API, ``/api/v1``: JSON in and out, one route table per resource.

``ROUTES`` is the whole table; ``register`` turns each row into a Flask rule guarded by
``requires(permission)``, and ``web.openapi`` turns the same rows into the document.
"""

from flask import Blueprint

from web.api import (
    bookings,
    environment_types,
    environments,
    feeds,
    freezes,
    gates,
    kpis,
    lifecycle,
    planruns,
    quotas,
    releases,
    reports,
    requests,
    series,
    solves,
    stacks,
    users,
    whatifs,
)
from web.api.routing import Route, register

ROUTES: list[Route] = [
    *environments.ROUTES,
    *environment_types.ROUTES,
    *freezes.ROUTES,
    *releases.ROUTES,
    *requests.ROUTES,
    *bookings.ROUTES,
    *reports.ROUTES,
    *feeds.ROUTES,
    *gates.ROUTES,
    *kpis.ROUTES,
    *planruns.ROUTES,
    *whatifs.ROUTES,
    *solves.ROUTES,
    *lifecycle.ROUTES,
    *users.ROUTES,
    # booking series (issue 16)
    *series.ROUTES,
    *quotas.ROUTES,
    *stacks.ROUTES,  # issue 16
]

api = Blueprint("api", __name__, url_prefix="/api/v1")
register(api, ROUTES)

__all__ = ["ROUTES", "Route", "api"]
