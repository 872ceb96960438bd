"""Users (admins only) and API tokens (admins, or users for their own), by user name.

A token's secret is in the 201 answer that issued it and nowhere else: listings show
the token's label and dates, never the secret or its hash.
"""

from __future__ import annotations

from sqlmodel import col, select

from envsched import accounts
from envsched.accounts import TokenIn, TokenIssuedOut, TokenOut, UserIn, UserOut, UserPatch
from envsched.db import read_transaction
from envsched.errors import NotFound, PermissionDenied
from envsched.models import ApiToken, User
from envsched.permissions import can
from web.api.routing import JSON, Route, actor
from web.auth import stay_signed_in
from web.context import now, sessions


def _user(row: User) -> JSON:
    return UserOut.model_validate(
        row.model_dump() | {"signs_in_with_password": row.password_hash is not None}
    ).model_dump(mode="json")


def _token(row: ApiToken) -> JSON:
    return TokenOut.model_validate(row.model_dump() | {"label": row.name}).model_dump(mode="json")


# -- users ----------------------------------------------------------------------------------


def list_users() -> list[JSON]:
    with read_transaction(sessions()) as session:
        return [_user(row) for row in session.exec(select(User).order_by(col(User.name)))]


def get_user(name: str) -> JSON:
    return _user(accounts.find_user(sessions(), name))


def create_user(body: UserIn) -> JSON:
    added = accounts.create_user(
        sessions(),
        body.name,
        body.role,
        actor=actor(),
        now=now(),
        password=body.password,
        full_name=body.full_name,
        email=body.email,
    )
    return _user(added)


def update_user(name: str, body: UserPatch) -> JSON:
    changed = accounts.update_user(
        sessions(),
        name,
        actor=actor(),
        now=now(),
        role=body.role,
        active=body.active,
        full_name=body.full_name,
    )
    stay_signed_in(changed)
    return _user(changed)


# -- API tokens -----------------------------------------------------------------------------


def _token_owner(name: str) -> User:
    """The user ``name``, if the caller may manage their tokens: admins, or they themself."""
    me = actor()
    if me.name != name and not can(me, "users:admin"):
        raise PermissionDenied(f"{me.name} may manage only their own API tokens")
    return accounts.find_user(sessions(), name)


def list_tokens(name: str) -> list[JSON]:
    owner = _token_owner(name)
    with read_transaction(sessions()) as session:
        rows = session.exec(
            select(ApiToken).where(ApiToken.user_id == owner.id).order_by(col(ApiToken.id))
        ).all()
        return [_token(row) for row in rows]


def issue_token(name: str, body: TokenIn) -> JSON:
    _token_owner(name)
    expires = accounts.token_expiry(body.valid_until, now=now())
    token, secret = accounts.issue_token(
        sessions(), name, actor=actor(), now=now(), label=body.label, expires_at=expires
    )
    return _token(token) | {"secret": secret}


def revoke_token(name: str, token_id: int) -> JSON:
    owner = _token_owner(name)
    with read_transaction(sessions()) as session:
        token = session.get(ApiToken, token_id)
    if token is None or token.user_id != owner.id:
        raise NotFound(f"API token of {name}", token_id)
    accounts.revoke_token(sessions(), token_id, actor=actor(), now=now())
    with read_transaction(sessions()) as session:
        return _token(session.get_one(ApiToken, token_id))


ROUTES = [
    Route("GET", "/users", list_users, "users:admin", "Every user, by name", list[UserOut]),
    Route(
        "POST",
        "/users",
        create_user,
        "users:admin",
        "Add a user; without a password they sign in by API token only",
        UserOut,
        201,
        body=UserIn,
        errors=(400,),
        example={"name": "jenkins", "role": "test_manager", "full_name": "CI robot"},
    ),
    Route("GET", "/users/<name>", get_user, "users:admin", "One user", UserOut, errors=(404,)),
    Route(
        "PATCH",
        "/users/<name>",
        update_user,
        "users:admin",
        "Change role, active and full name, all or none; the last active admin stays "
        "admin and nobody deactivates themselves",
        UserOut,
        body=UserPatch,
        errors=(400, 404),
        example={"role": "test_manager", "full_name": "Tess Tester"},
    ),
    Route(
        "GET",
        "/users/<name>/tokens",
        list_tokens,
        "account:manage",
        "A user's API tokens, never their secrets (admins, or the user themself)",
        list[TokenOut],
        errors=(404,),
    ),
    Route(
        "POST",
        "/users/<name>/tokens",
        issue_token,
        "account:manage",
        "Issue an API token; its secret is in this answer only",
        TokenIssuedOut,
        201,
        body=TokenIn,
        errors=(400, 404),
        example={"label": "jenkins", "valid_until": "2027-12-31"},
    ),
    Route(
        "POST",
        "/users/<name>/tokens/<int:token_id>/revoke",
        revoke_token,
        "account:manage",
        "Revoke an API token: requests bearing it are refused at once",
        TokenOut,
        errors=(404, 409),
    ),
]
