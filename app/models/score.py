"""Query and body models of the score endpoints (their responses are in :mod:`app.models.score_results`)."""

import re
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from app.models.common import Strict
from app.models.filters import InstrumentFilterFields
from app.models.rubric import RubricDefinition
from app.models.types import PartyCode, PastDay
from scoring.rubric import Weight

RubricReference = Annotated[
    str,
    StringConstraints(max_length=130, pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*(?:@[1-9][0-9]{0,5})?$"),
    Field(
        description="A rubric key, optionally with a version (`balanced@2`); the latest published version "
        "without one; the default rubric when omitted.",
        examples=["balanced", "balanced@2"],
    ),
]


Perspective = Annotated[
    PartyCode,
    Field(
        description="Score from one party's point of view (`UZB`): criteria rolled up over the perspective read that "
        "party's facts only; without one, every party's.",
        examples=["UZB"],
    ),
]

_SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")

MAX_SAMPLES = 2000
"""Most Monte Carlo samples one sensitivity request may ask for."""


class ScoreQuery(BaseModel):
    """Which rubric, and the data as of which day (today when omitted)."""

    model_config = ConfigDict(extra="forbid")

    rubric: RubricReference | None = None
    as_of: PastDay | None = None
    perspective: Perspective | None = None


class HistoryQuery(BaseModel):
    """Query of the score history: the rubric and perspective (the dates are those where the data changed)."""

    model_config = ConfigDict(extra="forbid")

    rubric: RubricReference | None = None
    perspective: Perspective | None = None


class RankingQuery(InstrumentFilterFields):
    """Query of ``GET /v1/scores``: the instrument filters, the rubric and day, sort, page and format."""

    rubric: RubricReference | None = None
    as_of: PastDay | None = None
    perspective: Perspective | None = None
    sort: Literal["rank", "-rank", "score", "-score", "instrument", "-instrument"] = Field(
        default="rank",
        description="By rank, score or instrument id; by rank or score, those with insufficient data come last.",
    )
    provisional: bool | None = Field(
        default=None,
        description="false: only scores that earn a grade; true: only provisional ones; left out: every instrument.",
    )
    format: Literal["json", "csv"] | None = Field(
        default=None, description="csv: the same as Accept: text/csv; the whole filtered ranking, without paging."
    )


class CompareQuery(ScoreQuery):
    """Query of ``GET /v1/scores/compare``."""

    ids: Annotated[str, StringConstraints(max_length=1300)] = Field(
        description="2 to 10 instrument ids, separated by commas."
    )

    @field_validator("ids")
    @classmethod
    def _two_to_ten(cls, ids: str) -> str:
        parts = [part.strip() for part in ids.split(",")]
        if not 2 <= len(parts) <= 10:
            raise ValueError(f"give 2 to 10 instrument ids, not {len(parts)}")
        malformed = [part for part in parts if not _SLUG.fullmatch(part)]
        if malformed:
            raise ValueError(f"{malformed[0]!r} is not an instrument id")
        if len(set(parts)) != len(parts):
            raise ValueError("each instrument id once")
        return ",".join(parts)


class SummaryQuery(ScoreQuery):
    """Query of ``GET /v1/scores/summary``."""

    group_by: Literal["organisation", "scope", "kind", "party"]


class SensitivityQuery(BaseModel):
    """Query of ``GET /v1/rubrics/{key}/sensitivity``."""

    model_config = ConfigDict(extra="forbid")

    version: Annotated[int, Field(ge=1, le=1_000_000)] | None = Field(
        default=None, description="The published version; the latest when omitted."
    )
    as_of: PastDay | None = None
    perspective: Perspective | None = None
    samples: Annotated[int, Field(ge=10, le=MAX_SAMPLES)] = 500
    spread: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.25
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0


class PreviewRequest(Strict):
    """Body of ``POST /v1/scores/preview``: weight overrides on a rubric, or a whole draft definition."""

    baseline: RubricReference | None = Field(default=None, description="Compared against; the default if omitted.")
    weights: dict[Annotated[str, StringConstraints(max_length=100)], Weight] | None = Field(
        default=None, max_length=500, description="New weights by node or criterion key, applied to the baseline."
    )
    definition: RubricDefinition | None = None
    as_of: PastDay | None = None
    perspective: Perspective | None = None

    @model_validator(mode="after")
    def _one_change(self) -> Self:
        if (self.weights is None) == (self.definition is None):
            raise ValueError("give either weights or a definition")
        return self
