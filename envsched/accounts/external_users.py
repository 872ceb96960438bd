"""Users who sign in through an identity provider (single sign-on, OpenID Connect).

The web edge proves who someone is (``web.oidc``: state, nonce, PKCE, the ID token's
signature, issuer and audience) and hands over ``ExternalClaims``; this module decides
what envsched makes of them:

* The provider's issuer and subject say who it is (``ExternalIdentity``), never a name or
  an e-mail address: a local account whose name happens to match is never taken over.
* The role comes from the role claim (``RoleMapping``) at every sign-in: the first pair of
  the map whose value the claim holds. When none does, the default role if one is set;
  otherwise the sign-in is refused, and a user who had a role loses their sessions (the
  provider no longer lets them in, so envsched does not either).
* The first sign-in creates the user, without a password (so only the provider can sign
  them in); later ones update the role, the full name and the e-mail address.
* A user deactivated in envsched stays out, whatever the provider says.

Every sign-in, and every refusal of a known user, is in the audit log.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from envsched import audit
from envsched.accounts import users
from envsched.db import SessionFactory
from envsched.errors import PermissionDenied
from envsched.models import ExternalIdentity, Role, User
from envsched.models.base import NAME_LENGTH
from envsched.settings import Settings

logger = logging.getLogger(__name__)
SIGN_IN = "sign_in_sso"
REFUSED = "sign_in_sso_refused"


@dataclass(frozen=True)
class ExternalClaims:
    """What the provider vouched for, already verified by the web edge."""

    issuer: str
    subject: str
    user_name: str = ""  # preferred_username, else the e-mail address
    full_name: str = ""
    email: str = ""
    role_values: tuple[str, ...] = ()  # the role claim's values (a group list, or one)


@dataclass(frozen=True)
class RoleMapping:
    claim: str
    pairs: tuple[tuple[str, Role], ...]
    default: Role | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> RoleMapping:
        return cls(
            claim=settings.oidc_role_claim,
            pairs=tuple((value, Role(role)) for value, role in settings.oidc_role_map),
            default=Role(settings.oidc_default_role) if settings.oidc_default_role else None,
        )

    def role_for(self, values: Iterable[str]) -> Role | None:
        held = set(values)
        return next((role for value, role in self.pairs if value in held), self.default)


def sign_in(
    sessions: SessionFactory, claims: ExternalClaims, mapping: RoleMapping, *, now: dt.datetime
) -> User:
    """The envsched user of ``claims``, created or updated; ``PermissionDenied`` with words
    for the person signing in when no role maps or the user is deactivated."""
    try:
        return _sign_in(sessions, claims, mapping, now)
    except IntegrityError:  # a first sign-in of the same subject (or name) at the same moment
        return _sign_in(sessions, claims, mapping, now)


def _sign_in(
    sessions: SessionFactory, claims: ExternalClaims, mapping: RoleMapping, now: dt.datetime
) -> User:
    role = mapping.role_for(claims.role_values)
    if role is None:
        _refuse_unmapped(sessions, claims, mapping, now)
        raise _no_role(claims, mapping)
    with sessions.begin() as session:
        identity = _identity(session, claims)
        user = session.get_one(User, identity.user_id) if identity else None
        if user is not None and not user.active:
            raise PermissionDenied(f"{user.name} is deactivated in envsched: ask an admin")
        if user is None or identity is None:
            user = _create(session, claims, role, now)
            assert user.id is not None  # flushed
            identity = ExternalIdentity(
                user_id=user.id,
                issuer=claims.issuer,
                subject=claims.subject,
                created_at=now,
                last_sign_in_at=now,
            )
        _update(session, user, claims, role)
        identity.last_sign_in_at = now
        session.add(identity)
        audit.record(
            session,
            actor=user,
            now=now,
            action=SIGN_IN,
            row=user,
            after=_said(user, claims, mapping),
        )
    return user


def _identity(session: Session, claims: ExternalClaims) -> ExternalIdentity | None:
    return session.exec(
        select(ExternalIdentity).where(
            ExternalIdentity.issuer == claims.issuer, ExternalIdentity.subject == claims.subject
        )
    ).first()


def _create(session: Session, claims: ExternalClaims, role: Role, now: dt.datetime) -> User:
    user = User(name=_free_name(session, claims), role=role, created_at=now)
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=None,
        now=now,
        action="create",
        row=user,
        after={
            "name": user.name,
            "role": role.value,
            "issuer": claims.issuer,
            "subject": claims.subject,
        },
    )
    return user


def _update(session: Session, user: User, claims: ExternalClaims, role: Role) -> None:
    if claims.full_name:
        user.full_name = claims.full_name[: NAME_LENGTH * 2]
    if claims.email:
        user.email = claims.email[: NAME_LENGTH * 4]
    users.change_role_in(session, user, role)


def _refuse_unmapped(
    sessions: SessionFactory, claims: ExternalClaims, mapping: RoleMapping, now: dt.datetime
) -> None:
    """A known user whose claim no longer maps loses every session."""
    logger.warning(
        "single sign-on refused %s at %s: %s %s maps to no role",
        claims.subject,
        claims.issuer,
        mapping.claim,
        list(claims.role_values),
    )
    with sessions.begin() as session:
        identity = _identity(session, claims)
        if identity is None:
            return
        user = session.get_one(User, identity.user_id)
        users.end_sessions_in(user)
        audit.record(
            session,
            actor=user,
            now=now,
            action=REFUSED,
            row=user,
            after=_said(user, claims, mapping),
        )


def _no_role(claims: ExternalClaims, mapping: RoleMapping) -> PermissionDenied:
    held = ", ".join(claims.role_values) or "nothing"
    wanted = ", ".join(value for value, _ in mapping.pairs) or "none configured"
    return PermissionDenied(
        f"Your account at the identity provider gives no role in envsched: its "
        f"{mapping.claim!r} claim holds {held}, and envsched gives a role to {wanted}. "
        f"Ask your administrator to add you to one of those."
    )


def _said(user: User, claims: ExternalClaims, mapping: RoleMapping) -> dict[str, object]:
    return {
        "name": user.name,
        "role": user.role.value,
        "issuer": claims.issuer,
        "subject": claims.subject,
        mapping.claim: list(claims.role_values),
    }


def _free_name(session: Session, claims: ExternalClaims) -> str:
    """The provider's user name made a valid envsched one, numbered when it is taken."""
    base = re.sub(r"\s+", "-", claims.user_name.strip())[: NAME_LENGTH - 8] or "sso-user"
    taken = set(
        session.exec(
            select(User.name).where(col(User.name).startswith(base, autoescape=True))
        ).all()
    )
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}-{number}"
    return name
