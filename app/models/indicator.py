"""The indicator catalogue: what can be evaluated for an instrument, and how its values look."""

from datetime import datetime
from typing import Any, Self

from pydantic import Field as PydanticField
from pydantic import FiniteFloat, model_validator
from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from app.models.common import Source, Strict, UtcDateTime, timestamp_field
from app.models.types import Code, Direction, LongText, Name, Slug, ValueType

MAX_LEVELS = 50


class Indicator(SQLModel, table=True):
    """A catalogue entry: one measurable property of an instrument."""

    __tablename__ = "indicator"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    name: str = Field(sa_type=String(300))
    dimension: str = Field(sa_type=String(120), index=True)
    description: str | None = Field(default=None, sa_type=String(10_000))
    value_type: str = Field(sa_type=String(20))
    unit: str | None = Field(default=None, sa_type=String(300))
    min_value: float | None = None
    max_value: float | None = None
    levels: list[str] = Field(default_factory=list, sa_type=JSON)
    categories: list[str] = Field(default_factory=list, sa_type=JSON)
    direction: str = Field(sa_type=String(20))
    sources: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class IndicatorBase(Strict):
    """Fields a client sets on an indicator."""

    name: Name
    dimension: Slug = PydanticField(description="The dimension the indicator belongs to, e.g. legal_design.")
    description: LongText | None = PydanticField(default=None, description="What the indicator measures.")
    value_type: ValueType
    unit: Name | None = None
    min_value: FiniteFloat | None = PydanticField(default=None, description="Lowest valid value (numbers).")
    max_value: FiniteFloat | None = PydanticField(default=None, description="Highest valid value (numbers).")
    levels: list[Name] = PydanticField(
        default_factory=list,
        max_length=MAX_LEVELS,
        description="Ordinal levels from lowest to highest; a value is the level's position (0, 1, ...).",
    )
    categories: list[Slug] = PydanticField(default_factory=list, max_length=MAX_LEVELS)
    direction: Direction = Direction.higher_better
    sources: list[Source] = PydanticField(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _shape_fits_type(self) -> Self:
        problems = _shape_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _shape_problems(indicator: "IndicatorBase") -> list[str]:
    """Say what is inconsistent between an indicator's value type and its levels, categories or range."""
    kind, problems = indicator.value_type, []
    if kind == ValueType.ordinal and len(indicator.levels) < 2:
        problems.append("an ordinal indicator needs at least two levels")
    if kind != ValueType.ordinal and indicator.levels:
        problems.append("only ordinal indicators have levels")
    if kind == ValueType.category and len(indicator.categories) < 2:
        problems.append("a category indicator needs at least two categories")
    if kind != ValueType.category and indicator.categories:
        problems.append("only category indicators have categories")
    for values, what in ((indicator.levels, "levels"), (indicator.categories, "categories")):
        if len(set(values)) != len(values):
            problems.append(f"{what} must be distinct")
    has_range = indicator.min_value is not None or indicator.max_value is not None
    if has_range and kind not in (ValueType.number, ValueType.percent):
        problems.append("only number and percent indicators have a valid range")
    low, high = indicator.min_value, indicator.max_value
    if low is not None and high is not None and low >= high:
        problems.append(f"min_value ({low}) must be below max_value ({high})")
    return problems


class IndicatorCreate(IndicatorBase):
    """Body of ``POST /v1/indicators``."""

    key: Code = PydanticField(description="Stable catalogue key, e.g. LD01.")


class IndicatorUpdate(Strict):
    """Body of ``PATCH /v1/indicators/{key}``: any subset of the fields."""

    name: Name | None = None
    dimension: Slug | None = None
    description: LongText | None = None
    value_type: ValueType | None = None
    unit: Name | None = None
    min_value: FiniteFloat | None = None
    max_value: FiniteFloat | None = None
    levels: list[Name] | None = PydanticField(default=None, max_length=MAX_LEVELS)
    categories: list[Slug] | None = PydanticField(default=None, max_length=MAX_LEVELS)
    direction: Direction | None = None
    sources: list[Source] | None = PydanticField(default=None, max_length=100)


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
        fields["direction"] = Direction(row.direction)
        fields["sources"] = [Source.model_construct(**source) for source in row.sources]
        return cls.model_construct(**fields)
