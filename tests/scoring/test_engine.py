"""Scoring a set of instruments: missing data, insufficient data, ranks, grades, explanations."""

import dataclasses
import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from scoring.catalogue import IndicatorSpec
from scoring.engine import EngineInput, score
from scoring.rubric import Rubric
from scoring.validation import RubricError

NAN = math.nan


def three_criteria(kit: SimpleNamespace, missing: dict[str, Any] | None = None, **node: Any) -> Rubric:
    """One dimension of criteria A, B (weight 1) and C (weight 2), goalposts 0..10."""
    criteria = [kit.criterion(k, kit.goalposts(0, 10), weight=w) for k, w in (("a", 1.0), ("b", 1.0), ("c", 2.0))]
    dimension = {"key": "legal", "label": "Legal", "criteria": criteria, **node}
    if missing:
        dimension["missing"] = missing
    return kit.rubric([dimension])


def data_of(rows: list[list[float]], groups: tuple[str | None, ...] | None = None, **extra: Any) -> EngineInput:
    ids = tuple(f"i{n}" for n in range(len(rows)))
    return EngineInput(ids, ("A", "B", "C"), np.array(rows, dtype=float), groups=groups, **extra)


ROWS = [[10.0, 0.0, 5.0], [NAN, 4.0, 8.0], [2.0, 6.0, NAN], [NAN, NAN, NAN]]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        pytest.param("renormalise", [50.0, 200.0 / 3, 40.0, NAN], id="renormalise-over-present"),
        pytest.param("worst", [50.0, 50.0, 20.0, 0.0], id="count-missing-as-worst"),
        pytest.param("impute_mean", [50.0, 65.0, 52.5, 335.0 / 6], id="impute-the-mean"),
        pytest.param("impute_median", [50.0, 65.0, 52.5, 57.5], id="impute-the-median"),
    ],
)
def test_missing_data_policies_fill_or_redistribute_as_documented(
    policy: str, expected: list[float], kit: SimpleNamespace
) -> None:
    result = score(three_criteria(kit, {"policy": policy}), data_of(ROWS))
    assert result.scores == pytest.approx(expected, abs=1e-12, nan_ok=True)


def test_group_imputation_uses_the_instruments_of_the_same_group_and_falls_back_to_all(kit: SimpleNamespace) -> None:
    rows = [[10.0, 10.0, 10.0], [2.0, 2.0, 2.0], [NAN, 6.0, 6.0], [NAN, 4.0, 4.0], [4.0, 4.0, 4.0]]
    groups = ("EU", "CIS", "EU", None, "SCO")
    result = score(three_criteria(kit, {"policy": "impute_group_mean"}), data_of(rows, groups))
    # i2 (EU) gets EU's mean of A (100 points); i3 has no group and gets the mean over all (53.3 points).
    assert result.node_scores("a").tolist() == pytest.approx([100.0, 20.0, 100.0, 160.0 / 3, 40.0])
    explanation = result.explain("i2")
    assert explanation.criteria[0].flags == ("missing", "imputed")
    assert explanation.criteria[0].normalised == pytest.approx(100.0)


def test_group_median_falls_back_to_the_whole_set_when_the_group_has_no_value(kit: SimpleNamespace) -> None:
    rows = [[10.0, 1.0, 1.0], [2.0, 1.0, 1.0], [4.0, 1.0, 1.0], [NAN, 1.0, 1.0]]
    result = score(three_criteria(kit, {"policy": "impute_group_median"}), data_of(rows, ("EU", "EU", "CIS", "SCO")))
    assert result.node_scores("a").tolist() == pytest.approx([100.0, 20.0, 40.0, 40.0])


def test_an_instrument_below_minimum_coverage_gets_no_score_and_says_what_is_missing(kit: SimpleNamespace) -> None:
    result = score(three_criteria(kit, {"policy": "renormalise", "min_coverage": 0.6}), data_of(ROWS))
    assert np.isnan(result.scores).tolist() == [False, False, True, True]
    assert result.ranks.tolist()[:2] == [2.0, 1.0]
    assert np.isnan(result.ranks[2:]).all()
    assert result.grades.tolist() == ["Substantial", "Substantial", None, None]
    assert result.coverage.tolist() == [1.0, 0.75, 0.5, 0.0]
    assert (
        result.insufficient_reason("i2")
        == "No score: Legal rests 50% on data (needs 60%); 1 of 3 criteria has no value."
    )
    assert result.explain("i2").insufficient_detail == (
        "insufficient data: Test index has no part with a value; "
        "Legal has 50% of its weight on data (needs 60%); missing: C"
    )
    assert result.explain("i2").missing == ("c",)
    assert result.insufficient_reason("i0") is None
    assert result.explain("i2").lines()[0] == f"Test index: no score, {result.explain('i2').insufficient_detail}"


def test_an_instrument_without_any_value_is_insufficient_under_renormalisation(kit: SimpleNamespace) -> None:
    result = score(three_criteria(kit), data_of(ROWS))
    assert result.insufficient_reason("i3") == "No score: Legal has no value; 3 of 3 criteria have no value."
    assert result.explain("i3").insufficient_detail == (
        "insufficient data: Test index has no part with a value; Legal has no part with a value; missing: A, B, C"
    )


def test_ties_share_the_lower_rank(kit: SimpleNamespace) -> None:
    result = score(
        three_criteria(kit), data_of([[5.0, 5.0, 5.0], [10.0, 10.0, 10.0], [5.0, 5.0, 5.0], [1.0, 1.0, 1.0]])
    )
    assert result.ranks.tolist() == [2.0, 1.0, 2.0, 4.0]


def ordinal_rubric(kit: SimpleNamespace) -> tuple[Rubric, dict[str, IndicatorSpec]]:
    """Two dimensions (0.2, 0.8); the first holds deadlines (0.4) and a boolean (0.6): deadlines weigh 0.08."""
    levels = ["none", "vague", "partial", "fixed"]
    catalogue = {
        "RA": IndicatorSpec(key="RA", label="Deadlines", value_type="ordinal", levels=levels),
        "BIND": IndicatorSpec(key="BIND", label="Binding", value_type="boolean"),
        "RATE": IndicatorSpec(key="RATE", label="Return rate", value_type="percent"),
    }
    ordinal = {"method": "ordinal", "points": dict(zip(levels, (0.0, 100 / 3, 200 / 3, 100.0), strict=True))}
    deadlines = {
        "key": "ra",
        "label": "Readmission deadlines",
        "indicator": "RA",
        "weight": 0.4,
        "normalisation": ordinal,
    }
    binding = {
        "key": "bind",
        "label": "Binding",
        "indicator": "BIND",
        "weight": 0.6,
        "normalisation": {"method": "boolean"},
    }
    rate = {"key": "rate", "label": "Return rate", "indicator": "RATE", "normalisation": kit.goalposts(0, 100)}
    rubric = kit.rubric(
        [
            {"key": "legal", "label": "Legal design", "weight": 0.2, "criteria": [deadlines, binding]},
            {"key": "outcomes", "label": "Outcomes", "weight": 0.8, "criteria": [rate]},
        ]
    )
    return rubric, catalogue


def test_explanation_lines_read_like_the_rule_applied(kit: SimpleNamespace) -> None:
    rubric, catalogue = ordinal_rubric(kit)
    evidence = {("eu-tr", "RA"): {"source": "Art. 11 EU-Turkey readmission agreement"}}
    data = EngineInput.from_records(
        {"eu-tr": {"RA": "partial", "BIND": True, "RATE": 40.0}, "cis": {"RA": "none", "BIND": False, "RATE": None}},
        catalogue,
        evidence=evidence,
    )
    explanation = score(rubric, data).explain("eu-tr")
    assert explanation.lines() == [
        "Test index: 49.3 points, Moderate, rank 1 of 2, coverage 100%",
        "  Legal design: 86.7 points, weight 0.2, 17.3 points",
        "    Readmission deadlines: level 3 of 4 (partial) -> 66.7 points x weight 0.08 = 5.3 of 8.0 points;"
        " up to +2.7",
        "    Binding: yes -> 100.0 points x weight 0.12 = 12.0 of 12.0 points",
        "  Outcomes: 40.0 points, weight 0.8, 32.0 points",
        "    Return rate: 40 -> 40.0 points x weight 0.8 = 32.0 of 80.0 points; up to +48.0",
    ]
    deadlines = explanation.criteria[0]
    assert deadlines.evidence == {"RA": {"source": "Art. 11 EU-Turkey readmission agreement"}}
    assert deadlines.rule == "points: none -> 0, vague -> 33.33, partial -> 66.67, fixed -> 100"
    assert (deadlines.raw, deadlines.weight, deadlines.local_weight) == (2.0, 0.4, pytest.approx(0.4))


def test_a_missing_criterion_is_explained_as_not_counted(kit: SimpleNamespace) -> None:
    rubric, catalogue = ordinal_rubric(kit)
    data = EngineInput.from_records({"cis": {"RA": "none", "BIND": False, "RATE": None}}, catalogue)
    explanation = score(rubric, data).explain("cis")
    assert (
        explanation.lines()[-1] == "    Return rate: missing -> not counted, its weight goes to the others; up to +80.0"
    )
    assert explanation.criteria[2].flags == ("missing",)
    assert explanation.score == 0.0
    assert explanation.coverage == pytest.approx(0.2)


def test_an_explanation_holds_none_for_a_missing_number_never_nan(kit: SimpleNamespace) -> None:
    rubric, catalogue = ordinal_rubric(kit)
    data = EngineInput.from_records({"cis": {"RA": "none", "BIND": None, "RATE": None}}, catalogue)
    explanation = score(rubric, data).explain("cis")
    numbers = [
        getattr(item, field.name)
        for item in (explanation, *explanation.nodes, *explanation.criteria)
        for field in dataclasses.fields(item)
        if isinstance(getattr(item, field.name), float)
    ]
    assert not any(math.isnan(number) for number in numbers)
    assert explanation.criteria[1].raw is None
    assert explanation.criteria[1].flags == ("missing",)
    assert explanation.nodes[2].score is None


def test_contributions_add_up_to_the_score_and_match_the_bulk_node_scores(kit: SimpleNamespace) -> None:
    rubric, catalogue = ordinal_rubric(kit)
    data = EngineInput.from_records({"x": {"RA": "vague", "BIND": True, "RATE": 75.0}}, catalogue)
    result = score(rubric, data)
    explanation = result.explain("x")
    assert abs(sum(c.contribution for c in explanation.criteria) - float(result.scores[0])) <= 1e-9
    assert [node.score for node in explanation.nodes] == [result.node_scores(n.key)[0] for n in explanation.nodes]


def test_improvement_potential_is_the_gain_from_reaching_the_best_points(kit: SimpleNamespace) -> None:
    result = score(three_criteria(kit), data_of([[10.0, 0.0, 5.0], [NAN, 4.0, 8.0]]))
    gains = [c.improvement_potential for c in result.explain("i0").criteria]
    assert gains == pytest.approx([0.0, 25.0, 25.0])
    # A missing criterion reaching its best also changes how the weights are shared.
    assert result.explain("i1").criteria[0].improvement_potential == pytest.approx(75.0 - 200.0 / 3)


def test_geometric_contributions_share_the_score_by_weighted_points(kit: SimpleNamespace) -> None:
    result = score(three_criteria(kit, aggregation="geometric"), data_of([[10.0, 2.5, 4.0]]))
    expected = 100.0 * (1.0**0.25) * (0.25**0.25) * (0.4**0.5)
    explanation = result.explain("i0")
    assert explanation.score == pytest.approx(expected, rel=1e-12)
    shares = np.array([0.25 * 100, 0.25 * 25, 0.5 * 40])
    assert [c.contribution for c in explanation.criteria] == pytest.approx(list(expected * shares / shares.sum()))
    assert "share of a non-arithmetic mean" in explanation.lines()[2]


def test_under_the_minimum_the_weakest_criterion_carries_the_whole_score(kit: SimpleNamespace) -> None:
    result = score(three_criteria(kit, aggregation="minimum"), data_of([[10.0, 2.5, 4.0]]))
    explanation = result.explain("i0")
    assert explanation.score == 25.0
    assert [c.contribution for c in explanation.criteria] == [0.0, 25.0, 0.0]
    assert [c.improvement_potential for c in explanation.criteria] == pytest.approx([0.0, 15.0, 0.0])


def test_a_capped_value_is_flagged(kit: SimpleNamespace) -> None:
    result = score(three_criteria(kit), data_of([[12.0, -1.0, 5.0]]))
    assert [c.flags for c in result.explain("i0").criteria] == [("capped",), ("capped",), ()]
    assert result.scores.tolist() == [50.0]


def test_log_and_ratio_transforms_run_before_normalisation(kit: SimpleNamespace) -> None:
    per_capita = kit.criterion("a", kit.goalposts(0, 10), transform={"kind": "ratio", "denominator": "C", "scale": 10})
    logged = kit.criterion("b", kit.goalposts(0, 3), transform={"kind": "log"})
    result = score(
        kit.rubric([{"key": "d", "label": "D", "criteria": [per_capita, logged]}]),
        data_of([[5.0, 100.0, 20.0], [1.0, 0.0, 0.0]]),
    )
    assert result.node_scores("a").tolist()[0] == pytest.approx(25.0)
    assert result.node_scores("b").tolist()[0] == pytest.approx(200.0 / 3)
    second = result.explain("i1").criteria
    assert (second[0].flags, second[1].flags) == (("missing",), ("missing",))
    assert second[0].rule == "10 x value / C; goalposts 0 to 10, higher is better, capped to 0..100"


def test_outliers_are_winsorised_and_flagged(kit: SimpleNamespace) -> None:
    values = [[float(v), 1.0, 1.0] for v in (1, 2, 3, 4, 5, 6, 7, 8, 9, 200)]
    treated = kit.criterion("a", {"method": "minmax"}, outliers={})
    result = score(kit.rubric([{"key": "d", "label": "D", "criteria": [treated]}]), data_of(values))
    last = result.explain("i9").criteria[0]
    assert (last.flags, last.transformed, last.normalised) == (("winsorised",), 9.0, 100.0)
    assert (
        last.rule
        == "outliers: winsorised 1 value; min-max over the 10 instruments with a value, higher is better (min 1, max 9)"
    )


def test_direction_comes_from_the_catalogue_when_the_rubric_leaves_it_out(kit: SimpleNamespace) -> None:
    catalogue = {key: IndicatorSpec(key=key, label=key, direction="lower") for key in ("A", "B", "C")}
    result = score(three_criteria(kit), data_of([[2.0, 2.0, 2.0]], catalogue=catalogue))
    assert result.scores.tolist() == [pytest.approx(80.0)]


def test_a_rubric_naming_an_indicator_the_data_lacks_is_refused_with_its_path(kit: SimpleNamespace) -> None:
    rubric = kit.rubric([{"key": "d", "label": "D", "criteria": [kit.criterion("z", kit.goalposts())]}])
    with pytest.raises(RubricError) as caught:
        score(rubric, data_of([[1.0, 2.0, 3.0]]))
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("dimensions[0].criteria[0].indicator", "indicator 'Z' has no column in the data")
    ]


def test_an_ordinal_code_outside_the_levels_is_refused(kit: SimpleNamespace) -> None:
    rubric, catalogue = ordinal_rubric(kit)
    data = EngineInput(("x",), ("RA", "BIND", "RATE"), np.array([[4.0, 1.0, 1.0]]), catalogue=catalogue)
    with pytest.raises(ValueError, match=r"4.0 is no valid code for a ordinal criterion \(0..3\)"):
        score(rubric, data)


def test_an_instrument_without_values_has_no_score_rank_or_grade(kit: SimpleNamespace) -> None:
    result = score(three_criteria(kit), data_of([[10.0, 0.0, 5.0], [NAN, NAN, NAN]]))
    assert (result.scores[0], result.ranks[0], result.grades[0], result.coverage[0]) == (50.0, 1.0, "Substantial", 1.0)
    assert np.isnan([result.scores[1], result.ranks[1]]).all()
    assert (result.grades[1], result.coverage[1]) == (None, 0.0)


def test_explaining_an_unknown_instrument_raises_key_error(kit: SimpleNamespace) -> None:
    with pytest.raises(KeyError, match="'nope' was not scored"):
        score(three_criteria(kit), data_of([[1.0, 1.0, 1.0]])).explain("nope")
