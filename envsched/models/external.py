"""Who a user is at an identity provider: single sign-on finds its users by these rows."""

import datetime as dt

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from envsched.models.base import utc_datetime_field

ISSUER_LENGTH = 255
SUBJECT_LENGTH = 255  # OpenID Connect: a subject is at most 255 ASCII characters


class ExternalIdentity(SQLModel, table=True):
    """The provider's ``iss`` and ``sub`` of one envsched user, unique together: the
    subject, never a name or an e-mail address, says who signs in (names can be reused)."""

    __tablename__ = "external_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", ondelete="CASCADE", index=True)
    issuer: str = Field(max_length=ISSUER_LENGTH)
    subject: str = Field(max_length=SUBJECT_LENGTH)
    created_at: dt.datetime = utc_datetime_field()
    last_sign_in_at: dt.datetime = utc_datetime_field()
