"""Pieces every entity family shares: the source citation, timestamps, and the page envelope."""

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, PlainSerializer
from sqlalchemy import DateTime
from sqlmodel import Field

from app.models.types import Name, Title, Url


def utc_now() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def _as_utc(moment: datetime) -> str:
    # SQLite hands back naive datetimes; every stored time is UTC, so say so on the way out.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


UtcDateTime = Annotated[datetime, PlainSerializer(_as_utc, return_type=str)]


def timestamp_field(**kwargs: Any) -> Any:
    """A timezone-aware timestamp column defaulting to now."""
    return Field(default_factory=utc_now, sa_type=DateTime(timezone=True), **kwargs)


class Source(BaseModel):
    """A citation: where a fact or a value comes from."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    url: Url | None = None


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
