"""What-if: re-weight a rubric without saving it, and compare two scoring runs instrument by instrument."""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from scoring.arrays import FloatArray
from scoring.catalogue import IndicatorSpec
from scoring.engine import ScoreSet
from scoring.rubric import Rubric
from scoring.tree import walk
from scoring.validation import RubricError, RubricProblem, validate_rubric


@dataclass(frozen=True)
class Comparison:
    """Per instrument, the baseline and alternative score and rank and the change.

    ``rank_change`` is baseline rank minus alternative rank: positive means the instrument moved up.
    NaN means no score (or rank) on one side.
    """

    instrument_ids: tuple[str, ...]
    baseline_scores: FloatArray
    alternative_scores: FloatArray
    score_change: FloatArray
    baseline_ranks: FloatArray
    alternative_ranks: FloatArray
    rank_change: FloatArray


def compare(baseline: ScoreSet, alternative: ScoreSet) -> Comparison:
    """Compare two runs over the same instruments (in any order), in the baseline's order.

    Raises:
        ValueError: the runs scored different sets of instruments.

    >>> from scoring.engine import EngineInput, score
    >>> data = EngineInput(("a", "b"), ("X", "Y"), np.array([[10.0, 0.0], [0.0, 4.0]]))
    >>> rubric = Rubric.model_validate({"key": "r", "label": "R", "dimensions": [{"key": "d", "label": "D",
    ...     "criteria": [{"key": k.lower(), "label": k, "indicator": k,
    ...                   "normalisation": {"method": "goalposts", "min": 0, "max": 10}} for k in "XY"]}]})
    >>> changed = compare(score(rubric, data), score(apply_weight_overrides(rubric, {"x": 0.1}), data))
    >>> changed.score_change.round(2).tolist(), changed.rank_change.tolist()
    ([-40.91, 16.36], [-1.0, 1.0])
    """
    if baseline.instrument_ids == alternative.instrument_ids:  # the usual case: the same input
        scores, ranks = alternative.scores, alternative.ranks
    else:
        if set(baseline.instrument_ids) != set(alternative.instrument_ids):
            raise ValueError("the two runs scored different instruments")
        rows = {instrument: row for row, instrument in enumerate(alternative.instrument_ids)}
        order = np.array([rows[instrument] for instrument in baseline.instrument_ids], dtype=np.intp)
        scores, ranks = alternative.scores[order], alternative.ranks[order]
    return Comparison(
        baseline.instrument_ids,
        baseline.scores,
        scores,
        scores - baseline.scores,
        baseline.ranks,
        ranks,
        baseline.ranks - ranks,
    )


def apply_weight_overrides(
    rubric: Rubric, overrides: Mapping[str, object], catalogue: Mapping[str, IndicatorSpec] | None = None
) -> Rubric:
    """A copy of ``rubric`` with the weights of the named nodes or criteria replaced.

    Every problem is reported at the override's path (``overrides.<key>``): a key no node or criterion has,
    a weight that is not a :data:`~scoring.rubric.Weight`, or siblings whose weights would all be zero.

    Raises:
        RubricError: with every problem found.

    >>> rubric = Rubric.model_validate({"key": "r", "label": "R", "dimensions": [{"key": "d", "label": "D",
    ...     "criteria": [{"key": "c", "label": "C", "indicator": "X", "normalisation": {"method": "rank"}}]}]})
    >>> apply_weight_overrides(rubric, {"c": 2.5}).dimensions[0].criteria[0].weight
    2.5
    >>> try:
    ...     apply_weight_overrides(rubric, {"nope": 1.0, "c": "2", "d": 0})
    ... except RubricError as error:
    ...     for problem in error.problems:
    ...         print(problem)
    overrides.nope: no dimension or criterion has the key 'nope'
    overrides.c: a weight is a number, not a string or a boolean
    overrides.d: the weights of all 1 dimensions are zero
    """
    raw = rubric.model_dump()
    places = {place.key: place for place in walk(raw) if place.kind != "rubric" and place.key is not None}
    problems = [
        RubricProblem(path=f"overrides.{key}", message=f"no dimension or criterion has the key {key!r}")
        for key in overrides
        if key not in places
    ]
    overridden_at: dict[str, str] = {}
    for key, weight in overrides.items():
        if key in places:
            places[key].node["weight"] = weight  # type: ignore[index]  # the dump is a plain, mutable dict
            overridden_at[places[key].path] = key
    problems += [_at_override(problem, overridden_at) for problem in validate_rubric(raw, catalogue)]
    if problems:
        raise RubricError(problems)
    return Rubric.model_validate(raw)


def _at_override(problem: RubricProblem, overridden_at: Mapping[str, str]) -> RubricProblem:
    """Point a problem of the overridden tree at the override that caused it."""
    node = problem.path.removesuffix(".weight")
    if node in overridden_at:
        return RubricProblem(path=f"overrides.{overridden_at[node]}", message=problem.message)
    siblings = [key for path, key in overridden_at.items() if path.rsplit("[", 1)[0] == problem.path]
    if siblings:
        return RubricProblem(path=f"overrides.{siblings[0]}", message=problem.message)
    return problem
