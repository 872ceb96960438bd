"""The stored state's version: one row whose token changes with every committed write
(``envsched.state_version`` writes it; ``envsched.state_cache`` reads it)."""

from sqlmodel import Field, SQLModel

TOKEN_LENGTH = 32  # a uuid4 in hex


class StateVersion(SQLModel, table=True):
    """``token`` names the stored state: the same token, the same state."""

    __tablename__ = "state_version"

    id: int = Field(default=1, primary_key=True)
    token: str = Field(max_length=TOKEN_LENGTH)
