"""What-if: weight overrides and the comparison of two runs."""

import numpy as np
import pytest

from scoring.engine import EngineInput, score
from scoring.rubric import Rubric
from scoring.validation import RubricError
from scoring.whatif import apply_weight_overrides, compare, weight_override_problems


@pytest.fixture
def data() -> EngineInput:
    return EngineInput(
        ("un", "eu", "cis"), ("A", "B", "C"), np.array([[80.0, 60.0, 10.0], [40.0, 40.0, 70.0], [50.0, 50.0, 40.0]])
    )


def test_an_override_changes_only_the_named_weight(rubric: Rubric) -> None:
    changed = apply_weight_overrides(rubric, {"outcomes": 3.0, "b": 0.5})
    assert [d.weight for d in changed.dimensions] == [1.0, 3.0]
    assert [c.weight for c in changed.dimensions[0].criteria or []] == [1.0, 0.5]
    assert [d.weight for d in rubric.dimensions] == [1.0, 1.0]


def test_compare_reports_score_and_rank_change_per_instrument(rubric: Rubric, data: EngineInput) -> None:
    baseline = score(rubric, data)
    alternative = score(apply_weight_overrides(rubric, {"outcomes": 3.0}), data)
    comparison = compare(baseline, alternative)
    assert baseline.scores.tolist() == [40.0, 55.0, 45.0]
    assert comparison.alternative_scores.tolist() == [pytest.approx(25.0), pytest.approx(62.5), pytest.approx(42.5)]
    assert comparison.score_change.tolist() == [pytest.approx(-15.0), pytest.approx(7.5), pytest.approx(-2.5)]
    assert comparison.records()[0] == {
        "instrument_id": "un",
        "baseline_scores": 40.0,
        "alternative_scores": pytest.approx(25.0),
        "score_change": pytest.approx(-15.0),
        "baseline_ranks": 3,
        "alternative_ranks": 3,
        "rank_change": 0,
    }


def test_compare_aligns_instruments_listed_in_another_order(rubric: Rubric, data: EngineInput) -> None:
    reordered = EngineInput(("cis", "un", "eu"), data.indicator_keys, data.values[[2, 0, 1]])
    comparison = compare(score(rubric, data), score(apply_weight_overrides(rubric, {"legal": 0.0}), reordered))
    assert comparison.instrument_ids == ("un", "eu", "cis")
    assert comparison.alternative_scores.tolist() == [10.0, 70.0, 40.0]
    assert comparison.rank_change.tolist() == [0.0, 0.0, 0.0]


def test_compare_refuses_runs_over_different_instruments(rubric: Rubric, data: EngineInput) -> None:
    fewer = EngineInput(("un",), data.indicator_keys, data.values[:1])
    with pytest.raises(ValueError, match="different instruments"):
        compare(score(rubric, data), score(rubric, fewer))


def test_an_unknown_override_key_is_a_problem_with_its_key(rubric: Rubric) -> None:
    problems = weight_override_problems(rubric, {"nope": 2.0, "test": 1.0})
    assert [(p.path, p.message) for p in problems] == [
        ("overrides.nope", "no dimension or criterion has the key 'nope'"),
        ("overrides.test", "no dimension or criterion has the key 'test'"),
    ]


def test_an_override_that_zeroes_all_siblings_is_refused_with_their_path(rubric: Rubric) -> None:
    with pytest.raises(RubricError) as caught:
        apply_weight_overrides(rubric, {"legal": 0.0, "outcomes": 0.0})
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("dimensions", "the weights of all 2 dimensions are zero")
    ]
