"""Response models of the score operations: what a ranking, an explanation, a comparison... look like.

They are the contract of ``/openapi.json`` and are filled in one place, :mod:`app.services.scores.present`.
Every score response names the rubric it used as a :class:`~app.models.rubric.RubricReference`
(``{key, version, label}``) and an instrument by its public id, in a field called ``instrument``. A number the
engine has not got (no score, no rank) is ``null``.
"""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.models.observation import Evidence
from app.models.rubric import RubricReference

Points = Annotated[float, Field(description="Points on the 0..100 scale (uncapped normalisations may leave it).")]
Share = Annotated[float, Field(ge=0.0, le=1.0)]


class ScoreModel(BaseModel):
    """Base of the response models: the fields are exactly those listed, in this order."""

    model_config = ConfigDict(extra="forbid")


class OfRun(ScoreModel):
    """What every result of a scoring run says about the run: rubric, day and data revision."""

    rubric: RubricReference
    as_of: date = Field(description="The day whose data was scored.")
    perspective: str | None = Field(description="The party whose point of view was taken; null: every party's.")
    data_revision: int = Field(description="The revision of the data scored: results of one revision never change.")


class ScoreRange(ScoreModel):
    """The lowest and highest score reachable if each missing criterion took its worst or best value."""

    low: Points
    high: Points


PROVISIONAL = Field(description="The score rests on less of the rubric's weight than it needs for a grade.")


class RankedInstrument(ScoreModel):
    """One instrument's row of a ranking."""

    instrument: str = Field(description="The instrument's id.")
    rank: int | None = Field(description="1 is best; tied scores share the lower rank; null without a score.")
    score: Points | None
    score_range: ScoreRange = Field(description="Where the score could lie once the missing criteria are known.")
    provisional: bool = PROVISIONAL
    grade: str | None = Field(description="Null without a score, or with a provisional one.")
    coverage: Share = Field(description="Share of the rubric's weight resting on data present.")
    insufficient_data: str | None = Field(description="Why there is no score, in one sentence; null with one.")
    missing: list[str] | None = Field(
        description="Without a score: the keys of the criteria that have no value; null with a score (its "
        "explanation lists every criterion, missing ones flagged)."
    )


class Ranking(OfRun):
    """A page of the ranking: the instruments that match the filters, in the order asked for."""

    items: list[RankedInstrument]
    total: int
    limit: int
    offset: int


class ObservationUsed(ScoreModel):
    """The observation behind a value, with its evidence."""

    id: int = Field(description="The observation's id.")
    evidence: Evidence
    confidence: str
    as_of: date = Field(description="The day from which the value holds (the end of its period, if it has one).")
    period_start: date | None
    note: str | None


class PartyFact(ScoreModel):
    """One party's value behind a rolled-up criterion, with the observation it comes from."""

    code: str = Field(description="The party's code, as in the instrument's parties.")
    raw: float | None = Field(description="The value as encoded for the engine; null: the party has no value.")
    value: str = Field(description="The value in words.")
    observation: ObservationUsed | None


class CriterionScore(ScoreModel):
    """How one criterion turned its indicator's value into points of the score."""

    key: str
    label: str
    path: str
    indicator: str
    raw: float | None = Field(description="The value as encoded for the engine (ordinal levels as positions).")
    value: str = Field(description="The value in words.")
    transformed: float | None
    normalised: Points | None
    weight: float
    local_weight: float = Field(description="The weight among its siblings, after re-normalisation.")
    effective_weight: float = Field(description="Its share of the whole score.")
    contribution: float = Field(description="Points it adds to the score.")
    max_contribution: float
    flags: list[str] = Field(description="missing, imputed, capped, winsorised.")
    rule: str = Field(description="How the value became points, in words.")
    observations: dict[str, ObservationUsed] = Field(
        description="The observations used, by indicator key: the criterion's value and a ratio's denominator."
    )
    improvement_potential: float | None = Field(description="Points gained if this criterion reached its best.")
    arithmetic_path: bool = Field(description="Whether every node above it aggregates arithmetically.")
    rollup: str | None = Field(description="For facts about the parties: how their values became one, in words.")
    context: bool = Field(description="It reads country facts as context (they count toward coverage in part).")
    parties: list[PartyFact] = Field(description="For facts about the parties: each party's value.")


class NodeScore(ScoreModel):
    """One node (the rubric itself, a dimension or a sub-dimension): its score and part in the final score."""

    key: str
    label: str
    path: str
    score: Points | None
    coverage: Share
    weight: float
    effective_weight: float
    contribution: float
    aggregation: str
    flags: list[str]


class ScoreExplanation(OfRun):
    """One instrument's score, grade, rank and coverage with the whole explanation and its evidence."""

    instrument: str
    score: Points | None
    score_range: ScoreRange
    provisional: bool = PROVISIONAL
    grade: str | None
    rank: int | None
    ranked: int = Field(description="How many instruments have a rank.")
    coverage: Share
    needed_coverage: Share = Field(description="The coverage the rubric asks of a score for a grade.")
    insufficient_data: str | None
    missing: list[str]
    nodes: list[NodeScore]
    criteria: list[CriterionScore]
    lines: list[str] = Field(description="The explanation as lines a person reads.")


class HistoryPoint(ScoreModel):
    """The score on one day where the instrument's data changed."""

    as_of: date
    score: Points | None
    score_range: ScoreRange
    provisional: bool = PROVISIONAL
    rank: int | None
    grade: str | None
    coverage: Share


class ScoreHistory(ScoreModel):
    """An instrument's score at each date where its data changed (the latest ones)."""

    rubric: RubricReference
    perspective: str | None
    data_revision: int = Field(description="The revision of the data: every point is computed on it.")
    instrument: str
    points: list[HistoryPoint]


class TreePlace(ScoreModel):
    """A node or criterion of the rubric."""

    key: str
    label: str
    path: str


class ComparedInstrument(ScoreModel):
    """One instrument's column of a comparison."""

    instrument: str
    score: Points | None
    score_range: ScoreRange
    provisional: bool = PROVISIONAL
    rank: int | None
    grade: str | None
    coverage: Share
    nodes: dict[str, float | None] = Field(description="Points per node and criterion key.")


class Comparison(OfRun):
    """A few instruments side by side, node by node."""

    nodes: list[TreePlace]
    criteria: list[TreePlace]
    instruments: list[ComparedInstrument]


class GroupExtreme(ScoreModel):
    """The best or worst instrument of a group."""

    instrument: str
    score: Points


class GroupSummary(ScoreModel):
    """The scores of one group of instruments."""

    group: str
    count: int = Field(description="Instruments in the group.")
    scored: int = Field(description="Of them, those with a score.")
    provisional: int = Field(description="Of those, the ones whose score is provisional (no grade).")
    mean: float | None
    median: float | None
    min: float | None
    max: float | None
    best: GroupExtreme | None
    worst: GroupExtreme | None


class ScoreSummary(OfRun):
    """Per group: count, mean, median, min, max, best and worst."""

    group_by: str
    groups: list[GroupSummary]


class PreviewedInstrument(ScoreModel):
    """One instrument under the changed rubric, beside its baseline."""

    instrument: str
    score: Points | None
    rank: int | None
    baseline_score: Points | None
    baseline_rank: int | None
    score_change: float | None
    rank_change: int | None = Field(description="Baseline rank minus new rank: positive moved up.")


class Preview(ScoreModel):
    """The ranking under changed weights or a draft definition, against a baseline; nothing is saved."""

    baseline: RubricReference
    alternative: RubricReference
    alternative_digest: str = Field(description="Names the previewed definition: equal definitions, equal digests.")
    as_of: date
    perspective: str | None
    data_revision: int
    moved: int = Field(description="How many instruments changed rank, gaining or losing one included.")
    items: list[PreviewedInstrument]


class WeightInfluence(ScoreModel):
    """How much one weight moves the ranking."""

    key: str
    label: str
    first_order: float = Field(description="Its first-order share of the rank variance (0..1).")


class InstrumentSensitivity(ScoreModel):
    """One instrument's rank under perturbed weights."""

    instrument: str
    baseline_rank: int | None
    median_rank: float | None
    rank_low: float | None = Field(description="5th percentile of the rank.")
    rank_high: float | None = Field(description="95th percentile of the rank.")
    mean_rank_shift: float | None


class Sensitivity(OfRun):
    """Median rank and 5-95% interval per instrument when the weights vary, and the weights that matter most."""

    samples: int
    spread: float
    seed: int
    influence: list[WeightInfluence]
    items: list[InstrumentSensitivity]
