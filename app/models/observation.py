"""Observations: evaluated values of an indicator, append-only, with their evidence.

An observation's subject follows its indicator's level: an instrument (``instrument_id``); one party of an
instrument (``instrument_id`` and ``party``); or a country (``country``, no instrument).
"""

import math
from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import (
    Discriminator,
    PlainValidator,
    Tag,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic import Field as PydanticField
from sqlalchemy import JSON, CheckConstraint, Column, Date, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from app.models.common import Strict, UtcDateTime, timestamp_field
from app.models.types import Code, Confidence, Ident, LongText, Name, PartialDate, PartyCode, PastDay, Title, Url

MAX_BATCH = 1000
"""Most observations one request may record; larger sets are sent as several batches."""

VALUE_LIMIT = 10**15
"""Numbers beyond this are refused: they are not evaluations, and they would lose precision as floats."""


class Observation(SQLModel, table=True):
    """One evaluated value. Never updated: a correction is a new row that supersedes this one."""

    __tablename__ = "observation"
    __table_args__ = (
        Index("ix_observation_instrument_indicator_date", "instrument_id", "indicator_id", "observed_on"),
        Index("ix_observation_country_indicator_date", "country", "indicator_id", "observed_on"),
        CheckConstraint(
            "(instrument_id IS NOT NULL AND country IS NULL) OR (instrument_id IS NULL AND country IS NOT NULL "
            "AND party IS NULL)",
            name="one_subject",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    instrument_id: int | None = Field(sa_column=Column(Integer, ForeignKey("instrument.id"), nullable=True))
    party: str | None = Field(default=None, sa_type=String(5))
    """The party of the instrument a party-level fact is about."""
    country: str | None = Field(default=None, sa_type=String(5))
    """The country a country-level fact is about (then there is no instrument)."""
    indicator_id: int = Field(sa_column=Column(Integer, ForeignKey("indicator.id"), nullable=False, index=True))
    value_number: float | None = None
    value_text: str | None = Field(default=None, sa_type=String(120))
    observed_on: date = Field(sa_type=Date)
    period_start: date | None = Field(default=None, sa_type=Date)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    confidence: str = Field(sa_type=String(10))
    note: str | None = Field(default=None, sa_type=String(10_000))
    recorded_by: str = Field(sa_type=String(120))
    recorded_at: datetime = timestamp_field()
    supersedes_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("observation.id"), nullable=True, unique=True),
    )


class Evidence(Strict):
    """What a value rests on: a source, where in it, and its date."""

    title: Title
    url: Url | None = None
    locator: Name | None = PydanticField(default=None, description="Article, section or page.")
    published: PartialDate | None = None


def _observed_value(value: object) -> bool | int | float | str:
    """Accept a boolean, a bounded finite number, or short text; refuse everything else in one sentence."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        # The bound comes first: comparing an int with a float is exact, while math.isfinite would convert a
        # 400-digit integer to a float, which overflows.
        if abs(value) > VALUE_LIMIT or not math.isfinite(value):
            raise ValueError(f"a number must be finite and between -{VALUE_LIMIT:.0e} and {VALUE_LIMIT:.0e}")
        return value
    if isinstance(value, str):
        if "\x00" in value or not 0 < len(value) <= TEXT_VALUE_MAX:
            raise ValueError(f"text must be 1 to {TEXT_VALUE_MAX} characters without NUL characters")
        return value
    raise ValueError("a value is a number, true or false, or text (an ordinal level label or a category)")


TEXT_VALUE_MAX = 300

ObservedValue = Annotated[
    bool | int | float | str,
    PlainValidator(_observed_value),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "boolean"},
                {"type": "number", "minimum": -VALUE_LIMIT, "maximum": VALUE_LIMIT},
                {"type": "string", "minLength": 1, "maxLength": TEXT_VALUE_MAX},
            ],
            "description": "A number; true or false; an ordinal level's position or label; or a category.",
        }
    ),
]


class ObservationIn(Strict):
    """One value to record, for a date (``as_of``) or a period (``period_start`` to ``period_end``)."""

    indicator: Code
    party: PartyCode | None = PydanticField(
        default=None, description="For a fact about one party of the instrument: that party's code."
    )
    value: ObservedValue
    as_of: PastDay | None = None
    period_start: PastDay | None = None
    period_end: PastDay | None = None
    evidence: Evidence
    confidence: Confidence
    note: LongText | None = None
    supersedes: Ident | None = PydanticField(default=None, description="Id of the observation this corrects.")

    @field_validator("period_end")
    @classmethod
    def _period_in_order(cls, end: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("period_start")
        if end is not None and start is not None and end < start:
            raise ValueError(f"period_end ({end}) is before period_start ({start})")
        return end

    @model_validator(mode="after")
    def _one_date_or_period(self) -> Self:
        has_period = self.period_start is not None or self.period_end is not None
        if (self.as_of is None) == (not has_period):
            raise ValueError("give either as_of or both period_start and period_end")
        if has_period and (self.period_start is None or self.period_end is None):
            raise ValueError("a period needs both period_start and period_end")
        return self

    @property
    def effective_date(self) -> date:
        """The date from which the value holds: ``as_of``, or the end of the period."""
        return self.as_of or self.period_end  # type: ignore[return-value]


def _batch_or_single(body: Any) -> str:
    return "observations" if isinstance(body, list) else "observation"


ObservationBody = Annotated[
    Annotated[ObservationIn, Tag("observation")]
    | Annotated[list[ObservationIn], Tag("observations"), PydanticField(min_length=1, max_length=MAX_BATCH)],
    Discriminator(_batch_or_single),
]
"""One observation, or a batch as a JSON array (stored all together or not at all)."""

UNION_TAGS = frozenset({"observation", "observations"})


class ObservationPublic(Strict):
    """A recorded observation as the API returns it."""

    id: int
    instrument: str | None = PydanticField(description="The instrument it is about; null for a country's fact.")
    party: str | None = PydanticField(default=None, description="The party of the instrument it is about.")
    country: str | None = PydanticField(default=None, description="The country it is about.")
    indicator: str
    value: bool | int | float | str
    value_label: str | None = PydanticField(default=None, description="The label of an ordinal value's level.")
    as_of: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    evidence: Evidence
    confidence: Confidence
    note: str | None = None
    supersedes: int | None = None
    superseded_by: int | None = PydanticField(default=None, description="Id of the correction that replaced it.")
    recorded_by: str
    recorded_at: UtcDateTime
