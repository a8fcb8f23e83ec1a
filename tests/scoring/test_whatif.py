"""What-if: weight overrides and the comparison of two runs."""

import numpy as np
import pytest

from scoring.engine import EngineInput, evaluate, score
from scoring.plan import compile_rubric
from scoring.rubric import Rubric
from scoring.validation import RubricError, parse_rubric
from scoring.whatif import apply_weight_overrides, compare


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
    assert (comparison.baseline_ranks.tolist(), comparison.alternative_ranks.tolist()) == ([3, 1, 2], [3, 1, 2])
    assert comparison.rank_change.tolist() == [0, 0, 0]


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
    with pytest.raises(RubricError) as caught:
        apply_weight_overrides(rubric, {"nope": 2.0, "test": 1.0})
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("overrides.nope", "no dimension or criterion has the key 'nope'"),
        ("overrides.test", "no dimension or criterion has the key 'test'"),
    ]


def test_an_override_that_zeroes_all_siblings_is_refused_at_an_override(rubric: Rubric) -> None:
    with pytest.raises(RubricError) as caught:
        apply_weight_overrides(rubric, {"legal": 0.0, "outcomes": 0.0})
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("overrides.legal", "the weights of all 2 dimensions are zero")
    ]


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        pytest.param("2", "a weight is a number, not a string or a boolean", id="string"),
        pytest.param(True, "a weight is a number, not a string or a boolean", id="true"),
        pytest.param(False, "a weight is a number, not a string or a boolean", id="false"),
        pytest.param(float("nan"), "a weight must be finite", id="nan"),
        pytest.param(float("inf"), "a weight must be finite", id="infinite"),
        pytest.param(1e307, "a weight must be at most 1e+06", id="huge"),
        pytest.param(10**400, "a weight must be at most 1e+06", id="400-digits"),
        pytest.param(-1, "a weight must be at least 0", id="negative"),
        pytest.param(5e-324, "a weight is 0 or at least 1e-06", id="subnormal"),
    ],
)
def test_an_override_weight_is_a_strict_bounded_number(rubric: Rubric, weight: object, message: str) -> None:
    with pytest.raises(RubricError) as caught:
        apply_weight_overrides(rubric, {"outcomes": weight})
    assert [(p.path, p.message) for p in caught.value.problems] == [("overrides.outcomes", message)]


def test_a_rubric_refuses_the_same_weights_as_an_override() -> None:
    criterion = {"key": "c", "label": "C", "indicator": "X", "normalisation": {"method": "rank"}}
    definition = {"key": "r", "label": "R", "dimensions": [{"key": "d", "label": "D", "criteria": [criterion]}]}
    for weight in ("2", True, 1e7):
        criterion["weight"] = weight
        with pytest.raises(RubricError, match=r"dimensions\[0\]\.criteria\[0\]\.weight"):
            parse_rubric(definition)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        pytest.param([np.nan, 1.0, 1.0, 1.0, 1.0, 1.0], "weight of 'a' is nan", id="nan"),
        pytest.param([1.0, np.inf, 1.0, 1.0, 1.0, 1.0], "weight of 'b' is inf", id="infinite"),
        pytest.param([1.0, 1.0, 1.0, 1.0, 0.0, 0.0], "every child of 'test' are zero", id="all-zero"),
        pytest.param([1.0, -1.0, 1.0, 1.0, 1.0, 1.0], "weight of 'b' is -1.0", id="negative"),
        pytest.param([1.0, 1.0], "expected 6 weights", id="shape"),
    ],
)
def test_evaluate_refuses_unusable_weights(
    rubric: Rubric, data: EngineInput, weights: list[float], message: str
) -> None:
    plan = compile_rubric(rubric, indicator_keys=data.indicator_keys)
    with pytest.raises(ValueError, match=message):
        evaluate(plan, data, np.array(weights))
