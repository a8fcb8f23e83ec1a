"""Pieces every entity family shares: the source citation, timestamps, and the page envelope."""

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer
from sqlalchemy import DateTime
from sqlmodel import Field as SQLField

from app.models.types import Name, Title, Url


def utc_now() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def as_utc_text(moment: datetime) -> str:
    """ISO 8601 text of a stored time, in UTC with a ``Z``."""
    # SQLite hands back naive datetimes; every stored time is UTC, so say so on the way out.
    if moment.tzinfo is None:
        return f"{moment.isoformat()}Z"
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


UtcDateTime = Annotated[datetime, PlainSerializer(as_utc_text, return_type=str)]


def timestamp_field(**kwargs: Any) -> Any:
    """A timezone-aware timestamp column defaulting to now."""
    return SQLField(default_factory=utc_now, sa_type=DateTime(timezone=True), **kwargs)


class Source(BaseModel):
    """A citation: where a fact or a value comes from."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    url: Url | None = None


def _not_null(schema: dict[str, Any]) -> None:
    """Drop ``null`` from a field's documented types (``X | None`` becomes ``X``)."""
    choices = [choice for choice in schema.pop("anyOf", []) if choice != {"type": "null"}]
    if len(choices) == 1:
        schema.update(choices[0])
    elif choices:
        schema["anyOf"] = choices


NOT_NULL: Any = Field(default=None, json_schema_extra=_not_null)
"""Default of a PATCH field that may be left out but not set to null: the OpenAPI document offers no null,
and a null sent anyway is refused (422, with the field's path) when the change is checked as a whole."""


class Strict(BaseModel):
    """Base of every request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total count of matching items."""

    items: list[T]
    total: int
    limit: int
    offset: int


__all__ = ["Name", "Page", "Source", "Strict", "UtcDateTime", "timestamp_field", "utc_now"]
