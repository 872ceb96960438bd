"""Single sign-on with OpenID Connect: "Sign in with …" on the sign-in page.

Authlib's Flask client does the protocol: the authorization code flow with ``state``
(kept in the session), a ``nonce`` and PKCE (S256); the ID token's signature (the
provider's published keys), issuer, audience (our client id), expiry and nonce are
checked before anyone is signed in. On top of that, envsched checks that the discovery
document names the configured issuer and, when the provider sends one, the ``iss`` of
the answer (RFC 9207), and that userinfo speaks of the same subject as the ID token.

Whatever fails ends on a page that says what happened and offers to start again, never
an error 500; nobody is signed in. Who the person becomes, and with which role, is
``envsched.accounts.external_users``' decision; the session then works as a local one
(``web.auth.sign_in``: session version, sign-out everywhere).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from joserfc.errors import JoseError

from envsched import accounts
from envsched.accounts import ExternalClaims, RoleMapping
from envsched.errors import ConfigError, EnvschedError
from envsched.settings import Settings
from web.auth import safe_next, sign_in
from web.context import now, sessions, settings

logger = logging.getLogger(__name__)
sso = Blueprint("sso", __name__)
CLIENT = "sso"
NEXT = "sso_next"  # where to go after signing in, kept in the session meanwhile
TIMEOUT_SECONDS = 10


class Refused(Exception):
    """The sign-in stops here: ``message`` for the person, ``status`` for the page."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def init_app(app: Flask, settings: Settings) -> None:
    """Register the provider and the two routes, when ``ENVSCHED_OIDC_ISSUER`` is set."""
    if not settings.oidc_issuer:
        return
    oauth = OAuth(app)
    oauth.register(
        CLIENT,
        client_id=settings.oidc_client_id,
        client_secret=_client_secret(settings),
        server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": settings.oidc_scopes,
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT_SECONDS,
        },
    )
    app.register_blueprint(sso)
    app.context_processor(lambda: {"sso_name": settings.oidc_name})


def _client_secret(settings: Settings) -> str:
    if settings.oidc_client_secret:
        return settings.oidc_client_secret
    try:
        return Path(settings.oidc_client_secret_file).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            "ENVSCHED_OIDC_CLIENT_SECRET_FILE",
            f"cannot read {settings.oidc_client_secret_file}: {exc.strerror}",
        ) from None


def _client() -> Any:
    return current_app.extensions["authlib.integrations.flask_client"].create_client(CLIENT)


@sso.get("/login/sso")
def start() -> Any:
    """Off to the provider, with a fresh state, nonce and PKCE verifier in the session."""
    client = _client()
    try:
        _check_issuer(client)
    except Refused as refused:
        return _refused(refused)
    session[NEXT] = safe_next(request.args.get("next"))
    return client.authorize_redirect(url_for("sso.callback", _external=True))


@sso.get("/login/sso/callback")
def callback() -> Any:
    """Back from the provider: check everything, then sign the person in."""
    target = safe_next(session.get(NEXT))
    try:
        user = accounts.sign_in(sessions(), _verified_claims(), _mapping(), now=now())
    except Refused as refused:
        return _refused(refused)
    except EnvschedError as exc:
        return _refused(Refused(exc.message, 403))
    sign_in(user)
    return redirect(target)


def _verified_claims() -> ExternalClaims:
    client = _client()
    try:
        _check_issuer(client)
        _check_answer_issuer()
        token = client.authorize_access_token()
        return _claims(client, token)
    except MismatchingStateError:
        raise Refused(
            "This answer from the identity provider is not one envsched asked for "
            "(its state does not match this browser's sign-in): it may be old, "
            "used twice or forged. Nobody was signed in."
        ) from None
    except OAuthError as exc:
        raise Refused(
            f"The identity provider did not sign you in: {exc.description or exc.error}.", 403
        ) from None
    except JoseError as exc:
        raise Refused(
            f"The identity provider's ID token failed envsched's checks "
            f"({_jose_words(exc)}). Nobody was signed in."
        ) from None
    except requests.RequestException as exc:
        raise _unreachable(exc) from None
    except (ValueError, KeyError, TypeError) as exc:  # an answer not shaped as the spec says
        logger.exception("single sign-on: an answer envsched cannot read")
        raise Refused(
            f"The identity provider's answer could not be read "
            f"({type(exc).__name__}). Nobody was signed in.",
            502,
        ) from None


def _check_issuer(client: Any) -> None:
    """The discovery document must name the issuer envsched was configured with."""
    expected = settings().oidc_issuer
    try:
        said = client.load_server_metadata().get("issuer")
    except (requests.RequestException, ValueError) as exc:
        raise _unreachable(exc) from None
    if said != expected:
        raise Refused(
            f"The identity provider calls itself {said!r}, not {expected!r} as "
            f"envsched is configured (ENVSCHED_OIDC_ISSUER): nobody can sign in "
            f"with it until an administrator fixes that.",
            502,
        )


def _check_answer_issuer() -> None:
    said = request.args.get("iss")
    if said is not None and said != settings().oidc_issuer:
        raise Refused(
            f"This answer comes from {said!r}, not from the identity provider "
            f"envsched uses. Nobody was signed in."
        )


def _claims(client: Any, token: dict[str, Any]) -> ExternalClaims:
    """The ID token's claims, completed by userinfo (the ID token wins where both speak)."""
    id_claims = token.get("userinfo")
    if not id_claims:
        raise Refused("The identity provider sent no ID token. Nobody was signed in.")
    claims = dict(id_claims)
    if client.load_server_metadata().get("userinfo_endpoint"):
        info = client.userinfo(token=token)
        if info.get("sub") != id_claims["sub"]:
            raise Refused(
                "The identity provider's userinfo speaks of another user than "
                "its ID token. Nobody was signed in."
            )
        claims = {**info, **id_claims}
    return ExternalClaims(
        issuer=str(id_claims["iss"]),
        subject=str(id_claims["sub"]),
        user_name=str(claims.get("preferred_username") or claims.get("email") or ""),
        full_name=str(claims.get("name") or ""),
        email=str(claims.get("email") or ""),
        role_values=_values(claims.get(settings().oidc_role_claim)),
    )


def _values(claim: object) -> tuple[str, ...]:
    if claim is None:
        return ()
    if isinstance(claim, list | tuple):
        return tuple(str(value) for value in claim)
    return (str(claim),)


def _mapping() -> RoleMapping:
    return RoleMapping.from_settings(settings())


def _jose_words(exc: Exception) -> str:
    return str(getattr(exc, "description", "") or exc) or type(exc).__name__


def _unreachable(exc: Exception) -> Refused:
    logger.warning("single sign-on: the identity provider failed: %s", exc)
    return Refused(
        f"envsched could not get an answer from the identity provider at "
        f"{settings().oidc_issuer}. Try again later.",
        502,
    )


def _refused(refused: Refused) -> tuple[str, int]:
    logger.warning("single sign-on refused: %s", refused.message)
    return render_template("sso_refused.html", message=refused.message), refused.status
