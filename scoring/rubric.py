"""The rubric schema: the one pydantic model family used by the engine, the API and the seed files.

A :class:`Rubric` is the index at the root of a tree. Its ``dimensions`` are :class:`Node` objects, each
holding either sub-dimensions (``nodes``) or :class:`Criterion` leaves; a criterion reads one catalogue
indicator and turns it into 0..100 points in three optional steps, in this order:

1. ``transform``: ``log`` or ``ratio`` to a denominator indicator;
2. ``outliers``: winsorisation when skewness and kurtosis exceed their thresholds, else a log fallback;
3. ``normalisation`` (required): one of the methods of :data:`Normalisation`, told apart by ``method``.

Weights are finite numbers from 0 to :data:`MAX_WEIGHT` (JSON numbers, never strings or booleans), used as
given; the engine divides sibling weights by their sum, so ``[1, 1, 2]`` and ``[0.25, 0.25, 0.5]`` mean the
same thing. ``missing`` (a :class:`MissingPolicy`) is
inherited from the nearest ancestor that sets one; the rubric's own defaults to re-normalising weights over
the children present.

These models check shapes and single fields; checks that need the whole tree or the catalogue (duplicate
keys, sibling weights summing to zero, unknown indicators) live in :mod:`scoring.validation`, whose
:func:`~scoring.validation.validate_rubric` reports every problem with its path.

>>> rubric = Rubric.model_validate({
...     "key": "demo", "label": "Demo",
...     "dimensions": [{"key": "legal", "label": "Legal design", "criteria": [
...         {"key": "binding", "label": "Binding", "indicator": "LD01",
...          "normalisation": {"method": "boolean"}}]}]})
>>> rubric.dimensions[0].criteria[0].normalisation.method
'boolean'
"""

import itertools
import math
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    FiniteFloat,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=100)]
MAX_WEIGHT = 1e6
"""The largest weight a node or criterion may carry: weights are relative, and beyond this they only overflow."""
MIN_WEIGHT = 1e-6
"""The smallest weight above 0: tinier ones fall below float precision and would no longer be proportions."""
MAGNITUDE = 1e15
"""The largest magnitude of a value, a goalpost, a threshold or a reference: beyond it a float loses whole-number
precision, and uncapped normalisations could overflow."""
MIN_SPAN = 1e-9
"""The smallest distance between goalposts, width of a target and magnitude of a reference value."""


def _weight(value: object) -> float:
    """A weight: a JSON number (not a string or a boolean), 0 or from MIN_WEIGHT to MAX_WEIGHT.

    Integers are compared, never converted, before they are known to be small: a 400-digit one has no float.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a weight is a number, not a string or a boolean")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("a weight must be finite")
    if value < 0:
        raise ValueError("a weight must be at least 0")
    if value > MAX_WEIGHT:
        raise ValueError(f"a weight must be at most {MAX_WEIGHT:g}")
    if 0 < value < MIN_WEIGHT:
        raise ValueError(f"a weight is 0 or at least {MIN_WEIGHT:g}")
    return float(value)


Weight = Annotated[
    float,
    PlainValidator(_weight),
    WithJsonSchema(
        {
            "type": "number",
            "minimum": 0,
            "maximum": MAX_WEIGHT,
            "description": f"0, or a number from {MIN_WEIGHT:g} to {MAX_WEIGHT:g}, relative to its siblings' "
            "weights (a JSON number; not a string or a boolean).",
        }
    ),
]
"""The one weight type of rubric definitions and weight overrides."""
Coordinate = Annotated[FiniteFloat, Field(ge=-MAGNITUDE, le=MAGNITUDE)]
"""A value on an indicator's scale: a goalpost, a threshold, a target or a reference."""
Points = Annotated[FiniteFloat, Field(ge=0.0, le=100.0)]
Aggregation = Literal["arithmetic", "geometric", "minimum"]
Direction = Literal["higher", "lower"]
MissingMethod = Literal[
    "renormalise", "worst", "impute_mean", "impute_median", "impute_group_mean", "impute_group_median"
]


class _Schema(BaseModel):
    """Base of every rubric model: unknown fields are refused, values are never coerced (no ``"5"`` for 5,
    ``"no"`` for false), instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class GradeBand(_Schema):
    """A grade given to scores at or above ``min`` (and below the next band's ``min``)."""

    label: str = Field(min_length=1)
    min: Points


def default_grades() -> list[GradeBand]:
    """The default bands: High >= 75, Substantial >= 50, Moderate >= 25, Low below.

    >>> [band.label for band in default_grades()]
    ['High', 'Substantial', 'Moderate', 'Low']
    """
    bands = (("High", 75.0), ("Substantial", 50.0), ("Moderate", 25.0), ("Low", 0.0))
    return [GradeBand(label=label, min=low) for label, low in bands]


class MissingPolicy(_Schema):
    """What a node does with a child that has no value, and how much data it needs at least.

    ``renormalise`` divides the weights by the sum over the children present; ``worst`` counts a missing
    child at the lowest points it could get; the ``impute_*`` policies fill in the mean or median of the
    child over the scored set, or over the instruments of the same group (falling back to the whole set when
    the instrument has no group or its group has no value). ``min_coverage`` is the share of the node's
    weight that must rest on data actually present (0..1); below it the node reports insufficient data.
    """

    policy: MissingMethod = "renormalise"
    min_coverage: Annotated[FiniteFloat, Field(ge=0.0, le=1.0)] = 0.0


class LogTransform(_Schema):
    """``log_base(x + offset)``; a value at or below ``-offset`` has no logarithm and counts as missing."""

    kind: Literal["log"]
    base: Annotated[FiniteFloat, Field(gt=1.0, le=1e6)] = 10.0
    offset: Coordinate = 0.0


class RatioTransform(_Schema):
    """``scale * x / denominator``, the denominator being another indicator; a zero denominator is missing."""

    kind: Literal["ratio"]
    denominator: Key
    scale: Annotated[FiniteFloat, Field(gt=0.0, le=MAGNITUDE)] = 1.0


Transform = Annotated[LogTransform | RatioTransform, Field(discriminator="kind")]


class OutlierTreatment(_Schema):
    """Winsorisation as in COINr and the OECD/JRC Handbook.

    When the sample skewness's absolute value reaches ``skewness`` and the sample excess kurtosis reaches
    ``kurtosis`` (COINr's rule: a column passes only when one is below its threshold), the most extreme
    values on the skewed side are replaced by the next one, until either statistic is back below its
    threshold or ``max_points`` values have been moved. If that is not enough and ``fallback`` is ``log``,
    the original values are log-transformed instead (``log(x - min + 1)``, mirrored for negative skew).
    """

    max_points: Annotated[int, Field(ge=1, le=100)] = 5
    skewness: Annotated[FiniteFloat, Field(gt=0.0)] = 2.0
    kurtosis: FiniteFloat = 3.5
    fallback: Literal["log", "none"] = "log"


class Goalposts(_Schema):
    """Fixed min-max: ``min`` gives 0 points and ``max`` 100 (reversed when ``direction`` is ``lower``).

    ``capped`` holds points within 0..100 for values beyond the goalposts; uncapped points may leave it.
    ``direction`` left out takes the indicator's catalogue direction (higher when unknown).
    """

    method: Literal["goalposts"]
    min: Coordinate
    max: Coordinate
    direction: Direction | None = None
    capped: bool = True

    @model_validator(mode="after")
    def _goalposts_differ(self) -> Self:
        """Equal goalposts would divide by zero, and nearly equal ones overflow."""
        if self.min == self.max:
            raise ValueError(f"goalposts must differ (min and max are both {self.min})")
        if abs(self.max - self.min) < MIN_SPAN:
            raise ValueError(f"goalposts must be at least {MIN_SPAN:g} apart")
        return self


class Band(_Schema):
    """Values at or above ``min`` (and below the next band) get ``points``."""

    min: Coordinate
    points: Points


class Bands(_Schema):
    """Thresholds to points; values below the first band get ``below`` points."""

    method: Literal["bands"]
    bands: Annotated[list[Band], Field(min_length=1)]
    below: Points = 0.0

    @model_validator(mode="after")
    def _bands_ascend(self) -> Self:
        """Band thresholds must rise strictly, or a value could fall in two bands."""
        mins = [band.min for band in self.bands]
        if any(low >= high for low, high in itertools.pairwise(mins)):
            raise ValueError(f"band thresholds must rise strictly, got {mins}")
        return self


class BooleanMap(_Schema):
    """Points for true (encoded 1) and false (encoded 0)."""

    method: Literal["boolean"]
    true_points: Points = 100.0
    false_points: Points = 0.0


class OrdinalMap(_Schema):
    """Points per ordinal level, keyed by the level names of the indicator's catalogue entry."""

    method: Literal["ordinal"]
    points: dict[str, Points]


class CategoricalMap(_Schema):
    """Points per category, keyed by the category keys of the indicator's catalogue entry."""

    method: Literal["categorical"]
    points: dict[str, Points]


class Target(_Schema):
    """Distance to a target: 100 points at ``target``, falling linearly to 0 at ``width`` away.

    ``side`` ``at_least`` gives 100 points to every value at or above the target; ``at_most`` to every
    value at or below it; ``both`` penalises distance on either side.
    """

    method: Literal["target"]
    target: Coordinate
    width: Annotated[FiniteFloat, Field(ge=MIN_SPAN, le=MAGNITUDE)]
    side: Literal["both", "at_least", "at_most"] = "both"


class MinMax(_Schema):
    """Min-max over the scored set: the worst value present gets 0, the best 100 (all equal: 50 each)."""

    method: Literal["minmax"]
    direction: Direction | None = None


class ZScore(_Schema):
    """Standardised over the scored set with the sample standard deviation (n - 1), then rescaled.

    Points are ``50 + points_per_sd * z`` (the T-score convention by default: mean 50, 10 points per standard
    deviation), held within 0..100 when ``capped``; with ``direction`` ``lower`` the sign of ``z`` flips. With
    fewer than two values or no spread, every value present gets 50.
    """

    method: Literal["zscore"]
    direction: Direction | None = None
    points_per_sd: Annotated[FiniteFloat, Field(gt=0.0, le=1000.0)] = 10.0
    capped: bool = True


class Percentile(_Schema):
    """Percentile rank over the scored set: ``100 * r / n``, ``r`` the ascending rank (ties: the lower)."""

    method: Literal["percentile"]
    direction: Direction | None = None


class Rank(_Schema):
    """Rank over the scored set, spread evenly: ``100 * (r - 1) / (n - 1)`` (ties share the lower rank)."""

    method: Literal["rank"]
    direction: Direction | None = None


class Reference(_Schema):
    """Distance to a reference value, the Handbook's "distance to a reference".

    ``reference`` is a number or the scored set's ``mean``, ``max`` or ``min``. ``ratio`` gives
    ``100 * x / ref`` and ``difference`` gives ``100 * (x - ref) / |ref|`` (for ``lower``: ``100 * ref / x``
    and ``100 * (ref - x) / |ref|``). ``capped`` holds points within 0..100.
    """

    method: Literal["reference"]
    reference: Literal["mean", "max", "min"] | Coordinate
    form: Literal["ratio", "difference"] = "ratio"
    direction: Direction | None = None
    capped: bool = True

    @model_validator(mode="after")
    def _reference_is_not_zero(self) -> Self:
        """A zero reference would divide by zero, and a nearly zero one overflow."""
        if self.reference == 0:
            raise ValueError("the reference value must not be zero")
        if isinstance(self.reference, float) and abs(self.reference) < MIN_SPAN:
            raise ValueError(f"a reference value must be at least {MIN_SPAN:g} away from zero")
        return self


Normalisation = Annotated[
    Goalposts
    | Bands
    | BooleanMap
    | OrdinalMap
    | CategoricalMap
    | Target
    | MinMax
    | ZScore
    | Percentile
    | Rank
    | Reference,
    Field(discriminator="method"),
]


RollupMethod = Literal["mean", "min", "max", "share"]


class Rollup(_Schema):
    """How the values of an instrument's parties become the instrument's one value, before any transform.

    ``method`` works on the encoded values of the parties that have one (see :mod:`scoring.catalogue`):

    * ``mean``, ``min``, ``max``: of the values; for an ordinal indicator, of the level positions (a mean
      may fall between two levels: an ordinal map then interpolates its points between them);
    * ``share``: of a boolean indicator, the share of the parties with a value where it holds, from 0 to 1
      (a share, not a percentage: normalise it as a number, e.g. goalposts 0 to 1, or bands on 0..1).

    A party without a value does not count (neither as false nor as zero); an instrument none of whose
    parties has a value has no value for the criterion.

    ``over`` says whose values count. ``parties``: all the instrument's parties, whatever the perspective (the
    instrument's reach, e.g. the share of its parties that ratified). ``perspective``: when a score is asked
    from a party's perspective, that party's value only (none where it is not a party of the instrument or
    has no value); without a perspective it falls back to all parties, as ``parties``.
    """

    method: RollupMethod
    over: Literal["parties", "perspective"] = "parties"


class Criterion(_Schema):
    """A leaf: one indicator turned into 0..100 points.

    A criterion on a party- or country-level indicator says how its parties' values roll up (``rollup``).
    A country-level indicator describes a country, not the instrument: such a criterion opts in as
    ``context``, and counts toward coverage with the rubric's ``context_factor`` (it scores with its full
    weight). With a catalogue, :func:`~scoring.validation.validate_rubric` checks both against the indicator's
    level.
    """

    key: Key
    label: str = Field(min_length=1)
    weight: Weight = 1.0
    description: str = ""
    indicator: Key
    rollup: Rollup | None = None
    context: bool = False
    transform: Transform | None = None
    outliers: OutlierTreatment | None = None
    normalisation: Normalisation


class Node(_Schema):
    """A dimension or sub-dimension: sub-dimensions in ``nodes`` or criteria in ``criteria``, not both."""

    key: Key
    label: str = Field(min_length=1)
    weight: Weight = 1.0
    description: str = ""
    aggregation: Aggregation = "arithmetic"
    missing: MissingPolicy | None = None
    nodes: list["Node"] | None = None
    criteria: list[Criterion] | None = None

    @model_validator(mode="after")
    def _one_kind_of_children(self) -> Self:
        """A node aggregates either sub-dimensions or criteria, and at least one of them."""
        if bool(self.nodes) == bool(self.criteria):
            raise ValueError("a node needs either 'nodes' or 'criteria' (a non-empty list of one, not both)")
        return self


class Grading(_Schema):
    """When a score earns a grade.

    ``min_coverage`` is the share of the rubric's weight that must rest on data present (0..1). Below it the
    score is *provisional*: it is shown with its range, but gets no grade, as the missing part could move it
    across bands.
    """

    min_coverage: Annotated[FiniteFloat, Field(ge=0.0, le=1.0)] = 0.0


DEFAULT_CONTEXT_FACTOR = 0.5
"""How much of its weight a context criterion (on a country-level indicator) adds to coverage by default."""


class Rubric(_Schema):
    """The index: its dimensions, how they aggregate, the grade bands of the final score and when they apply.

    ``context_factor`` (0 < f <= 1, default 0.5) is how much of its weight a context criterion adds to
    coverage when it has a value: a country's facts say less about an instrument than the instrument's own.
    It lives on the rubric, not in ``grading``, because it defines coverage itself, and coverage serves every
    node's ``missing.min_coverage`` as well as ``grading.min_coverage``; a context criterion still scores
    with its full weight.
    """

    key: Key
    label: str = Field(min_length=1)
    description: str = ""
    grades: list[GradeBand] = Field(default_factory=default_grades)
    grading: Grading = Grading()
    context_factor: Annotated[FiniteFloat, Field(gt=0.0, le=1.0)] = DEFAULT_CONTEXT_FACTOR
    aggregation: Aggregation = "arithmetic"
    missing: MissingPolicy = MissingPolicy()
    dimensions: Annotated[list[Node], Field(min_length=1)]

    @field_validator("grades")
    @classmethod
    def _grades_cover_the_scale(cls, grades: list[GradeBand]) -> list[GradeBand]:
        """Every score from 0 up must fall in exactly one band."""
        mins = [band.min for band in grades]
        if not mins or min(mins) != 0.0 or len(set(mins)) != len(mins):
            raise ValueError("grades need distinct minimums and a band starting at 0")
        return grades
