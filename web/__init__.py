"""The web app: booking pages (``ui``), the REST API (``/api/v1``) and calendar feeds.

``create_app`` builds everything from ``Settings`` when called, never at import: the
engine (unless a test hands one in), the session factory the views use, and the
blueprints. The app never commits by itself: only ``envsched`` services do.
"""

from __future__ import annotations

from flask import Flask, Response
from sqlalchemy import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from envsched.db import create_engine, session_factory
from envsched.settings import Settings
from web import assets, auth, errors, oidc, request_checks
from web.context import Clock, system_clock
from web.health import register_health
from web.secret_key import secret_key

MAX_BODY_BYTES = 1024 * 1024
HSTS = "max-age=31536000"  # a year: browsers then refuse plain HTTP to this host


def create_app(
    settings: Settings | None = None, engine: Engine | None = None, *, clock: Clock = system_clock
) -> Flask:
    """The Flask app on ``settings``' database (or on ``engine``, for tests).

    ``clock`` is the one place the app reads the time; tests pass a fixed one.
    """
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
    )
    _transport(app, settings)
    app.extensions["envsched"] = {
        "settings": settings,
        "sessions": session_factory(engine or create_engine(settings)),
        "clock": clock,
    }
    errors.register(app)
    request_checks.init_app(app)
    auth.init_app(app)
    assets.init_app(app)
    register_health(app)
    _register_blueprints(app)
    oidc.init_app(app, settings)
    return app


def _transport(app: Flask, settings: Settings) -> None:
    """HTTPS installs: cookies only over HTTPS, and browsers told to use nothing else
    (the CSRF token lives in the session, so its cookie is covered). Behind reverse
    proxies, the client's address and scheme come from their X-Forwarded headers."""
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    if not settings.secure_cookies:
        return
    app.config.update(SESSION_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https")

    @app.after_request
    def strict_transport(response: Response) -> Response:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response


def import_views() -> None:
    """Import every view module, and with them the libraries they use (about a second).

    gunicorn's master calls this before it forks, so each worker starts with all of it
    loaded (and shares those pages of memory) instead of importing it on its own.
    Imported here, not at the top: the views import this package's helpers.
    """
    import web.api
    import web.calendar
    import web.openapi
    import web.ui  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    import_views()
    from web.api import api
    from web.calendar import calendar
    from web.openapi import register_openapi
    from web.ui import ui

    app.register_blueprint(ui)
    app.register_blueprint(api, url_prefix="/api/v1")
    app.register_blueprint(calendar)
    register_openapi(app)
