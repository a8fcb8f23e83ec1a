"""Properties every scoring run keeps, whatever the data (hypothesis)."""

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from scoring.engine import EngineInput, score
from scoring.rubric import Rubric

KEYS = ("A", "B", "C", "D")
ABSOLUTE = [
    {"method": "goalposts", "min": 0.0, "max": 100.0},
    {"method": "goalposts", "min": 20.0, "max": 80.0, "direction": "lower"},
    {"method": "bands", "bands": [{"min": 30.0, "points": 40.0}, {"min": 70.0, "points": 100.0}]},
    {"method": "target", "target": 50.0, "width": 40.0, "side": "at_least"},
]
RELATIVE = [{"method": "minmax"}, {"method": "zscore"}, {"method": "percentile"}, {"method": "rank"}]

values = st.one_of(st.floats(-50.0, 150.0, allow_nan=False), st.just(float("nan")))
matrices = st.integers(1, 7).flatmap(
    lambda rows: st.lists(st.lists(values, min_size=4, max_size=4), min_size=rows, max_size=rows)
)
weights = st.lists(st.floats(0.05, 10.0), min_size=6, max_size=6)
aggregations = st.sampled_from(["arithmetic", "geometric", "minimum"])


def rubric(normalisations: list[dict[str, Any]], weight: list[float], aggregation: str = "arithmetic") -> Rubric:
    """Two dimensions of two criteria; ``weight`` holds the 4 criterion weights then the 2 dimension weights."""
    criteria = [
        {"key": key.lower(), "label": key, "indicator": key, "weight": weight[i], "normalisation": normalisations[i]}
        for i, key in enumerate(KEYS)
    ]
    dimensions = [
        {
            "key": f"d{d}",
            "label": f"D{d}",
            "weight": weight[4 + d],
            "aggregation": aggregation,
            "criteria": criteria[2 * d : 2 * d + 2],
        }
        for d in range(2)
    ]
    return Rubric.model_validate({"key": "p", "label": "P", "aggregation": aggregation, "dimensions": dimensions})


def data(matrix: list[list[float]]) -> EngineInput:
    return EngineInput(tuple(f"i{n}" for n in range(len(matrix))), KEYS, np.array(matrix, dtype=float))


@given(matrix=matrices, weight=weights, aggregation=aggregations, relative=st.booleans())
def test_scores_stay_within_0_and_100(
    matrix: list[list[float]], weight: list[float], aggregation: str, relative: bool
) -> None:
    result = score(rubric(RELATIVE if relative else ABSOLUTE, weight, aggregation), data(matrix))
    present = result.scores[~np.isnan(result.scores)]
    assert ((present >= 0.0) & (present <= 100.0 + 1e-9)).all()


@given(matrix=matrices, weight=weights, row=st.integers(0, 6), raise_by=st.floats(0.0, 100.0), aggregation=aggregations)
def test_raising_a_higher_is_better_value_never_lowers_the_score(
    matrix: list[list[float]], weight: list[float], row: int, raise_by: float, aggregation: str
) -> None:
    row %= len(matrix)
    higher_is_better = [ABSOLUTE[0], ABSOLUTE[0], ABSOLUTE[2], ABSOLUTE[0]]
    before = score(rubric(higher_is_better, weight, aggregation), data(matrix))
    if np.isnan(matrix[row][0]):
        return
    raised = [list(line) for line in matrix]
    raised[row][0] += raise_by
    after = score(rubric(higher_is_better, weight, aggregation), data(raised))
    assert np.isnan(before.scores[row]) == np.isnan(after.scores[row])
    if not np.isnan(before.scores[row]):
        assert after.scores[row] >= before.scores[row] - 1e-9


@given(matrix=matrices, weight=weights, factor=st.floats(0.01, 100.0), aggregation=aggregations)
def test_scaling_every_weight_by_a_constant_changes_nothing(
    matrix: list[list[float]], weight: list[float], factor: float, aggregation: str
) -> None:
    before = score(rubric(ABSOLUTE, weight, aggregation), data(matrix))
    after = score(rubric(ABSOLUTE, [w * factor for w in weight], aggregation), data(matrix))
    assert after.scores == pytest.approx(before.scores, abs=1e-9, nan_ok=True)
    assert np.array_equal(after.ranks, before.ranks, equal_nan=True)


@given(matrix=matrices, weight=weights, seed=st.integers(0, 1000))
def test_reordering_instruments_changes_no_score_under_absolute_normalisations(
    matrix: list[list[float]], weight: list[float], seed: int
) -> None:
    order = np.random.default_rng(seed).permutation(len(matrix))
    before = score(rubric(ABSOLUTE, weight), data(matrix))
    shuffled = EngineInput(tuple(before.instrument_ids[i] for i in order), KEYS, np.array(matrix, dtype=float)[order])
    after = score(rubric(ABSOLUTE, weight), shuffled)
    by_id = dict(zip(after.instrument_ids, after.scores, strict=True))
    assert [by_id[i] for i in before.instrument_ids] == pytest.approx(list(before.scores), abs=1e-12, nan_ok=True)


@given(matrix=matrices, weight=weights, aggregation=aggregations, relative=st.booleans())
def test_contributions_add_up_to_the_score(
    matrix: list[list[float]], weight: list[float], aggregation: str, relative: bool
) -> None:
    result = score(rubric(RELATIVE if relative else ABSOLUTE, weight, aggregation), data(matrix))
    for instrument in result.instrument_ids:
        explanation = result.explain(instrument)
        if explanation.score is not None:
            assert abs(sum(c.contribution for c in explanation.criteria) - explanation.score) <= 1e-9


extreme_values = st.one_of(st.floats(-1e15, 1e15, allow_nan=False), st.just(float("nan")), st.just(1e-300))
extreme_matrices = st.integers(1, 6).flatmap(
    lambda rows: st.lists(st.lists(extreme_values, min_size=4, max_size=4), min_size=rows, max_size=rows)
)
coordinates = st.floats(-1e15, 1e15, allow_nan=False)


@st.composite
def extreme_rules(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Uncapped normalisations with parameters at the edges of what a rubric may say, and a ratio on one."""
    low, high = draw(coordinates), draw(coordinates)
    assume(abs(high - low) >= 1e-9)
    reference = draw(st.one_of(st.floats(1e-9, 1e15), st.floats(-1e15, -1e-9)))
    return [
        {"method": "goalposts", "min": low, "max": high, "capped": False},
        {"method": "zscore", "points_per_sd": draw(st.floats(1e-3, 1000.0)), "capped": False},
        {"method": "reference", "reference": reference, "form": draw(st.sampled_from(["ratio", "difference"])),
         "capped": False},
        {"method": "target", "target": draw(coordinates), "width": draw(st.floats(1e-9, 1e15))},
    ]  # fmt: skip


@given(matrix=extreme_matrices, rules=extreme_rules(), weight=st.lists(st.floats(1e-6, 1e6), min_size=6, max_size=6))
def test_no_rubric_within_its_bounds_gives_an_infinite_number(
    matrix: list[list[float]], rules: list[dict[str, Any]], weight: list[float]
) -> None:
    definition = rubric(rules, weight).model_dump()
    definition["dimensions"][0]["criteria"][1]["transform"] = {"kind": "ratio", "denominator": "D", "scale": 1e15}
    result = score(Rubric.model_validate(definition), data(matrix))

    for column in range(len(result.plan.keys)):
        assert not np.isinf(result.column_scores(column)).any()
    assert not np.isinf(result.scores).any()


policies = st.sampled_from(["renormalise", "worst", "impute_mean", "impute_median"])


def rubric_with_policy(
    normalisations: list[dict[str, Any]], weight: list[float], aggregation: str, policy: str
) -> Rubric:
    definition = rubric(normalisations, weight, aggregation).model_dump()
    definition["missing"] = {"policy": policy, "min_coverage": 0.0}
    return Rubric.model_validate(definition)


@given(matrix=matrices, weight=weights, aggregation=aggregations, relative=st.booleans(), policy=policies)
def test_every_score_lies_within_its_range(
    matrix: list[list[float]], weight: list[float], aggregation: str, relative: bool, policy: str
) -> None:
    result = score(rubric_with_policy(RELATIVE if relative else ABSOLUTE, weight, aggregation, policy), data(matrix))
    low, high = result.score_range
    scored = ~np.isnan(result.scores)

    assert (low[scored] <= result.scores[scored] + 1e-9).all()
    assert (result.scores[scored] <= high[scored] + 1e-9).all()
    assert (low <= high + 1e-9).all()


@given(matrix=st.lists(st.lists(st.floats(-50.0, 150.0), min_size=4, max_size=4), min_size=1, max_size=7),
       weight=weights, aggregation=aggregations, relative=st.booleans())  # fmt: skip
def test_with_every_value_present_the_range_is_the_score(
    matrix: list[list[float]], weight: list[float], aggregation: str, relative: bool
) -> None:
    result = score(rubric(RELATIVE if relative else ABSOLUTE, weight, aggregation), data(matrix))
    low, high = result.score_range

    np.testing.assert_allclose(low, result.scores, atol=1e-9)
    np.testing.assert_allclose(high, result.scores, atol=1e-9)


@given(matrix=matrices, weight=weights, aggregation=aggregations, cell=st.tuples(st.integers(0, 6), st.integers(0, 3)),
       value=st.floats(-50.0, 150.0), policy=policies)  # fmt: skip
def test_recording_a_missing_value_never_widens_the_range(
    matrix: list[list[float]],
    weight: list[float],
    aggregation: str,
    cell: tuple[int, int],
    value: float,
    policy: str,
) -> None:
    row, column = cell[0] % len(matrix), cell[1]
    assume(np.isnan(matrix[row][column]))
    definition = rubric_with_policy(ABSOLUTE, weight, aggregation, policy)
    before = score(definition, data(matrix)).score_range
    matrix[row][column] = value
    after = score(definition, data(matrix)).score_range

    assert after[0][row] >= before[0][row] - 1e-9
    assert after[1][row] <= before[1][row] + 1e-9


@given(matrix=matrices, weight=weights, needed=st.floats(0.0, 1.0))
def test_a_score_below_the_grading_coverage_is_provisional_and_has_no_grade(
    matrix: list[list[float]], weight: list[float], needed: float
) -> None:
    definition = rubric(ABSOLUTE, weight).model_dump()
    definition["grading"] = {"min_coverage": needed}
    result = score(Rubric.model_validate(definition), data(matrix))
    scored = ~np.isnan(result.scores)

    assert (result.provisional == (scored & (result.coverage < needed - 1e-9))).all()
    assert all(grade is None for grade in result.grades[result.provisional | ~scored])
    assert all(grade is not None for grade in result.grades[scored & ~result.provisional])
