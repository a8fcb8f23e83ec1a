"""Rubrics and their versions: an editable draft per rubric, and numbered published versions that never change.

The definition of a rubric (its tree of dimensions and criteria) is the engine's own schema,
:class:`scoring.rubric.Rubric`, stored as JSON; the API accepts it as JSON too and checks it with
:func:`scoring.validation.validate_rubric`, so every problem comes back with its path.
"""

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field as PydanticField
from pydantic import StrictBool, StrictInt, WithJsonSchema
from sqlalchemy import JSON, Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.common import Strict, UtcDateTime, timestamp_field
from app.models.types import LongText, Name, Slug


class Rubric(SQLModel, table=True):
    """A rubric with its working draft; ``draft_revision`` moves on with every edit and publication.

    Its display name and description are its draft's ``label`` and ``description``: the definition is the one
    place a rubric is named and described.
    """

    __tablename__ = "rubric"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(120), nullable=False, unique=True))
    draft: dict[str, Any] = Field(sa_type=JSON)
    draft_revision: int = 1
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class RubricVersion(SQLModel, table=True):
    """A published version: frozen forever (the database refuses updates and deletes of these rows)."""

    __tablename__ = "rubric_version"
    __table_args__ = (UniqueConstraint("rubric_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    rubric_id: int = Field(sa_column=Column(Integer, ForeignKey("rubric.id"), nullable=False))
    number: int
    definition: dict[str, Any] = Field(sa_type=JSON)
    author: str = Field(sa_type=String(120))
    note: str = Field(sa_type=String(10_000))
    published_at: datetime = timestamp_field()


class DefaultRubric(SQLModel, table=True):
    """The one published version that scores use when a request names no rubric (a single row)."""

    __tablename__ = "default_rubric"

    id: int = Field(default=1, primary_key=True)
    rubric_version_id: int = Field(sa_column=Column(Integer, ForeignKey("rubric_version.id"), nullable=False))


RUBRIC_SCHEMA_MARK = "x-rubric-definition"
"""Marks where the OpenAPI document should point at the engine's rubric schema (see ``app.api.http.openapi``)."""

RubricDefinition = Annotated[
    dict[str, Any],
    WithJsonSchema({"type": "object", RUBRIC_SCHEMA_MARK: True}),
    PydanticField(description="The rubric's tree: dimensions, optional sub-dimensions and criteria."),
]
"""A rubric definition as JSON; checked by :func:`scoring.validation.validate_rubric`, not by FastAPI."""


class RubricCreate(Strict):
    """Body of ``POST /v1/rubrics``: a new rubric and its first draft."""

    key: Slug
    definition: RubricDefinition


class DraftUpdate(Strict):
    """Body of ``PUT /v1/rubrics/{key}/draft``: the whole new draft."""

    definition: RubricDefinition


class PublishRequest(Strict):
    """Body of ``POST /v1/rubrics/{key}/publish``."""

    note: LongText = PydanticField(description="What changed and why, kept with the version forever.")
    author: Name | None = PydanticField(default=None, description="Who publishes; the caller's name by default.")
    make_default: StrictBool = PydanticField(default=False, description="Also make this version the default.")


class DefaultRequest(Strict):
    """Body of ``PUT /v1/rubrics/{key}/default``."""

    version: Annotated[StrictInt, PydanticField(ge=1, le=1_000_000)]


class RubricReference(Strict):
    """How every response names a rubric, or one of its versions."""

    key: str
    version: int | None = PydanticField(
        description="The published version; null for the rubric as a whole, its draft or a previewed definition."
    )
    label: str = PydanticField(description="The label of the definition (of the version, or else of the draft).")


class RubricVersionPublic(Strict):
    """A published version."""

    rubric: RubricReference
    definition: dict[str, Any]
    author: str
    note: str
    published_at: UtcDateTime
    is_default: bool


class RubricVersionSummary(Strict):
    """A published version without its tree, for lists."""

    version: int
    author: str
    note: str
    published_at: UtcDateTime
    is_default: bool


class RubricPublic(Strict):
    """A rubric, its draft and its versions."""

    key: str
    label: str = PydanticField(description="The rubric's name: its draft's label.")
    description: str = PydanticField(description="What the rubric is for: its draft's description.")
    draft: dict[str, Any]
    draft_revision: int
    versions: list[RubricVersionSummary]
    latest_version: int | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
