"""The indicator catalogue: what can be evaluated for an instrument, and how its values look."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field as PydanticField
from pydantic import ValidationInfo, field_validator
from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from app.models.common import NOT_NULL, Page, Source, Strict, UtcDateTime, timestamp_field
from app.models.types import Code, Direction, FactLevel, LongText, Name, Number, Slug, ValueType

MAX_LEVELS = 50


class Indicator(SQLModel, table=True):
    """A catalogue entry: one measurable property of an instrument."""

    __tablename__ = "indicator"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    label: str = Field(sa_type=String(300))
    dimension: str = Field(sa_type=String(120), index=True)
    description: str | None = Field(default=None, sa_type=String(10_000))
    value_type: str = Field(sa_type=String(20))
    unit: str | None = Field(default=None, sa_type=String(300))
    min: float | None = None
    max: float | None = None
    levels: list[str] = Field(default_factory=list, sa_type=JSON)
    categories: list[str] = Field(default_factory=list, sa_type=JSON)
    direction: str = Field(sa_type=String(20))
    level: str = Field(default="instrument", sa_type=String(12))
    sources: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class IndicatorBase(Strict):
    """Fields a client sets on an indicator."""

    label: Name
    dimension: Slug = PydanticField(description="The dimension the indicator belongs to, e.g. legal_design.")
    description: LongText | None = PydanticField(default=None, description="What the indicator measures.")
    value_type: ValueType
    unit: Name | None = None
    min: Number | None = PydanticField(default=None, description="Lowest valid value (numbers).")
    max: Number | None = PydanticField(default=None, description="Highest valid value (numbers).")
    levels: list[Name] = PydanticField(
        default_factory=list,
        validate_default=True,
        max_length=MAX_LEVELS,
        description="Ordinal levels from lowest to highest; a value is the level's position (0, 1, ...).",
    )
    categories: list[Slug] = PydanticField(default_factory=list, validate_default=True, max_length=MAX_LEVELS)
    direction: Direction = "higher"
    level: FactLevel = PydanticField(
        default="instrument",
        description="What its facts are about: the instrument; one party's relation to it (recorded with `party`); "
        "or a country, whatever the instrument (recorded at /v1/countries/{code}/observations).",
    )
    sources: list[Source] = PydanticField(default_factory=list, max_length=100)

    @field_validator("min", "max")
    @classmethod
    def _range_of_numbers(cls, bound: float | None, info: ValidationInfo) -> float | None:
        if bound is not None and info.data.get("value_type") not in (ValueType.number, ValueType.percent):
            raise ValueError("only number and percent indicators have a valid range")
        low = info.data.get("min")
        if info.field_name == "max" and bound is not None and low is not None and low >= bound:
            raise ValueError(f"min ({low}) must be below max ({bound})")
        return bound

    @field_validator("levels", "categories")
    @classmethod
    def _choices_fit_type(cls, choices: list[str], info: ValidationInfo) -> list[str]:
        kind = info.data.get("value_type")
        owner, noun = (
            (ValueType.ordinal, "levels") if info.field_name == "levels" else (ValueType.category, "categories")
        )
        if kind == owner and len(choices) < 2:
            article = "an" if owner == ValueType.ordinal else "a"
            raise ValueError(f"{article} {owner.value} indicator needs at least two {noun}")
        if kind is not None and kind != owner and choices:
            raise ValueError(f"only {owner.value} indicators have {noun}")
        if len(set(choices)) != len(choices):
            raise ValueError(f"{noun} must be distinct")
        return choices


class IndicatorCreate(IndicatorBase):
    """Body of ``POST /v1/indicators``."""

    key: Code = PydanticField(description="Stable catalogue key, e.g. LD01.")


class IndicatorUpdate(Strict):
    """Body of ``PATCH /v1/indicators/{key}``: any subset of the fields."""

    label: Name | None = NOT_NULL
    dimension: Slug | None = NOT_NULL
    description: LongText | None = None
    value_type: ValueType | None = NOT_NULL
    unit: Name | None = None
    min: Number | None = None
    max: Number | None = None
    levels: Annotated[list[Name], PydanticField(max_length=MAX_LEVELS)] | None = NOT_NULL
    categories: Annotated[list[Slug], PydanticField(max_length=MAX_LEVELS)] | None = NOT_NULL
    direction: Direction | None = NOT_NULL
    level: FactLevel | None = NOT_NULL
    sources: Annotated[list[Source], PydanticField(max_length=100)] | None = NOT_NULL


class IndicatorPublic(IndicatorBase):
    """An indicator as the API returns it."""

    key: str
    created_at: UtcDateTime
    updated_at: UtcDateTime

    @classmethod
    def of(cls, row: Indicator) -> "IndicatorPublic":
        """Build the public view of a stored indicator."""
        fields = {name: getattr(row, name) for name in cls.model_fields if name != "sources"}
        fields["value_type"] = ValueType(row.value_type)
        fields["sources"] = [Source.model_construct(**source) for source in row.sources]
        return cls.model_construct(**fields)


class IndicatorPage(Page[IndicatorPublic]):
    """One page of the indicator catalogue."""
