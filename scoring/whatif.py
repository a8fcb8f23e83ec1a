"""What-if: re-weight a rubric without saving it, and compare two scoring runs instrument by instrument."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from scoring.arrays import FloatArray
from scoring.catalogue import IndicatorSpec
from scoring.engine import ScoreSet
from scoring.rubric import Rubric
from scoring.validation import RubricError, RubricProblem, parse_rubric, validate_rubric


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

    def records(self) -> list[dict[str, Any]]:
        """Plain rows for JSON (None for NaN, ints for ranks)."""
        columns = {name: _plain_list(getattr(self, name), float) for name in _SCORE_COLUMNS}
        columns.update({name: _plain_list(getattr(self, name), int) for name in _RANK_COLUMNS})
        names = list(columns)
        return [
            {"instrument_id": instrument, **dict(zip(names, values, strict=True))}
            for instrument, *values in zip(self.instrument_ids, *columns.values(), strict=True)
        ]


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


def weight_override_problems(rubric: Rubric, overrides: Mapping[str, float]) -> list[RubricProblem]:
    """Every problem of a set of weight overrides: unknown keys (path ``overrides.<key>``) and bad weights.

    >>> rubric = Rubric.model_validate({"key": "r", "label": "R", "dimensions": [{"key": "d", "label": "D",
    ...     "criteria": [{"key": "c", "label": "C", "indicator": "X", "normalisation": {"method": "rank"}}]}]})
    >>> for problem in weight_override_problems(rubric, {"nope": 1.0, "c": -2.0}):
    ...     print(problem)
    overrides.nope: no dimension or criterion has the key 'nope'
    dimensions[0].criteria[0].weight: Input should be greater than or equal to 0
    """
    _, problems = _overridden(rubric, overrides)
    return problems


def apply_weight_overrides(
    rubric: Rubric, overrides: Mapping[str, float], catalogue: Mapping[str, IndicatorSpec] | None = None
) -> Rubric:
    """A copy of ``rubric`` with the weights of the named nodes or criteria replaced.

    Raises:
        RubricError: with every problem (see :func:`weight_override_problems`).
    """
    raw, problems = _overridden(rubric, overrides)
    if problems:
        raise RubricError(problems)
    return parse_rubric(raw, catalogue)


def _overridden(rubric: Rubric, overrides: Mapping[str, float]) -> tuple[dict[str, Any], list[RubricProblem]]:
    """The rubric as a dict with the overrides written in, and the problems found."""
    raw = rubric.model_dump()
    found = {item["key"]: item for item in _items(raw)}
    problems = [
        RubricProblem(path=f"overrides.{key}", message=f"no dimension or criterion has the key {key!r}")
        for key in overrides
        if key not in found
    ]
    for key, weight in overrides.items():
        if key in found:
            found[key]["weight"] = weight
    return raw, problems + validate_rubric(raw)


def _items(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node and criterion of a dumped rubric, root excluded."""
    for name in ("dimensions", "nodes", "criteria"):
        for child in node.get(name) or []:
            yield child
            yield from _items(child)


_SCORE_COLUMNS = ("baseline_scores", "alternative_scores", "score_change")
_RANK_COLUMNS = ("baseline_ranks", "alternative_ranks", "rank_change")


def _plain_list(values: FloatArray, kind: type[float] | type[int]) -> list[Any]:
    """Values as plain Python numbers for JSON, NaN as None, in one pass over the array."""
    missing = np.isnan(values)
    plain = np.where(missing, 0, values).astype(np.int64 if kind is int else np.float64).tolist()
    return [None if gap else value for value, gap in zip(plain, missing.tolist(), strict=True)]
