"""What a planning round found, as ``PlanRun`` stores it: ``RoundFlags`` (trouble ahead)
in ``plan_run.flags`` and ``RoundDiff`` (what the round changes) in ``plan_run.diff``.

Both are JSON in their columns, shaped for the API and the CLI's ``--json``; days are
ISO strings, as stored. Rows written before a field existed still load: every field a
later round added has a default, and a key these models do not know is kept (``extra``).
A run still running has neither (``None``, stored as ``{}``).
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_serializer
from sqlalchemy import JSON, Dialect, TypeDecorator

Stored = TypeVar("Stored", bound="RoundRecord")


class RoundRecord(BaseModel):
    """A part of a round's record; keys it does not know (an older round's) are kept."""

    model_config = ConfigDict(extra="allow")
    # keys stored only once they hold something (as rounds always wrote them)
    absent_while_empty: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _without_empty(self, handler: Any) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in self.absent_while_empty:
            if data.get(key) in (None, []):
                data.pop(key, None)
        return data

    def stored(self) -> dict[str, Any]:
        """As the JSON column holds it (and the API shows it)."""
        return self.model_dump(mode="json", by_alias=True)


# -- flags ----------------------------------------------------------------------------------


class ClashFlag(RoundRecord):
    """A clash of the stored bookings when the round ran (``clashes.StateClash``)."""

    kind: str
    message: str = ""
    start: str
    end: str = ""
    environment: str | None = None
    release: str | None = None
    phase: str | None = None
    booking_ids: list[int] = Field(default_factory=list)


class PinnedFlag(RoundRecord):
    """A rule a pinned booking breaks, which the plan keeps, and the phases it blocks."""

    booking: int | None
    phase: str
    release: str
    environment: str
    start: str
    end: str | None
    rule: str
    message: str
    involves: list[str] = Field(
        default_factory=list,
        serialization_alias="with",
        validation_alias=AliasChoices("with", "involves"),
    )
    blocks: list[str] = Field(default_factory=list)


class ShortfallFlag(RoundRecord):
    """Consecutive weeks a type's demand beats its supply, and the releases that suffer."""

    type: str
    first_week: str
    last_week: str
    weeks: str
    short_days: int
    releases: list[str] = Field(default_factory=list)


class LateFlag(RoundRecord):
    release: str
    late_days: int
    reason: str = ""
    due: str | None = None


class RoundFlags(RoundRecord):
    clashes: list[ClashFlag] = Field(default_factory=list)
    pinned: list[PinnedFlag] = Field(default_factory=list)
    shortfalls: list[ShortfallFlag] = Field(default_factory=list)
    late: list[LateFlag] = Field(default_factory=list)
    remedies: list[str] = Field(default_factory=list)
    left_out: list[str] = Field(default_factory=list)


# -- diff -----------------------------------------------------------------------------------


class Place(RoundRecord):
    """Days ``[start, end)`` on an environment."""

    environment: str
    start: str
    end: str


class BrokenRule(RoundRecord):
    """A rule a tentative booking breaks where it is (why a round moves it), as facts for
    pages to word: ``rule`` as ``PinnedFlag.rule``; ``start``/``end`` the days that bind it
    (the earliest start; the predecessor's booked days; the window's days), ``involves``
    the predecessor or the other bookings, ``reason`` a window's reason, ``gap`` the days
    the order asks between the predecessor and it."""

    rule: str
    start: str | None = None
    end: str | None = None
    involves: list[str] = Field(default_factory=list)
    reason: str = ""
    gap: int = 0


class MovedProposal(RoundRecord):
    """A live tentative booking moved ``from`` where it is ``to`` where the plan puts it."""

    booking: int
    phase: str
    release: str
    before: Place = Field(
        serialization_alias="from", validation_alias=AliasChoices("from", "before")
    )
    to: Place
    why: str = ""
    broken: list[BrokenRule] = Field(default_factory=list)
    applied: bool = False
    refused: str | None = None
    refused_rule: str | None = None  # the rule that refused it, when one did ("quota")
    dropped: bool | None = None  # an environment manager closed it unapplied (``drops``)

    absent_while_empty = ("refused", "refused_rule", "broken", "dropped")


class PlacedProposal(RoundRecord):
    """A phase without a live booking, placed: a new tentative booking."""

    environment: str
    start: str
    end: str
    phase: str
    release: str
    applied: bool = False
    refused: str | None = None
    refused_rule: str | None = None
    dropped: bool | None = None

    absent_while_empty = ("refused", "refused_rule", "dropped")

    @property
    def place(self) -> Place:
        return Place(environment=self.environment, start=self.start, end=self.end)


# A booking a round proposes. ``applied`` once an accept put it in place; ``refused`` says
# why while the last accept that chose it refused it (absent otherwise), and
# ``refused_rule`` which rule of the rulebook refused it, if one did (``quota``: an
# environment manager may accept it alone with a reason). ``dropped`` once an environment
# manager closed it without applying it (a proposal no accept will ever apply): it is
# no longer open, and no accept chooses it again.
Proposal = MovedProposal | PlacedProposal


class Unplaced(RoundRecord):
    phase: str
    release: str
    reason: str = ""


class RefusedOne(RoundRecord):
    phase: str
    reason: str


class Accept(RoundRecord):
    """Who accepted the round's proposals when, what applied and what was refused."""

    at: str
    by: str
    applied: list[str] = Field(default_factory=list)
    refused: list[RefusedOne] = Field(default_factory=list)


class Drop(RoundRecord):
    """Who dropped a proposal (closed it unapplied) when."""

    at: str
    by: str
    phase: str


class RoundDiff(RoundRecord):
    """``accepts`` (oldest first) appears with the first accept, ``drops`` with the first
    proposal dropped."""

    absent_while_empty = ("accepts", "drops")
    moved: list[MovedProposal] = Field(default_factory=list)
    placed: list[PlacedProposal] = Field(default_factory=list)
    unplaced: list[Unplaced] = Field(default_factory=list)
    gain: str = ""
    accepts: list[Accept] = Field(default_factory=list)
    drops: list[Drop] = Field(default_factory=list)


class StoredRound(TypeDecorator[Stored], Generic[Stored]):
    """A JSON column holding one ``RoundRecord``; ``None`` is stored as ``{}``."""

    impl = JSON
    cache_ok = True

    def __init__(self, model: type[Stored]) -> None:
        super().__init__()
        self.model = model

    def process_bind_param(self, value: Stored | dict[str, Any] | None, dialect: Dialect) -> Any:
        """A dict (a row built by hand, as tests do) is checked against the model first."""
        if isinstance(value, dict):
            value = self.model.model_validate(value)
        return value.stored() if value is not None else {}

    def process_result_value(self, value: Any, dialect: Dialect) -> Stored | None:
        return self.model.model_validate(value) if value else None
