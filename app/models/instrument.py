"""Instruments of cooperation and the parties bound by them: tables and API schemas."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field as PydanticField
from pydantic import ValidationInfo, field_validator
from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from app.models.common import NOT_NULL, Page, Source, Strict, UtcDateTime, timestamp_field
from app.models.types import (
    Count,
    Flag,
    InstrumentKind,
    LegalStatus,
    LongText,
    Name,
    Organisation,
    PartialDate,
    PartyCode,
    Scope,
    Slug,
    Title,
    Verification,
    earliest_day,
    latest_day,
)

MAX_PARTIES = 400
MAX_LIST_ITEMS = 100

# --- tables -------------------------------------------------------------------------------------


class Instrument(SQLModel, table=True):
    """A legal instrument of cooperation against irregular migration (soft-deleted, never removed)."""

    __tablename__ = "instrument"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(120), nullable=False, unique=True))
    title: str = Field(sa_type=String(1000))
    short_name: str = Field(sa_type=String(300))
    kind: str = Field(sa_type=String(40), index=True)
    scope: str = Field(sa_type=String(20), index=True)
    organisation: str = Field(sa_type=String(20), index=True)
    legal_status: str = Field(sa_type=String(60), index=True)
    binding: Flag | None = None
    adopted: str | None = Field(default=None, sa_type=String(10))
    signed: str | None = Field(default=None, sa_type=String(10))
    in_force: str | None = Field(default=None, sa_type=String(10))
    ended: str | None = Field(default=None, sa_type=String(10))
    place: str | None = Field(default=None, sa_type=String(1000))
    summary: str | None = Field(default=None, sa_type=String(10_000))
    party_count: int | None = None
    verification: str = Field(sa_type=String(30))
    key_provisions: list[str] = Field(default_factory=list, sa_type=JSON)
    mechanisms: list[str] = Field(default_factory=list, sa_type=JSON)
    uncertainties: list[str] = Field(default_factory=list, sa_type=JSON)
    sources: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    deleted_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))

    parties: list["Party"] = Relationship(
        back_populates="instrument",
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "Party.code"},
    )
    topic_rows: list["InstrumentTopic"] = Relationship(
        sa_relationship_kwargs={"cascade": "all, delete-orphan", "order_by": "InstrumentTopic.topic"},
    )

    @property
    def topics(self) -> list[str]:
        """The instrument's topics, in alphabetical order."""
        return sorted(row.topic for row in self.topic_rows)


class Party(SQLModel, table=True):
    """A state or organisation bound by an instrument, with its own dates and reservations."""

    __tablename__ = "party"
    __table_args__ = (UniqueConstraint("instrument_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    instrument_id: int = Field(
        sa_column=Column(Integer, ForeignKey("instrument.id", ondelete="CASCADE"), nullable=False)
    )
    code: str = Field(sa_type=String(5), index=True)
    signed: str | None = Field(default=None, sa_type=String(10))
    ratified: str | None = Field(default=None, sa_type=String(10))
    in_force: str | None = Field(default=None, sa_type=String(10))
    reservations: str | None = Field(default=None, sa_type=String(10_000))

    instrument: Instrument = Relationship(back_populates="parties")


class InstrumentTopic(SQLModel, table=True):
    """One topic an instrument covers (a row each, so topics can be filtered with an index)."""

    __tablename__ = "instrument_topic"

    instrument_id: int = Field(
        sa_column=Column(Integer, ForeignKey("instrument.id", ondelete="CASCADE"), primary_key=True)
    )
    topic: str = Field(sa_column=Column(String(120), primary_key=True, index=True))


# --- request and response schemas ---------------------------------------------------------------


def check_after(earlier: tuple[str, ...]) -> Callable[[str | None, ValidationInfo], str | None]:
    """A field validator: the date must not certainly precede any of the ``earlier`` fields' dates.

    Partial dates count as ranges (``1999`` may be any day of 1999), so only a certain wrong order fails.
    The fields named must be declared before the field checked, so that they are validated first.
    """

    def check(value: str | None, info: ValidationInfo) -> str | None:
        for name in earlier:
            other = info.data.get(name)
            if value and other and latest_day(value) < earliest_day(other):
                raise ValueError(f"{info.field_name} ({value}) is before {name} ({other})")
        return value

    return check


class PartyIn(Strict):
    """A party as a client sends it."""

    code: PartyCode
    signed: PartialDate | None = None
    ratified: PartialDate | None = PydanticField(default=None, description="Ratification, accession or approval.")
    in_force: PartialDate | None = PydanticField(default=None, description="Entry into force for this party.")
    reservations: LongText | None = None

    _in_force_last = field_validator("in_force")(check_after(("signed", "ratified")))


class PartyPublic(PartyIn):
    """A party as the API returns it."""


class InstrumentBase(Strict):
    """Fields a client sets on an instrument."""

    title: Title = PydanticField(description="Official title.")
    short_name: Name
    kind: InstrumentKind
    scope: Scope
    organisation: Organisation
    legal_status: LegalStatus
    binding: Flag | None = None
    adopted: PartialDate | None = None
    signed: PartialDate | None = None
    in_force: PartialDate | None = None
    ended: PartialDate | None = None
    place: Title | None = None
    summary: LongText | None = None
    party_count: Count | None = PydanticField(
        default=None, description="Total number of parties, when only some are listed."
    )
    verification: Verification = Verification.unverified
    key_provisions: list[LongText] = PydanticField(default_factory=list, max_length=MAX_LIST_ITEMS)
    mechanisms: list[LongText] = PydanticField(default_factory=list, max_length=MAX_LIST_ITEMS)
    uncertainties: list[LongText] = PydanticField(
        default_factory=list, max_length=MAX_LIST_ITEMS, description="Facts that sources leave uncertain."
    )
    topics: list[Slug] = PydanticField(default_factory=list, max_length=MAX_LIST_ITEMS)
    sources: list[Source] = PydanticField(default_factory=list, max_length=MAX_LIST_ITEMS)
    parties: list[PartyIn] = PydanticField(default_factory=list, max_length=MAX_PARTIES)

    _in_force_after_signature = field_validator("in_force")(check_after(("adopted", "signed")))
    _ended_last = field_validator("ended")(check_after(("adopted", "signed", "in_force")))

    @field_validator("parties")
    @classmethod
    def _parties_unique(cls, parties: list[PartyIn]) -> list[PartyIn]:
        codes = [party.code for party in parties]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise ValueError(f"parties are listed more than once: {', '.join(repeated)}")
        return parties


class InstrumentCreate(InstrumentBase):
    """Body of ``POST /v1/instruments``."""

    id: Slug = PydanticField(description="Stable public id, a slug such as un-smuggling-protocol-2000.")


class InstrumentUpdate(Strict):
    """Body of ``PATCH /v1/instruments/{id}``: any subset of the fields; lists replace the old ones."""

    title: Title | None = NOT_NULL
    short_name: Name | None = NOT_NULL
    kind: InstrumentKind | None = NOT_NULL
    scope: Scope | None = NOT_NULL
    organisation: Organisation | None = NOT_NULL
    legal_status: LegalStatus | None = NOT_NULL
    binding: Flag | None = None
    adopted: PartialDate | None = None
    signed: PartialDate | None = None
    in_force: PartialDate | None = None
    ended: PartialDate | None = None
    place: Title | None = None
    summary: LongText | None = None
    party_count: Count | None = None
    verification: Verification | None = NOT_NULL
    key_provisions: Annotated[list[LongText], PydanticField(max_length=MAX_LIST_ITEMS)] | None = NOT_NULL
    mechanisms: Annotated[list[LongText], PydanticField(max_length=MAX_LIST_ITEMS)] | None = NOT_NULL
    uncertainties: Annotated[list[LongText], PydanticField(max_length=MAX_LIST_ITEMS)] | None = NOT_NULL
    topics: Annotated[list[Slug], PydanticField(max_length=MAX_LIST_ITEMS)] | None = NOT_NULL
    sources: Annotated[list[Source], PydanticField(max_length=MAX_LIST_ITEMS)] | None = NOT_NULL
    parties: Annotated[list[PartyIn], PydanticField(max_length=MAX_PARTIES)] | None = NOT_NULL


class InstrumentPublic(InstrumentBase):
    """An instrument as the API returns it."""

    id: str
    created_at: UtcDateTime
    updated_at: UtcDateTime


class InstrumentPage(Page[InstrumentPublic]):
    """One page of instruments."""
