"""Query parameter models for the list operations: filters, sort and bounded pagination."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.models.types import InstrumentKind, LegalStatus, Name, Organisation, PartyCode, Scope, Slug

PAGE_LIMIT_MAX = 200
OFFSET_MAX = 1_000_000


class Pagination(BaseModel):
    """``limit`` and ``offset``, bounded so one request cannot ask for the whole store."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=PAGE_LIMIT_MAX, description=f"Page size, 1 to {PAGE_LIMIT_MAX}.")
    offset: int = Field(default=0, ge=0, le=OFFSET_MAX)


SortKey = Literal[
    "id",
    "-id",
    "title",
    "-title",
    "short_name",
    "-short_name",
    "adopted",
    "-adopted",
    "signed",
    "-signed",
    "in_force",
    "-in_force",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
]


class InstrumentFilterFields(Pagination):
    """The instrument filters, shared by the instrument list and the score ranking; every one given must match."""

    organisation: Organisation | None = None
    scope: Scope | None = None
    kind: InstrumentKind | None = None
    status: LegalStatus | None = Field(default=None, description="Legal status.")
    party: PartyCode | None = Field(default=None, description="Instruments this state or organisation is party to.")
    topic: Annotated[Slug, Field(examples=["readmission"])] | None = None
    q: Name | None = Field(default=None, description="Text searched in the id, titles and summary.")


class InstrumentFilters(InstrumentFilterFields):
    """Query of ``GET /v1/instruments``."""

    sort: SortKey = Field(default="id", description="Field to sort by; a leading '-' sorts descending.")


class IndicatorFilters(Pagination):
    """Filters of ``GET /v1/indicators``."""

    dimension: Slug | None = None
    limit: int = Field(
        default=PAGE_LIMIT_MAX, ge=1, le=PAGE_LIMIT_MAX, description=f"Page size, 1 to {PAGE_LIMIT_MAX}."
    )
