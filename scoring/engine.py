"""The engine: score a whole set of instruments with one rubric in one vectorised computation.

:func:`score` runs every step over all instruments at once (transform, outlier treatment, normalisation,
aggregation, contributions, ranks, grades) and keeps every array in the :class:`ScoreSet`. An explanation
(:meth:`ScoreSet.explain`) is a slice of those arrays, rendered on demand.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from scoring.aggregate import Aggregated, Trace, aggregate, aggregate_with_trace
from scoring.arrays import BoolArray, FloatArray, IntArray, ObjectArray, min_tie_rank
from scoring.catalogue import IndicatorSpec, encode_value
from scoring.normalise import Normalised, normalise
from scoring.plan import CriterionPlan, Plan, compile_plan
from scoring.rollup import PartyValues, code_problem
from scoring.rubric import MAGNITUDE, Rubric
from scoring.treatment import apply_transform, treat_outliers

if TYPE_CHECKING:
    from scoring.explain import Explanation

Evidence = Mapping[tuple[str, str], Mapping[str, Any]]

COVERAGE_TOLERANCE = 1e-9
"""Coverage is a ratio of sums of weights: a share meant to equal a threshold may fall short of it by rounding."""


@dataclass(frozen=True)
class EngineInput:
    """The data to score: instruments x indicators, encoded as floats (see :mod:`scoring.catalogue`).

    Attributes:
        instrument_ids: one id per row, distinct.
        indicator_keys: one catalogue key per column, distinct.
        values: float64 matrix, NaN where no value is known, else within ±``MAGNITUDE`` (1e15).
        evidence: optional, keyed by ``(instrument_id, indicator_key)``: whatever backs the value (source,
            date, confidence...); explanations hand it back unchanged.
        groups: optional group label per instrument (None: no group), for group imputation.
        catalogue: the specs of the indicators, needed to decode ordinal and category values.
        party_values: optional, the values of party- and country-level indicators per (instrument row,
            party) and each instrument's parties (:class:`scoring.rollup.PartyValues`); criteria with a
            ``rollup`` read them. Such an indicator needs no column in ``values``; if it has one (the
            catalogue's keys are the columns of :meth:`from_records`), the column is not read.

    Raises:
        ValueError: shapes that do not fit, ids or keys that repeat, values beyond ±``MAGNITUDE``; with party
            values, a party list per instrument missing; with a catalogue too, party values of an indicator it
            lacks or calls instrument-level, codes that do not fit an indicator, or a matrix column of a party-
            or country-level indicator holding a value (its values belong in ``party_values``).

    >>> data = EngineInput(("a", "b"), ("X",), np.array([[1.0], [np.nan]]))
    >>> data.values.shape
    (2, 1)
    """

    instrument_ids: tuple[str, ...]
    indicator_keys: tuple[str, ...]
    values: FloatArray
    evidence: Evidence = field(default_factory=dict)
    groups: tuple[str | None, ...] | None = None
    catalogue: Mapping[str, IndicatorSpec] | None = None
    party_values: PartyValues | None = None

    def __post_init__(self) -> None:
        # Column-major: the engine reads one indicator over all instruments at a time.
        object.__setattr__(self, "values", np.asfortranarray(self.values, dtype=np.float64))
        rows, columns = len(self.instrument_ids), len(self.indicator_keys)
        if self.values.shape != (rows, columns):
            raise ValueError(f"values has shape {self.values.shape}, expected {(rows, columns)}")
        for name, keys in (("instrument ids", self.instrument_ids), ("indicator keys", self.indicator_keys)):
            if len(set(keys)) != len(keys):
                raise ValueError(f"{name} must be distinct")
        if self.groups is not None and len(self.groups) != rows:
            raise ValueError(f"groups has {len(self.groups)} labels for {rows} instruments")
        if (np.abs(self.values) > MAGNITUDE).any():  # NaN compares false: a missing value passes
            raise ValueError(f"values must be NaN or finite within ±{MAGNITUDE:g}")
        if self.party_values is not None and len(self.party_values.party_lists) != rows:
            raise ValueError(
                f"party_values has {len(self.party_values.party_lists)} party lists for {rows} instruments"
            )
        if self.catalogue is not None:
            self._check_levels(self.catalogue)

    def _check_levels(self, catalogue: Mapping[str, IndicatorSpec]) -> None:
        """Party and country values sit in ``party_values``, instrument values in the matrix, codes fit."""
        for column, key in enumerate(self.indicator_keys):
            spec = catalogue.get(key)
            if spec is not None and spec.level != "instrument" and not np.isnan(self.values[:, column]).all():
                raise ValueError(f"{key!r} is a {spec.level}-level indicator: its values go in party_values")
        for key, party_column in (self.party_values.columns if self.party_values else {}).items():
            spec = catalogue.get(key)
            problem = f"party values of {key!r}, which the catalogue lacks" if spec is None else None
            problem = problem or (code_problem(key, party_column, spec) if spec is not None else None)
            if problem:
                raise ValueError(problem)

    @classmethod
    def from_records(
        cls,
        records: Mapping[str, Mapping[str, object]],
        catalogue: Mapping[str, IndicatorSpec],
        *,
        evidence: Evidence | None = None,
        groups: Mapping[str, str | None] | None = None,
        party_values: PartyValues | None = None,
    ) -> "EngineInput":
        """Build the input from plain values per instrument, encoding each with its catalogue entry.

        Party- and country-level indicators keep a column (all missing): their values come in
        ``party_values`` (see :meth:`scoring.rollup.PartyValues.from_records`).

        >>> spec = IndicatorSpec(key="RA", label="Deadlines", value_type="ordinal", levels=["none", "fixed"])
        >>> EngineInput.from_records({"x": {"RA": "fixed"}, "y": {}}, {"RA": spec}).values.tolist()
        [[1.0], [nan]]
        """
        keys = tuple(catalogue)
        matrix = np.array(
            [[encode_value(catalogue[key], row.get(key)) for key in keys] for row in records.values()],
            dtype=np.float64,
        ).reshape(len(records), len(keys))
        labels = tuple(groups.get(instrument) for instrument in records) if groups is not None else None
        return cls(tuple(records), keys, matrix, evidence or {}, labels, catalogue, party_values)

    @cached_property
    def group_codes(self) -> IntArray | None:
        """Each instrument's group as an integer code, -1 for none."""
        if self.groups is None:
            return None
        names = sorted({label for label in self.groups if label is not None})
        code = {name: position for position, name in enumerate(names)}
        return np.array([code.get(label, -1) if label is not None else -1 for label in self.groups], dtype=np.intp)


@dataclass(frozen=True)
class CriterionData:
    """Per criterion (rows) and instrument (columns), the values before normalisation and what treatment did.

    ``rolled`` holds the values of rolled-up criteria by criterion position when ``raw`` and ``transformed``
    are the input's matrix read in place (each criterion reads its own column, none is transformed): their
    rows there are only placeholders. Otherwise it is empty, and the rows hold the rolled-up values. Read a
    row with :meth:`raw_of` and :meth:`transformed_of`.
    """

    raw: FloatArray
    transformed: FloatArray
    winsorised: BoolArray
    treatment: tuple[str | None, ...]
    rolled: Mapping[int, FloatArray] = field(default_factory=dict)

    def raw_of(self, column: int) -> FloatArray:
        """A criterion's values before any transform, one per instrument."""
        values: FloatArray = self.rolled[column] if column in self.rolled else self.raw[column]
        return values

    def transformed_of(self, column: int) -> FloatArray:
        """A criterion's values as normalised, one per instrument."""
        values: FloatArray = self.rolled[column] if column in self.rolled else self.transformed[column]
        return values

    def missing(self, row: int) -> BoolArray:
        """Per criterion, whether instrument ``row`` has no value for it (after transforms)."""
        missing: BoolArray = np.isnan(self.transformed[:, row])
        for column, values in self.rolled.items():
            missing[column] = np.isnan(values[row])
        return missing


@dataclass(frozen=True)
class ScoreSet:
    """Every array of one scoring run: scores, ranks, grades and coverage per instrument, :meth:`node_scores` and
    :meth:`explain`."""

    plan: Plan
    data: EngineInput
    criteria: CriterionData
    normalised: Normalised
    aggregated: Aggregated
    trace: Trace
    weights: FloatArray
    perspective: str | None = None
    """The party whose point of view the run took (criteria rolled up ``over: perspective`` read its values)."""

    @property
    def rubric(self) -> Rubric:
        """The rubric scored with."""
        return self.plan.rubric

    @property
    def instrument_ids(self) -> tuple[str, ...]:
        """The instruments, in input order."""
        return self.data.instrument_ids

    @cached_property
    def scores(self) -> FloatArray:
        """The final score per instrument; NaN when data is insufficient."""
        scores: FloatArray = self.aggregated.nodes[0, 0]
        return scores

    @cached_property
    def ranks(self) -> FloatArray:
        """Rank per instrument (1 = best, ties share the lower rank); NaN when unranked."""
        return min_tie_rank(np.round(self.scores, 9))

    @cached_property
    def provisional(self) -> BoolArray:
        """Per instrument: a score resting on less of the rubric's weight than ``grading.min_coverage`` asks."""
        needed = self.rubric.grading.min_coverage
        provisional: BoolArray = ~np.isnan(self.scores) & (self.coverage + COVERAGE_TOLERANCE < needed)
        return provisional

    @cached_property
    def grades(self) -> ObjectArray:
        """The grade band of each score (None without a score, or with a provisional one), as labels."""
        bands = sorted(self.rubric.grades, key=lambda band: band.min)
        labels = np.array([band.label for band in bands] + [None], dtype=object)
        position = np.searchsorted([band.min for band in bands], self.scores, side="right") - 1
        position[np.isnan(self.scores) | self.provisional] = len(bands)
        grades: ObjectArray = labels[np.maximum(position, 0)]
        return grades

    @cached_property
    def score_range(self) -> tuple[FloatArray, FloatArray]:
        """The lowest and highest score each instrument could reach if every criterion without a value took its
        worst or best points, the values present staying as they are.

        One aggregation of the instruments twice over (filled low, then high), for every aggregation method:
        they are all monotone in each child, so the two fillings bound every possible completion. The statistics
        of population-relative normalisations are held fixed, as in the improvement potential. An instrument
        without a score gets its range too: what its missing criteria could make of it.
        """
        plan, points = self.plan, self.normalised.points
        count = points.shape[1]
        missing = np.isnan(points)
        criteria = plan.criterion_count
        filled = np.empty((criteria, 2 * count))
        filled[:, :count] = np.where(missing, plan.floors[:criteria, None], points)
        filled[:, count:] = np.where(missing, plan.ceilings[:criteria, None], points)
        bounds = aggregate(plan, filled, self.weights[None, :]).nodes[0, 0]
        return bounds[:count], bounds[count:]

    @property
    def coverage(self) -> FloatArray:
        """Share of the rubric's weight resting on data present, per instrument."""
        coverage: FloatArray = self.aggregated.coverage[0, 0]
        return coverage

    def index_of(self, instrument_id: str) -> int:
        """The row of an instrument; KeyError when it was not scored."""
        try:
            return self.instrument_ids.index(instrument_id)
        except ValueError:
            raise KeyError(f"instrument {instrument_id!r} was not scored") from None

    def node_scores(self, key: str) -> FloatArray:
        """A node's scores (the rubric key gives the final scores) or a criterion's points, per instrument."""
        return self.column_scores(self.plan.column_of(key))

    def column_scores(self, column: int) -> FloatArray:
        """The points of a plan column per instrument: a criterion's (``column < C``), else a node's scores."""
        criteria = self.plan.criterion_count
        values: FloatArray = (
            self.trace.used[column] if column < criteria else self.aggregated.nodes[0, column - criteria]
        )
        return values

    def explain(self, instrument_id: str) -> "Explanation":
        """Explain one instrument's score: a slice of this run's arrays (see :mod:`scoring.explain`)."""
        from scoring.explain import explain

        return explain(self, self.index_of(instrument_id))

    def insufficient_reason(self, instrument_id: str) -> str | None:
        """Why an instrument has no score, in one sentence; None when it has one."""
        from scoring.explain import insufficient_reason

        return insufficient_reason(self, self.index_of(instrument_id))


def score(rubric: Rubric | Plan, data: EngineInput, perspective: str | None = None) -> ScoreSet:
    """Score every instrument of ``data`` with a rubric, or with a plan compiled from one.

    A rubric is validated and compiled on every call; a caller scoring many inputs with one rubric compiles it
    once with :func:`scoring.plan.compile_rubric` (or keeps a :class:`scoring.plan.PlanCache`) and passes the
    plan. The engine keeps no state between calls.

    ``perspective`` (a party code such as ``"UZB"``) scores from that party's point of view: criteria rolled
    up ``over: perspective`` read its values only (see :func:`evaluate`).

    Raises:
        RubricError: the rubric has problems or does not fit the data (see :func:`scoring.plan.compile_plan`).
        ValueError: a plan compiled for other indicator columns than the data's, or an encoded ordinal,
            category or boolean value out of range.

    >>> from scoring.rubric import MAGNITUDE, Rubric
    >>> rubric = Rubric.model_validate({"key": "r", "label": "R", "dimensions": [{"key": "d", "label": "D",
    ...     "criteria": [{"key": "c", "label": "C", "indicator": "X",
    ...                   "normalisation": {"method": "goalposts", "min": 0, "max": 10}}]}]})
    >>> result = score(rubric, EngineInput(("a", "b"), ("X",), np.array([[2.5], [10.0]])))
    >>> result.scores.tolist(), result.ranks.tolist(), result.grades.tolist()
    ([25.0, 100.0], [2.0, 1.0], ['Moderate', 'High'])
    """
    return evaluate(plan_for(rubric, data), data, perspective=perspective)


def plan_for(rubric: Rubric | Plan, data: EngineInput) -> Plan:
    """The plan to score ``data`` with: a plan as given (checked against the data's columns), or a rubric compiled.

    Raises:
        RubricError: the rubric has problems or does not fit the data.
        ValueError: the plan was compiled for other indicator columns than the data's.
    """
    if not isinstance(rubric, Plan):
        return compile_plan(rubric, data.indicator_keys, data.catalogue)
    if rubric.indicator_keys != data.indicator_keys:
        raise ValueError(
            "the plan was compiled for other indicator columns than the data's: compile it with "
            "indicator_keys=data.indicator_keys"
        )
    return rubric


def evaluate(
    plan: Plan, data: EngineInput, weights: FloatArray | None = None, perspective: str | None = None
) -> ScoreSet:
    """Score with a compiled plan, optionally under other weights (one per plan column) and from a perspective.

    First, each criterion with a ``rollup`` gets its values from ``data.party_values``
    (:meth:`scoring.rollup.PartyValues.roll_up`, vectorised over all instruments): NaN where no party has a
    value. With a ``perspective``, a criterion rolled up ``over: perspective`` reads that party's value only
    (NaN where it is not a party of the instrument); one rolled up ``over: parties`` reads all parties still.
    Then come transforms, outlier treatment, normalisation and aggregation.

    Raises:
        ValueError: ``weights`` of the wrong shape, NaN, infinite or negative, or zero for all the children
            of a node (see :func:`weight_problem`).

    >>> from scoring.plan import compile_rubric
    >>> rubric = Rubric.model_validate({"key": "r", "label": "R", "dimensions": [{"key": "d", "label": "D",
    ...     "criteria": [{"key": "c", "label": "C", "indicator": "X", "normalisation": {"method": "rank"}}]}]})
    >>> data = EngineInput(("a",), ("X",), np.array([[1.0]]))
    >>> evaluate(compile_rubric(rubric, indicator_keys=data.indicator_keys), data, np.array([np.nan, 1.0, 1.0]))
    Traceback (most recent call last):
    ...
    ValueError: the weight of 'c' is nan; weights must be finite and at least 0

    A criterion on the parties' values, from Uzbekistan's perspective and without one:

    >>> from scoring.rollup import PartyColumn, PartyValues
    >>> rubric = Rubric.model_validate({"key": "r", "label": "R", "dimensions": [{"key": "d", "label": "D",
    ...     "criteria": [{"key": "c", "label": "C", "indicator": "P",
    ...                   "rollup": {"method": "mean", "over": "perspective"},
    ...                   "normalisation": {"method": "goalposts", "min": 0, "max": 10}}]}]})
    >>> parties = PartyValues((("UZB", "KAZ"), ("KAZ",)),
    ...                       {"P": PartyColumn(np.array([0, 0, 1]), ("UZB", "KAZ", "KAZ"), np.array([2.0, 6.0, 8.0]))})
    >>> data = EngineInput(("a", "b"), (), np.zeros((2, 0)), party_values=parties)
    >>> plan = compile_rubric(rubric, indicator_keys=())
    >>> evaluate(plan, data).scores.tolist(), evaluate(plan, data, perspective="UZB").scores.tolist()
    ([40.0, 80.0], [20.0, nan])
    """
    vector = plan.weights if weights is None else np.asarray(weights, dtype=np.float64)
    problem = weight_problem(plan, vector)
    if problem is not None:
        raise ValueError(problem)
    criteria = _criterion_data(plan, data, perspective)
    normalised = normalise([criterion.rule for criterion in plan.criteria], criteria.transformed, criteria.rolled)
    aggregated, trace = aggregate_with_trace(plan, normalised.points, vector[None, :], data.group_codes)
    result = ScoreSet(plan, data, criteria, normalised, aggregated, trace, vector, perspective)
    _ = result.ranks, result.grades  # part of every run: the bulk table is ready when score() returns
    return result


def _rolled_up(data: EngineInput, criterion: CriterionPlan, perspective: str | None) -> FloatArray:
    """A rolled-up criterion's values, one per instrument (one vectorised pass; NaN without party values)."""
    rollup = criterion.rollup
    if data.party_values is None or rollup is None:
        return np.full(len(data.instrument_ids), np.nan)
    party = perspective if rollup.over == "perspective" else None
    return data.party_values.roll_up(criterion.indicator, rollup.method, party)


def weight_problem(plan: Plan, weights: FloatArray) -> str | None:
    """What makes a weight vector unusable with a plan, or None: its shape, a weight that is NaN, infinite
    or negative, or a node whose children all weigh zero (it would have nothing to aggregate)."""
    if weights.shape != plan.weights.shape:
        return f"expected {plan.weights.shape[0]} weights (one per plan column), got shape {weights.shape}"
    bad = np.flatnonzero(~np.isfinite(weights) | (weights < 0))
    if bad.size:
        column = int(bad[0])
        return f"the weight of {plan.keys[column]!r} is {weights[column]}; weights must be finite and at least 0"
    for node in plan.nodes:
        if not weights[node.children].any():
            return f"the weights of every child of {node.key!r} are zero"
    return None


def _criterion_data(plan: Plan, data: EngineInput, perspective: str | None) -> CriterionData:
    """Gather each criterion's column (rolled up from the parties' values where it says so) and apply its
    transform and outlier treatment.

    When each criterion reads its own matrix column in order and none is transformed, the matrix is read in
    place (no copy) and the rolled-up criteria's values ride beside it (:attr:`CriterionData.rolled`).
    """
    values = data.values
    columns = [criterion.column for criterion in plan.criteria]
    by_indicator = values.T
    treated = [criterion for criterion in plan.criteria if criterion.transform or criterion.outliers]
    rolled = {
        position: _rolled_up(data, criterion, perspective)
        for position, criterion in enumerate(plan.criteria)
        if criterion.rollup is not None
    }
    in_place = columns == list(range(values.shape[1]))
    if in_place and not treated:
        nothing = np.zeros((0, 0), dtype=np.bool_)
        return CriterionData(by_indicator, by_indicator, nothing, (None,) * len(columns), rolled)
    if not rolled:
        raw = by_indicator if in_place else by_indicator[columns]
    else:
        # A rolled-up criterion may have no matrix column (-1): any placeholder row does, it is overwritten.
        raw = (
            by_indicator[[max(column, 0) for column in columns]]
            if values.shape[1]
            else np.empty((len(columns), values.shape[0]))
        )
        for position, column in rolled.items():
            raw[position] = column
    if not treated:
        nothing = np.zeros((0, 0), dtype=np.bool_)
        return CriterionData(raw, raw, nothing, (None,) * len(columns))
    transformed = raw.copy()
    winsorised = np.zeros(raw.shape, dtype=np.bool_)
    treatment: list[str | None] = [None] * len(columns)
    for position, criterion in enumerate(plan.criteria):
        if criterion not in treated:
            continue
        denominator = by_indicator[criterion.denominator_column] if criterion.denominator_column is not None else None
        column = apply_transform(criterion.transform, raw[position], denominator)
        if criterion.outliers is not None:
            outcome = treat_outliers(criterion.outliers, column)
            column, winsorised[position], treatment[position] = outcome.values, outcome.winsorised, outcome.summary
        transformed[position] = column
    return CriterionData(raw, transformed, winsorised, tuple(treatment))
