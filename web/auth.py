"""Who is asking: the signed-in user (session cookie) or a robot (``Authorization: Bearer``).

``load_user`` runs before every request and sets ``g.user`` (a ``User`` or None) and
``g.auth`` (``"session"``, ``"bearer"`` or None).

Sessions end: the session keeps the user's ``session_version`` from sign-in, and a
session whose version is no longer the user's is refused. Signing out, a new password,
deactivation and a new role change the version (``envsched.accounts.users``), so every
session of the user ends, on every device, copies of the cookie included.

CSRF: every state-changing request that rides on the session cookie must carry the
CSRF token — in the form field ``csrf_token`` (pages) or the ``X-CSRFToken`` header
(scripts calling ``/api/v1`` from a signed-in page). Bearer-authenticated requests are
exempt: a browser never adds that header by itself, so a forged cross-site request
cannot carry it. An anonymous API call is not checked either: it gets 401, not 400.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, Response, after_this_request, g, redirect, request, session, url_for
from flask_wtf.csrf import CSRFProtect

from envsched import accounts
from envsched.accounts import SignInLimits
from envsched.db import read_transaction
from envsched.errors import PermissionDenied
from envsched.models import User
from envsched.permissions import can, refusal_words, roles_with
from web.context import now, sessions, settings
from web.errors import api_error, is_api_request

csrf = CSRFProtect()
logger = logging.getLogger(__name__)
View = TypeVar("View", bound=Callable[..., Any])
BEARER = "bearer "
USER_ID, SESSION_VERSION = "user_id", "session_version"  # keys in the session


def init_app(app: Flask) -> None:
    # We call csrf.protect() ourselves, after we know how the request is authenticated.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session
    csrf.init_app(app)
    app.before_request(load_user)
    app.before_request(check_csrf)


def current_user() -> User | None:
    return cast(User | None, g.get("user"))


def load_user() -> Response | None:
    g.user, g.auth = None, None
    header = request.headers.get("Authorization", "")
    if header.lower().startswith(BEARER):
        return _load_bearer(header[len(BEARER) :].strip())
    user_id = session.get(USER_ID)
    if user_id is not None:
        g.user = _session_user(int(user_id), session.get(SESSION_VERSION))
        g.auth = "session" if g.user else None
        if g.user is None:
            session.clear()
    return None


def _load_bearer(secret: str) -> Response | None:
    try:
        g.user = accounts.user_for_token(sessions(), secret, now=now(), record_use=_after_answer)
    except PermissionDenied as exc:
        return api_error(401, "unauthorized", exc.message)
    g.auth = "bearer"
    return None


def _after_answer(work: Callable[[], None]) -> None:
    """Run ``work`` once the answer has gone out: bookkeeping the caller need not wait for
    (a token's first use in a minute is a write and a commit of its own)."""

    @after_this_request
    def schedule(response: Response) -> Response:
        response.call_on_close(functools.partial(_best_effort, work))
        return response


def _best_effort(work: Callable[[], None]) -> None:
    try:
        work()
    except Exception:  # the answer is sent: nobody is left to tell but the log
        logger.exception("after the answer: %s failed", work)


def _session_user(user_id: int, version: object) -> User | None:
    """The session's user, if still active and the session not ended since sign-in."""
    with read_transaction(sessions()) as db:
        user = db.get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def check_csrf() -> None:
    """CSRF guards what a session cookie may do; bearer calls carry no ambient authority.

    An API call with no signed-in user has nothing a forged request could ride on: it
    is let through to ``requires``, which answers 401 (every API route requires a
    permission). Pages still check it for everyone: the sign-in form is anonymous.
    """
    if g.get("auth") == "bearer":
        return
    if g.get("user") is None and is_api_request():
        return
    csrf.protect()  # does nothing for GET, HEAD, OPTIONS, TRACE


def sign_in(user: User) -> None:
    """Start a fresh session for ``user`` (a new cookie: no session fixation)."""
    session.clear()
    session[USER_ID] = user.id
    session[SESSION_VERSION] = user.session_version
    g.user, g.auth = user, "session"


def sign_out() -> None:
    """End this session and every other session of its user."""
    user = current_user()
    if user is not None and g.get("auth") == "session":
        accounts.end_sessions(sessions(), user.name)
    session.clear()
    g.user, g.auth = None, None


def client_address() -> str:
    """Where the request came from (the proxy's X-Forwarded-For with
    ``ENVSCHED_TRUSTED_PROXIES``): the sign-in throttle counts failures by it."""
    return request.remote_addr or ""


def signin_limits() -> SignInLimits:
    return SignInLimits.from_settings(settings())


def stay_signed_in(changed: User) -> None:
    """After a change that ended ``changed``'s sessions (a new password, a new role): if
    they made it themselves, signed in, this session goes on; copies of it do not."""
    me = current_user()
    if g.get("auth") != "session" or me is None or me.id != changed.id:
        return
    if me.session_version != changed.session_version:
        sign_in(changed)


def requires(permission: str) -> Callable[[View], View]:
    """Refuse the view to anonymous callers (401 / sign-in page) and to roles without
    ``permission`` (403). The permission name is checked against the matrix at import."""
    roles_with(permission)

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return _unauthenticated()
            if not can(user, permission):
                raise PermissionDenied(
                    f"{user.name} ({user.role.value}) may not do this: it needs {permission}",
                    said=refusal_words(user.role, permission),
                )
            return view(*args, **kwargs)

        guarded.permission = permission  # type: ignore[attr-defined]
        return cast(View, guarded)

    return decorate


def _unauthenticated() -> Any:
    if is_api_request():
        return api_error(401, "unauthorized", "sign in, or send Authorization: Bearer <API token>")
    return redirect(url_for("ui.login", next=request.full_path.rstrip("?")))


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a path on this site (no open redirect)."""
    if not target:
        return url_for("ui.dashboard")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("ui.dashboard")
    return target
