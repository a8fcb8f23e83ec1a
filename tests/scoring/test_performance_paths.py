"""The fast paths of the engine give what the straightforward ones give: compiled plans, ranks, lookups."""

from types import SimpleNamespace

import numpy as np
import pytest

from scoring.arrays import min_tie_rank
from scoring.catalogue import IndicatorSpec
from scoring.engine import EngineInput, score
from scoring.normalise import ColumnRule, normalise
from scoring.plan import PlanCache, compile_rubric
from scoring.rollup import PartyColumn, PartyValues
from scoring.rubric import Bands, OrdinalMap, Rubric


def _data(values: list[list[float]]) -> EngineInput:
    return EngineInput(tuple(f"i{row}" for row in range(len(values))), ("A", "B"), np.array(values))


def test_cached_plan_is_reused_for_the_same_rubric_only(kit: SimpleNamespace) -> None:
    rubric = kit.rubric(
        [
            {
                "key": "d",
                "label": "D",
                "criteria": [kit.criterion("a", kit.goalposts()), kit.criterion("b", kit.goalposts())],
            }
        ]
    )
    cache = PlanCache(size=2)
    first = cache.plan(rubric, ("A", "B"))
    assert cache.plan(rubric, ("A", "B")) is first
    assert cache.plan(rubric.model_copy(deep=True), ("A", "B")) is not first
    assert cache.plan(rubric, ("B", "A")) is not first


def test_scoring_a_reweighted_copy_never_reuses_the_old_plan(kit: SimpleNamespace) -> None:
    criteria = [kit.criterion("a", kit.goalposts()), kit.criterion("b", kit.goalposts())]
    rubric = kit.rubric([{"key": "d", "label": "D", "criteria": criteria}])
    data = _data([[100.0, 0.0], [0.0, 100.0]])
    assert score(rubric, data).scores.tolist() == [50.0, 50.0]
    criteria[0]["weight"] = 3.0
    heavier = kit.rubric([{"key": "d", "label": "D", "criteria": criteria}])
    assert score(heavier, data).scores.tolist() == [75.0, 25.0]
    assert score(rubric, data).scores.tolist() == [50.0, 50.0]


def test_a_plan_compiled_once_scores_as_the_rubric_does(kit: SimpleNamespace) -> None:
    criteria = [kit.criterion("a", kit.goalposts()), kit.criterion("b", kit.goalposts())]
    rubric = kit.rubric([{"key": "d", "label": "D", "criteria": criteria}])
    data = _data([[100.0, 0.0], [0.0, 100.0], [np.nan, 40.0]])
    plan = compile_rubric(rubric, indicator_keys=("A", "B"))
    from_plan, from_rubric = score(plan, data), score(rubric, data)
    assert from_plan.plan is plan
    np.testing.assert_array_equal(from_plan.scores, from_rubric.scores)
    assert from_plan.explain("i2") == from_rubric.explain("i2")


def test_a_plan_compiled_from_the_catalogue_takes_its_columns_in_order(kit: SimpleNamespace) -> None:
    rubric = kit.rubric([{"key": "d", "label": "D", "criteria": [kit.criterion("a", kit.goalposts())]}])
    catalogue = {key: IndicatorSpec(key=key, label=key, value_type="number") for key in ("B", "A")}
    assert compile_rubric(rubric, catalogue).indicator_keys == ("B", "A")


def test_a_plan_refuses_data_with_other_columns(kit: SimpleNamespace) -> None:
    rubric = kit.rubric([{"key": "d", "label": "D", "criteria": [kit.criterion("a", kit.goalposts())]}])
    plan = compile_rubric(rubric, indicator_keys=("B", "A"))
    with pytest.raises(ValueError, match="other indicator columns"):
        score(plan, _data([[1.0, 2.0]]))


def test_compiling_needs_the_catalogue_or_the_columns(kit: SimpleNamespace) -> None:
    rubric = kit.rubric([{"key": "d", "label": "D", "criteria": [kit.criterion("a", kit.goalposts())]}])
    with pytest.raises(ValueError, match="catalogue or the indicator keys"):
        compile_rubric(rubric)


def test_the_engine_keeps_no_module_level_cache() -> None:
    import scoring.engine

    assert not any(isinstance(value, PlanCache) for value in vars(scoring.engine).values())


def test_a_catalogue_changed_in_place_is_compiled_again(kit: SimpleNamespace) -> None:
    ordinal = {"method": "ordinal", "points": {"no": 0.0, "yes": 100.0}}
    rubric = kit.rubric([{"key": "d", "label": "D", "criteria": [kit.criterion("a", ordinal)]}])
    catalogue = {"A": IndicatorSpec(key="A", label="A", value_type="ordinal", levels=["no", "yes"])}
    cache = PlanCache()
    first = cache.plan(rubric, ("A",), catalogue)
    catalogue["A"] = IndicatorSpec(key="A", label="A", value_type="ordinal", levels=["yes", "no"])
    again = cache.plan(rubric, ("A",), catalogue)
    assert again is not first
    assert again.criteria[0].rule.choices == ("yes", "no")


def test_vector_ranks_match_the_batched_ranks() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        scores = np.round(rng.uniform(0.0, 10.0, size=200), 0)
        scores[rng.random(200) < 0.1] = np.nan
        batched = min_tie_rank(scores[None, :])[0]
        np.testing.assert_array_equal(min_tie_rank(scores), batched)


def test_bands_and_level_maps_match_a_cell_by_cell_reference() -> None:
    rng = np.random.default_rng(5)
    bands = Bands.model_validate({"method": "bands", "bands": [{"min": 25, "points": 40}, {"min": 60, "points": 100}]})
    levels = OrdinalMap(method="ordinal", points={"none": 0.0, "some": 30.0, "all": 100.0})
    rules = [ColumnRule(bands), ColumnRule(levels, choices=("none", "some", "all"))]
    x = np.vstack([rng.uniform(0.0, 100.0, 500), rng.integers(0, 3, 500).astype(np.float64)])
    x[rng.random(x.shape) < 0.2] = np.nan
    points = normalise(rules, x).points

    def band_points(value: float) -> float:
        if np.isnan(value):
            return float("nan")
        return 100.0 if value >= 60 else 40.0 if value >= 25 else 0.0

    expected_bands = [band_points(value) for value in x[0]]
    expected_levels = [float("nan") if np.isnan(v) else (0.0, 30.0, 100.0)[int(v)] for v in x[1]]
    np.testing.assert_array_equal(points[0], expected_bands)
    np.testing.assert_array_equal(points[1], expected_levels)


def test_a_column_exactly_at_both_thresholds_is_treated_as_in_coinr() -> None:
    from scoring.rubric import OutlierTreatment
    from scoring.treatment import skewness_and_kurtosis, treat_outliers

    column = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 200])
    skew, kurt = skewness_and_kurtosis(column)
    outcome = treat_outliers(OutlierTreatment(skewness=skew, kurtosis=kurt), column)
    assert outcome.summary == "winsorised 1 value"


def test_rolled_up_criteria_beside_the_matrix_read_in_place_score_as_when_it_is_gathered() -> None:
    catalogue = {
        "A": IndicatorSpec(key="A", label="A"),
        "P": IndicatorSpec(key="P", label="P", level="party"),
        "Q": IndicatorSpec(key="Q", label="Q", value_type="boolean", level="party"),
        "R": IndicatorSpec(key="R", label="R", level="country"),
    }
    rolled = {"P": ("max", {"method": "goalposts", "min": 0, "max": 10}), "Q": ("share", {"method": "rank"}),
              "R": ("mean", {"method": "bands", "bands": [{"min": 5, "points": 100}]})}  # fmt: skip
    criteria = [{"key": "a", "label": "A", "indicator": "A", "normalisation": {"method": "zscore"}}] + [
        {"key": key.lower(), "label": key, "indicator": key, "rollup": {"method": method}, "normalisation": rule,
         "context": key == "R"}
        for key, (method, rule) in rolled.items()
    ]  # fmt: skip
    rubric = Rubric.model_validate(
        {"key": "r", "label": "R", "dimensions": [{"key": "d", "label": "D", "criteria": criteria}]}
    )
    rng = np.random.default_rng(4)
    lists = tuple(
        tuple(rng.choice(["AAA", "BBB", "CCC"], size=int(rng.integers(0, 4)), replace=False)) for _ in range(30)
    )
    pairs = [(row, party) for row, parties in enumerate(lists) for party in parties]
    columns = {
        key: PartyColumn(
            np.array([row for row, _ in pairs], dtype=np.intp),
            [party for _, party in pairs],
            rng.integers(0, 2, len(pairs)).astype(float) if key == "Q" else rng.uniform(-2.0, 12.0, len(pairs)),
        )
        for key in rolled
    }
    values = np.full((30, 4), np.nan)
    values[:, 0] = rng.uniform(0.0, 10.0, 30)
    ids = tuple(f"i{row}" for row in range(30))
    party_values = PartyValues(lists, columns)
    in_place = EngineInput(ids, tuple(catalogue), values, catalogue=catalogue, party_values=party_values)
    reordered = {key: catalogue[key] for key in ("R", "A", "Q", "P")}
    gathered = EngineInput(
        ids, tuple(reordered), values[:, [3, 0, 2, 1]], catalogue=reordered, party_values=party_values
    )

    first, second = score(rubric, in_place), score(rubric, gathered)
    assert (len(first.criteria.rolled), len(second.criteria.rolled)) == (3, 0)
    np.testing.assert_array_equal(first.normalised.points, second.normalised.points)
    np.testing.assert_array_equal(first.normalised.capped, second.normalised.capped)
    np.testing.assert_array_equal(first.coverage, second.coverage)
    assert first.normalised.parameters == second.normalised.parameters
    assert [first.explain(i) for i in ids] == [second.explain(i) for i in ids]
