"""Criteria on party- and country-level indicators: roll-ups, perspectives, context coverage, explanations."""

import math
from typing import Any

import numpy as np
import pytest

from scoring.catalogue import IndicatorSpec
from scoring.engine import EngineInput, ScoreSet, score
from scoring.rollup import PartyColumn, PartyValues
from scoring.rubric import Rubric
from scoring.sensitivity import sensitivity

NAN = math.nan
TIERS = ["Tier 1", "Tier 2", "Tier 2 Watch List", "Tier 3"]
CATALOGUE = {
    "BIND": IndicatorSpec(key="BIND", label="Legally binding", value_type="boolean"),
    "IM02": IndicatorSpec(key="IM02", label="In force for the party", value_type="boolean", level="party"),
    "HR05": IndicatorSpec(
        key="HR05", label="US TIP Report tier", value_type="ordinal", levels=TIERS, direction="lower", level="country"
    ),
    "OC01": IndicatorSpec(key="OC01", label="Return rate", value_type="percent", level="country"),
}
INSTRUMENTS = ("un-smuggling", "uzb-kaz", "eu-tr", "draft")
PARTIES = {"un-smuggling": ["UZB", "KAZ", "TJK"], "uzb-kaz": ["UZB", "KAZ"], "eu-tr": ["EU", "TUR"]}
RECORDS: dict[tuple[str, str], dict[str, object]] = {
    ("un-smuggling", "UZB"): {"IM02": False, "HR05": "Tier 2", "OC01": 40.0},
    ("un-smuggling", "KAZ"): {"IM02": True, "HR05": "Tier 2", "OC01": 10.0},
    ("un-smuggling", "TJK"): {"IM02": True, "HR05": "Tier 2 Watch List"},
    ("uzb-kaz", "UZB"): {"IM02": True, "HR05": "Tier 2", "OC01": 40.0},
    ("uzb-kaz", "KAZ"): {"IM02": True, "HR05": "Tier 2", "OC01": 10.0},
    ("eu-tr", "EU"): {"IM02": True},
    ("eu-tr", "TUR"): {"HR05": "Tier 2 Watch List", "OC01": 25.0},
}
EVIDENCE_KEYS = {("uzb-kaz", "UZB", "HR05"): "tip-2024-uzb", ("uzb-kaz", "KAZ", "HR05"): "tip-2024-kaz"}
EVIDENCE = {
    "tip-2024-uzb": {"source": "US TIP Report 2024, Uzbekistan"},
    "tip-2024-kaz": {"source": "US TIP Report 2024, Kazakhstan"},
}
TIER_POINTS = dict(zip(TIERS, (100.0, 200.0 / 3, 100.0 / 3, 0.0), strict=True))


def party_values(records: dict[tuple[str, str], dict[str, object]] = RECORDS) -> PartyValues:
    return PartyValues.from_records(
        INSTRUMENTS, PARTIES, records, CATALOGUE, evidence_keys=EVIDENCE_KEYS, evidence=EVIDENCE
    )


def data_of(values: PartyValues | None = None, binding: tuple[float, ...] = (1.0, 1.0, 0.0, NAN)) -> EngineInput:
    matrix = np.full((len(INSTRUMENTS), len(CATALOGUE)), NAN)
    matrix[:, 0] = binding
    values = party_values() if values is None else values
    return EngineInput(INSTRUMENTS, tuple(CATALOGUE), matrix, catalogue=CATALOGUE, party_values=values)


def criterion(key: str, indicator: str, method: str, normalisation: dict[str, Any], **extra: Any) -> dict[str, Any]:
    label = CATALOGUE[indicator].label
    return {"key": key, "label": label, "indicator": indicator, "rollup": {"method": method, **extra.pop("rollup", {})},
            "normalisation": normalisation, **extra}  # fmt: skip


def in_force(method: str = "share", **extra: Any) -> dict[str, Any]:
    return criterion("in_force", "IM02", method, {"method": "goalposts", "min": 0, "max": 1}, weight=2.0, **extra)


def tier(method: str = "mean", **extra: Any) -> dict[str, Any]:
    ordinal = {"method": "ordinal", "points": TIER_POINTS}
    return criterion("tier", "HR05", method, ordinal, weight=2.0, context=True, **extra)


def rubric_of(*implementation: dict[str, Any], **extra: Any) -> Rubric:
    """Legal design (one instrument-level criterion) and implementation (the given criteria), equally weighted."""
    binding = {
        "key": "binding",
        "label": "Legally binding",
        "indicator": "BIND",
        "normalisation": {"method": "boolean"},
    }
    return Rubric.model_validate(
        {
            "key": "test",
            "label": "Test index",
            "dimensions": [
                {"key": "legal", "label": "Legal design", "criteria": [binding]},
                {"key": "implementation", "label": "Implementation", "criteria": list(implementation)},
            ],
            **extra,
        }
    )


def raw(result: ScoreSet, key: str) -> list[float]:
    return list(result.criteria.raw[result.plan.column_of(key)])


@pytest.mark.parametrize(
    ("rubric", "key", "perspective", "expected"),
    [
        pytest.param(rubric_of(in_force("share")), "in_force", None, [2 / 3, 1.0, 1.0, NAN], id="share"),
        pytest.param(rubric_of(in_force("min")), "in_force", None, [0.0, 1.0, 1.0, NAN], id="min-of-booleans"),
        pytest.param(rubric_of(in_force("max")), "in_force", None, [1.0, 1.0, 1.0, NAN], id="max-of-booleans"),
        pytest.param(rubric_of(tier("mean")), "tier", None, [4 / 3, 1.0, 2.0, NAN], id="mean-of-levels"),
        pytest.param(rubric_of(tier("min")), "tier", None, [1.0, 1.0, 2.0, NAN], id="min-of-levels"),
        pytest.param(rubric_of(tier("max")), "tier", None, [2.0, 1.0, 2.0, NAN], id="max-of-levels"),
        pytest.param(
            rubric_of(in_force("share", rollup={"over": "perspective"})),
            "in_force",
            "UZB",
            [0.0, 1.0, NAN, NAN],
            id="perspective-of-a-party-and-nan-where-it-is-no-party",
        ),
        pytest.param(
            rubric_of(tier("min", rollup={"over": "perspective"})),
            "tier",
            "TUR",
            [NAN, NAN, 2.0, NAN],
            id="perspective-reads-the-country-context-of-the-party",
        ),
        pytest.param(
            rubric_of(in_force("share", rollup={"over": "perspective"})),
            "in_force",
            "TUR",
            [NAN, NAN, NAN, NAN],
            id="perspective-of-a-party-without-a-value",
        ),
        pytest.param(
            rubric_of(in_force("share", rollup={"over": "perspective"})),
            "in_force",
            None,
            [2 / 3, 1.0, 1.0, NAN],
            id="perspective-rollup-without-a-perspective-reads-all-parties",
        ),
        pytest.param(
            rubric_of(in_force("share")),
            "in_force",
            "UZB",
            [2 / 3, 1.0, 1.0, NAN],
            id="a-rollup-over-parties-ignores-the-perspective",
        ),
    ],
)
def test_each_rollup_gives_the_hand_computed_values(
    rubric: Rubric, key: str, perspective: str | None, expected: list[float]
) -> None:
    result = score(rubric, data_of(), perspective)
    assert raw(result, key) == pytest.approx(expected, abs=1e-15, nan_ok=True)


def test_sensitivity_ranks_from_the_perspective_it_is_asked_for() -> None:
    rubric = rubric_of(in_force(rollup={"over": "perspective"}))
    result = sensitivity(rubric, data_of(binding=(1.0, 1.0, 1.0, 1.0)), samples=10, perspective="UZB")
    expected = score(rubric, data_of(binding=(1.0, 1.0, 1.0, 1.0)), perspective="UZB").ranks
    np.testing.assert_array_equal(result.baseline_ranks, expected)
    assert expected.tolist() == [4.0, 1.0, 1.0, 1.0]


def test_a_mean_of_ordinal_levels_interpolates_the_points_between_them() -> None:
    result = score(rubric_of(tier("mean")), data_of())
    # un-smuggling: Tier 2, Tier 2 and Tier 2 Watch List, mean position 4/3: a third of the way from 66.7 to 33.3.
    assert result.node_scores("tier").tolist() == pytest.approx([500.0 / 9, 200.0 / 3, 100.0 / 3, NAN], nan_ok=True)


def test_a_mean_of_numbers_counts_only_the_parties_with_a_value() -> None:
    rate = criterion("rate", "OC01", "mean", {"method": "goalposts", "min": 0, "max": 100}, context=True)
    result = score(rubric_of(rate), data_of())
    assert raw(result, "rate") == pytest.approx([25.0, 25.0, 25.0, NAN], nan_ok=True)


def test_an_instrument_without_parties_or_party_values_has_no_value_and_no_score_from_them() -> None:
    result = score(rubric_of(in_force(), tier()), data_of(binding=(1.0, 1.0, 0.0, 1.0)))
    draft = result.explain("draft")
    assert (draft.score, draft.coverage, draft.missing) == (100.0, 0.5, ("in_force", "tier"))
    assert np.isnan(score(rubric_of(in_force()), data_of(PartyValues(((),) * 4))).criteria.raw[1]).all()
    without = EngineInput(INSTRUMENTS, ("BIND",), np.ones((4, 1)))
    assert np.isnan(score(rubric_of(in_force()), without).criteria.raw[1]).all()


def test_an_empty_set_with_party_values_scores_to_empty_results() -> None:
    data = EngineInput((), ("BIND",), np.zeros((0, 1)), party_values=PartyValues(()))
    assert score(rubric_of(in_force()), data).scores.shape == (0,)


@pytest.mark.parametrize(
    ("factor", "expected"),
    [
        # Legal design has a value everywhere; implementation rests (2 x in force + 2 x f x tier) / 4 on data:
        # un-smuggling has its tiers only, uzb-kaz both, eu-tr in force only, draft neither.
        pytest.param(None, [0.625, 0.875, 0.75, 0.5], id="the-default-half"),
        pytest.param(0.25, [0.5625, 0.8125, 0.75, 0.5], id="a-quarter"),
        pytest.param(1, [0.75, 1.0, 0.75, 0.5], id="in-full"),
    ],
)
def test_a_context_criterion_adds_its_weight_times_the_factor_to_coverage(
    factor: float | None, expected: list[float]
) -> None:
    records = {key: {name: value for name, value in row.items() if name != "IM02"} for key, row in RECORDS.items()}
    records = {
        **records,
        ("uzb-kaz", "UZB"): RECORDS[("uzb-kaz", "UZB")],
        ("uzb-kaz", "KAZ"): RECORDS[("uzb-kaz", "KAZ")],
    }
    records = {**records, ("eu-tr", "EU"): {"IM02": True}, ("eu-tr", "TUR"): {}}
    extra = {} if factor is None else {"context_factor": factor}
    result = score(rubric_of(in_force(), tier(), **extra), data_of(party_values(records), binding=(1.0, 1.0, 0.0, 1.0)))
    assert result.coverage.tolist() == expected
    # The context criterion still scores with its full weight.
    assert result.node_scores("implementation")[1] == pytest.approx((2 * 100.0 + 2 * 200.0 / 3) / 4)


def test_the_context_factor_decides_whether_a_score_is_provisional() -> None:
    values = party_values({key: {"HR05": "Tier 2"} for key in RECORDS if key[0] == "uzb-kaz"})
    data = data_of(values, binding=(NAN, NAN, NAN, NAN))
    grading = {"min_coverage": 0.5}
    # Only the tier is known: it weighs half the implementation dimension, half of the index.
    assert score(rubric_of(in_force(), tier(), grading=grading, context_factor=1.0), data).coverage[1] == 0.25
    half = score(rubric_of(in_force(), tier(), grading=grading), data)
    assert (half.coverage[1], half.provisional[1], half.grades[1]) == (0.125, True, None)
    assert half.scores[1] == pytest.approx(200.0 / 3)


def test_a_rolled_up_criterion_explains_each_party_and_the_rollup() -> None:
    result = score(rubric_of(in_force(), tier()), data_of())
    explained = result.explain("uzb-kaz")
    assert explained.lines()[4:] == [
        "    In force for the party: UZB yes, KAZ yes -> share 1 -> 100.0 points x weight 0.25 = 25.0 of 25.0 points",
        "    US TIP Report tier: UZB Tier 2, KAZ Tier 2 -> mean level 2 of 4 (Tier 2) -> 66.7 points x weight 0.25"
        " = 16.7 of 25.0 points (context); up to +8.3",
    ]
    tiers = explained.criteria[2]
    assert (tiers.rollup, tiers.context, tiers.raw, tiers.value) == (
        "mean over 2 of 2 parties",
        True,
        1.0,
        "mean level 2 of 4 (Tier 2)",
    )
    assert [(p.code, p.raw, p.value, p.evidence_key, p.evidence) for p in tiers.parties] == [
        ("UZB", 1.0, "Tier 2", "tip-2024-uzb", {"source": "US TIP Report 2024, Uzbekistan"}),
        ("KAZ", 1.0, "Tier 2", "tip-2024-kaz", {"source": "US TIP Report 2024, Kazakhstan"}),
    ]
    assert tiers.rule.startswith("mean over the instrument's parties; points: Tier 1 -> 100, Tier 2 -> 66.67")


def test_missing_parties_are_listed_and_not_counted() -> None:
    result = score(rubric_of(in_force(), tier()), data_of())
    lines = result.explain("eu-tr").lines()
    assert lines[4] == (
        "    In force for the party: EU yes, TUR missing -> share 1 -> 100.0 points x weight 0.25 = 25.0 of 25.0 points"
    )
    assert lines[5].startswith("    US TIP Report tier: EU missing, TUR Tier 2 Watch List -> mean level 3 of 4")
    assert result.explain("eu-tr").criteria[1].rollup == "share of yes over 1 of 2 parties"
    assert result.explain("un-smuggling").criteria[2].value == "mean level 2.333 of 4"


def test_an_instrument_without_parties_is_explained_as_such() -> None:
    lines = score(rubric_of(in_force(), tier()), data_of(binding=(1.0, 1.0, 0.0, 0.0))).explain("draft").lines()
    assert lines[4:] == [
        "    In force for the party: the instrument has no parties -> not counted, its weight goes to the others;"
        " up to +50.0",
        "    US TIP Report tier: the instrument has no parties -> not counted, its weight goes to the others"
        " (context); up to +50.0",
    ]


def test_a_perspective_is_named_and_reads_its_party_only() -> None:
    rubric = rubric_of(in_force(rollup={"over": "perspective"}), tier(rollup={"over": "perspective"}))
    result = score(rubric, data_of(), perspective="UZB")
    explained = result.explain("un-smuggling")
    assert explained.perspective == "UZB"
    assert explained.lines()[0].startswith("Test index (perspective UZB): ")
    assert explained.lines()[4].startswith("    In force for the party: UZB no -> 0 -> 0.0 points x weight 0.25")
    assert explained.criteria[2].rollup == "UZB only (perspective)"
    assert [party.code for party in explained.criteria[2].parties] == ["UZB"]
    assert result.explain("eu-tr").lines()[4] == (
        "    In force for the party: UZB is not a party (perspective) -> not counted, its weight goes to the others;"
        " up to +50.0"
    )


def test_instrument_level_lines_do_not_change_beside_rolled_up_criteria() -> None:
    result = score(rubric_of(in_force(), tier()), data_of())
    assert result.explain("uzb-kaz").lines()[1:3] == [
        "  Legal design: 100.0 points, weight 0.5, 50.0 points",
        "    Legally binding: yes -> 100.0 points x weight 0.5 = 50.0 of 50.0 points",
    ]


def test_contributions_of_rolled_up_criteria_add_up_to_the_score() -> None:
    result = score(rubric_of(in_force(), tier()), data_of())
    for instrument in INSTRUMENTS:
        explained = result.explain(instrument)
        assert sum(c.contribution for c in explained.criteria) == pytest.approx(explained.score or 0.0)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(
            lambda: PartyColumn(np.array([0, 1]), ("UZB",), np.array([1.0, 1.0])),
            r"one entry per value, got \[2, 1, 2\]",
            id="lengths-differ",
        ),
        pytest.param(
            lambda: PartyColumn(np.array([0.5]), ("UZB",), np.array([1.0])),
            "instrument rows",
            id="rows-not-integers",
        ),
        pytest.param(
            lambda: PartyColumn(np.array([0]), ("",), np.array([1.0])), "non-empty string", id="empty-party-code"
        ),
        pytest.param(
            lambda: PartyColumn(np.array([0]), ("UZB",), np.array([np.inf])), "finite within", id="infinite-value"
        ),
        pytest.param(
            lambda: PartyValues.from_records(("a",), {"b": ["UZB"]}, {}, CATALOGUE),
            "party values of instruments not in the input: b",
            id="records-of-an-unknown-instrument",
        ),
        pytest.param(
            lambda: PartyValues.from_records(("a",), {"a": ["UZB"]}, {("a", "UZB"): {"NOPE": 1.0}}, CATALOGUE),
            "party values of 'NOPE', which the catalogue lacks",
            id="records-of-an-unknown-indicator",
        ),
        pytest.param(
            lambda: PartyValues((("UZB", "UZB"),)), "instrument row 0 lists a party twice", id="party-listed-twice"
        ),
        pytest.param(
            lambda: PartyValues((("UZB",),), {"X": PartyColumn(np.array([1]), ("UZB",), np.array([1.0]))}),
            r"'X': 1 is not an instrument row \(0..0\)",
            id="row-beyond-the-instruments",
        ),
        pytest.param(
            lambda: PartyValues((("UZB",), ("KAZ",)), {"X": PartyColumn(np.array([0]), ("KAZ",), np.array([1.0]))}),
            "'X': 'KAZ' is not a party of instrument row 0",
            id="value-of-a-state-that-is-no-party",
        ),
        pytest.param(
            lambda: PartyValues((("UZB",),), {"X": PartyColumn(np.array([0, 0]), ("UZB", "UZB"), np.ones(2))}),
            "two values for 'UZB' of instrument row 0",
            id="two-values-for-one-party",
        ),
        pytest.param(
            lambda: EngineInput(("a",), (), np.zeros((1, 0)), party_values=PartyValues(())),
            "0 party lists for 1 instruments",
            id="party-lists-do-not-fit-the-instruments",
        ),
        pytest.param(
            lambda: EngineInput(("a",), ("IM02",), np.ones((1, 1)), catalogue=CATALOGUE),
            "'IM02' is a party-level indicator: its values go in party_values",
            id="party-value-in-the-matrix",
        ),
        pytest.param(
            lambda: EngineInput(
                ("a",),
                (),
                np.zeros((1, 0)),
                catalogue=CATALOGUE,
                party_values=PartyValues((("UZB",),), {"IM02": PartyColumn(np.array([0]), ("UZB",), np.array([2.0]))}),
            ),
            r"'IM02': 2.0 is no boolean code \(0..1\)",
            id="code-outside-the-indicator",
        ),
        pytest.param(
            lambda: EngineInput(
                ("a",),
                (),
                np.zeros((1, 0)),
                catalogue=CATALOGUE,
                party_values=PartyValues((("UZB",),), {"BIND": PartyColumn(np.array([0]), ("UZB",), np.ones(1))}),
            ),
            "'BIND' is an instrument-level indicator",
            id="instrument-level-values-per-party",
        ),
        pytest.param(
            lambda: EngineInput(
                ("a",),
                (),
                np.zeros((1, 0)),
                catalogue=CATALOGUE,
                party_values=PartyValues((("UZB",),), {"NOPE": PartyColumn(np.array([0]), ("UZB",), np.ones(1))}),
            ),
            "party values of 'NOPE', which the catalogue lacks",
            id="indicator-the-catalogue-lacks",
        ),
    ],
)
def test_party_values_that_do_not_fit_are_refused_with_a_clear_error(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()
