"""The engine reproduces the Technology Achievement Index (UNDP HDR 2001; OECD/JRC Handbook, 2008).

The derived file prints 6 decimals from goalposts given to 6 decimals, hence its 1e-6 tolerance.

The four methods and their tolerances are those stated in ../shared/reference/tai/README.md.
"""

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from scoring.engine import EngineInput, ScoreSet, score
from scoring.rubric import Rubric

SCHOOLING_MEAN = 9.5957  # as stated in the reference README (Table 15)


def tai_rubric(meta: list[dict[str, str]], kit: SimpleNamespace, capped: bool = True) -> Rubric:
    """Method 1: HDR goalposts, capped, arithmetic mean of four dimensions of two indicators."""
    dimensions: dict[str, list[dict[str, Any]]] = {}
    for row in meta:
        posts = kit.goalposts(float(row["hdr_goalpost_min"]), float(row["hdr_goalpost_max"]), capped=capped)
        dimensions.setdefault(row["dimension"], []).append(kit.criterion(row["code"].lower(), posts))
    return kit.rubric(
        [{"key": f"dim{i}", "label": name, "criteria": items} for i, (name, items) in enumerate(dimensions.items())]
    )


def flat_rubric(meta: list[dict[str, str]], kit: SimpleNamespace, weights: dict[str, float], **node: Any) -> Rubric:
    """One dimension holding the 8 indicators with the given weights and goalposts normalisation."""
    criteria = [
        kit.criterion(
            row["code"].lower(),
            node.pop("normalisation", None)
            or kit.goalposts(float(row["hdr_goalpost_min"]), float(row["hdr_goalpost_max"])),
            weight=weights[row["code"]],
        )
        for row in meta
    ]
    return kit.rubric([{"key": "all", "label": "All indicators", "criteria": criteria, **node}])


def ranks_by_country(result: ScoreSet) -> dict[str, int]:
    return {country: int(rank) for country, rank in zip(result.instrument_ids, result.ranks, strict=True)}


@pytest.fixture(scope="module")
def method_one(tai_meta: list[dict[str, str]], tai_data: EngineInput, kit: SimpleNamespace) -> ScoreSet:
    return score(tai_rubric(tai_meta, kit), tai_data)


def test_method_one_reproduces_every_published_rank(
    method_one: ScoreSet, tai_expected: dict[str, dict[str, str]]
) -> None:
    ranks = ranks_by_country(method_one)
    assert ranks == {country: int(row["t23_EW"]) for country, row in tai_expected.items()}
    assert ranks == {country: int(row["t38_LIN"]) for country, row in tai_expected.items()}


def test_method_one_scores_match_the_published_values_within_the_stated_tolerances(
    method_one: ScoreSet, tai_derived: dict[str, dict[str, str]]
) -> None:
    scores = dict(zip(method_one.instrument_ids, method_one.scores / 100.0, strict=True))
    assert round(scores["Finland"], 4) == 0.7449
    assert round(scores["United States"], 4) == 0.7329
    for country, row in tai_derived.items():
        assert scores[country] == pytest.approx(float(row["tai_computed"]), abs=1e-6)
        if row["published_tai_2dp_secondary"]:
            assert abs(scores[country] - float(row["published_tai_2dp_secondary"])) <= 0.006
        if row["published_tai_3dp_primary"]:
            assert abs(scores[country] - float(row["published_tai_3dp_primary"])) <= 0.001


def test_method_one_normalised_values_and_dimension_indices_match_the_recomputation(
    method_one: ScoreSet, tai_meta: list[dict[str, str]], tai_derived: dict[str, dict[str, str]]
) -> None:
    countries = list(method_one.instrument_ids)
    for row in tai_meta:
        expected = [float(tai_derived[country][f"norm_{row['code']}"]) for country in countries]
        assert method_one.node_scores(row["code"].lower()) / 100.0 == pytest.approx(expected, abs=1e-6)
    for index, name in enumerate(("creation", "recent", "old", "skills")):
        expected = [float(tai_derived[country][f"dim_{name}"]) for country in countries]
        assert method_one.node_scores(f"dim{index}") / 100.0 == pytest.approx(expected, abs=1e-6)


def test_method_one_contribution_of_each_indicator_is_an_eighth_of_its_normalised_value(
    method_one: ScoreSet, tai_derived: dict[str, dict[str, str]]
) -> None:
    for country in method_one.instrument_ids:
        explanation = method_one.explain(country)
        for item in explanation.criteria:
            assert item.effective_weight == pytest.approx(0.125, abs=1e-15)
            assert item.contribution == pytest.approx(
                100.0 * float(tai_derived[country][f"norm_{item.indicator}"]) / 8, abs=1e-4
            )
        assert abs(sum(item.contribution for item in explanation.criteria) - explanation.score) <= 1e-9


def test_without_the_cap_finland_would_score_0_766(
    tai_meta: list[dict[str, str]], tai_data: EngineInput, kit: SimpleNamespace
) -> None:
    result = score(tai_rubric(tai_meta, kit, capped=False), tai_data)
    assert round(float(result.scores[result.index_of("Finland")]) / 100.0, 3) == 0.766


@pytest.mark.parametrize(
    ("scheme", "column", "tolerance"),
    [
        pytest.param("BAP", "t23_BAP", 0, id="budget-allocation-exact"),
        pytest.param("FA", "t23_FA", 1, id="factor-analysis-within-1-rank"),
        pytest.param("AHP", "t23_AHP", 2, id="analytic-hierarchy-within-2-ranks"),
    ],
)
def test_method_two_weight_sets_reproduce_the_published_ranks(
    scheme: str,
    column: str,
    tolerance: int,
    tai_meta: list[dict[str, str]],
    tai_data: EngineInput,
    tai_weights: dict[str, dict[str, float]],
    tai_expected: dict[str, dict[str, str]],
    kit: SimpleNamespace,
) -> None:
    ranks = ranks_by_country(score(flat_rubric(tai_meta, kit, tai_weights[scheme]), tai_data))
    shifts = {country: abs(ranks[country] - int(row[column])) for country, row in tai_expected.items()}
    assert max(shifts.values()) <= tolerance, shifts
    if tolerance == 0:
        assert ranks == {country: int(row[column]) for country, row in tai_expected.items()}


@pytest.mark.parametrize(
    "normalisation",
    [
        pytest.param({"method": "reference", "reference": "max"}, id="ratio-to-max"),
        pytest.param({"method": "reference", "reference": "mean", "capped": False}, id="ratio-to-mean"),
    ],
)
def test_method_three_geometric_mean_of_raw_values_reproduces_the_published_ranks(
    normalisation: dict[str, Any],
    tai_meta: list[dict[str, str]],
    tai_data: EngineInput,
    tai_expected: dict[str, dict[str, str]],
    kit: SimpleNamespace,
) -> None:
    equal = {row["code"]: 1.0 for row in tai_meta}
    rubric = flat_rubric(tai_meta, kit, equal, aggregation="geometric", normalisation=None)
    criteria = [{**c.model_dump(), "normalisation": normalisation} for c in rubric.dimensions[0].criteria or []]
    rubric = kit.rubric([{"key": "all", "label": "All", "aggregation": "geometric", "criteria": criteria}])
    result = score(rubric, tai_data)
    assert ranks_by_country(result) == {country: int(row["t38_GME"]) for country, row in tai_expected.items()}
    raw = tai_data.values
    scale = raw.max(axis=0) if normalisation["reference"] == "max" else raw.mean(axis=0)
    expected = 100.0 * np.exp(np.mean(np.log(raw / scale), axis=1))
    assert result.scores == pytest.approx(expected, rel=1e-12)


def schooling_points(normalisation: dict[str, Any], tai_data: EngineInput, kit: SimpleNamespace) -> np.ndarray:
    rubric = kit.rubric([{"key": "skills", "label": "Skills", "criteria": [kit.criterion("schooling", normalisation)]}])
    return np.asarray(score(rubric, tai_data).node_scores("schooling"))


TABLE_15 = [
    pytest.param("rank_asc_min_ties", {"method": "rank"}, lambda p: 1 + p * 22 / 100, 0.0, id="rank"),
    pytest.param(
        "zscore_sample_sd", {"method": "zscore", "capped": False}, lambda p: (p - 50) / 10, 0.005, id="zscore"
    ),
    pytest.param("minmax_0_1", {"method": "minmax"}, lambda p: p / 100, 0.005, id="minmax"),
    pytest.param("percentile_rank_over_n_x100", {"method": "percentile"}, lambda p: p, 0.05, id="percentile"),
    pytest.param(
        "ratio_to_mean",
        {"method": "reference", "reference": "mean", "capped": False},
        lambda p: p / 100,
        0.005,
        id="ratio-to-mean",
    ),
    pytest.param(
        "ratio_to_best_max", {"method": "reference", "reference": "max"}, lambda p: p / 100, 0.005, id="ratio-to-max"
    ),
    pytest.param(
        "ratio_to_worst_min",
        {"method": "reference", "reference": "min", "capped": False},
        lambda p: p / 100,
        0.005,
        id="ratio-to-min",
    ),
    pytest.param(
        "reldiff_to_mean",
        {"method": "reference", "reference": "mean", "form": "difference", "capped": False},
        lambda p: p / 100,
        0.005,
        id="relative-difference-to-mean",
    ),
    pytest.param(
        "reldiff_to_worst",
        {"method": "reference", "reference": "min", "form": "difference", "capped": False},
        lambda p: p / 100,
        0.005,
        id="relative-difference-to-min",
    ),
    pytest.param(
        "above_below_mean_p20",
        {
            "method": "bands",
            "below": 0.0,
            "bands": [{"min": 0.8 * SCHOOLING_MEAN, "points": 50.0}, {"min": 1.2 * SCHOOLING_MEAN, "points": 100.0}],
        },
        lambda p: p / 50 - 1,
        0.0,
        id="above-or-below-the-mean-by-20-percent",
    ),
]


@pytest.mark.parametrize(("column", "normalisation", "back", "tolerance"), TABLE_15)
def test_method_four_schooling_normalisations_agree_with_table_15(
    column: str,
    normalisation: dict[str, Any],
    back: Any,
    tolerance: float,
    tai_data: EngineInput,
    table_15: list[dict[str, str]],
    kit: SimpleNamespace,
) -> None:
    expected = {row["country"]: float(row[column]) for row in table_15}
    points = schooling_points(normalisation, tai_data, kit)
    got = {country: float(back(value)) for country, value in zip(tai_data.instrument_ids, points, strict=True)}
    assert set(got) == set(expected)
    for country, value in expected.items():
        assert abs(got[country] - value) <= tolerance + 1e-9, (country, got[country], value)


def test_table_15_schooling_statistics_are_those_the_engine_quotes(tai_data: EngineInput, kit: SimpleNamespace) -> None:
    rubric = kit.rubric(
        [{"key": "skills", "label": "Skills", "criteria": [kit.criterion("schooling", {"method": "zscore"})]}]
    )
    rule = score(rubric, tai_data).explain("Finland").criteria[0].rule
    assert rule == "z-score over the 23 instruments with a value, higher is better (mean 9.596, sd 1.577): 50 + 10 x z"
