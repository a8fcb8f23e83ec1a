"""A bad rubric is refused with every problem and its path."""

import copy
import math
from typing import Any

import pytest

from scoring.catalogue import IndicatorSpec
from scoring.validation import RubricError, RubricProblem, parse_rubric, validate_rubric

CATALOGUE = {
    "A": IndicatorSpec(key="A", label="A"),
    "B": IndicatorSpec(key="B", label="B"),
    "POP": IndicatorSpec(key="POP", label="Population"),
    "LEVEL": IndicatorSpec(key="LEVEL", label="Deadlines", value_type="ordinal", levels=["none", "vague", "fixed"]),
}


def good() -> dict[str, Any]:
    return {
        "key": "r",
        "label": "R",
        "dimensions": [
            {
                "key": "legal",
                "label": "Legal",
                "criteria": [
                    {
                        "key": "a",
                        "label": "A",
                        "indicator": "A",
                        "normalisation": {"method": "goalposts", "min": 0, "max": 10},
                    },
                    {"key": "b", "label": "B", "indicator": "B", "normalisation": {"method": "rank"}},
                ],
            },
            {
                "key": "practice",
                "label": "Practice",
                "criteria": [
                    {
                        "key": "level",
                        "label": "Deadlines",
                        "indicator": "LEVEL",
                        "normalisation": {"method": "ordinal", "points": {"none": 0, "vague": 50, "fixed": 100}},
                    }
                ],
            },
        ],
    }


def changed(path: str, value: Any) -> dict[str, Any]:
    """A copy of the good rubric with one value at a dotted path (list indexes as numbers) replaced."""
    raw = copy.deepcopy(good())
    target: Any = raw
    parts = [int(part) if part.isdigit() else part for part in path.split(".")]
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value
    return raw


BOUNDS = "dimensions[0].criteria[1].normalisation"
CASES = [
    pytest.param(
        changed("dimensions.0.criteria.0.normalisation.max", 1e-10),
        "dimensions[0].criteria[0].normalisation",
        "at least 1e-09 apart",
        id="goalposts-nearly-equal",
    ),
    pytest.param(
        changed("dimensions.0.criteria.0.normalisation.max", 1e16),
        "dimensions[0].criteria[0].normalisation.max",
        "less than or equal to 1000000000000000",
        id="goalpost-beyond-the-magnitude",
    ),
    pytest.param(
        changed("dimensions.0.criteria.0.normalisation.max", "10"),
        "dimensions[0].criteria[0].normalisation.max",
        "valid number",
        id="goalpost-as-a-string",
    ),
    pytest.param(
        changed("dimensions.0.criteria.1.normalisation", {"method": "zscore", "points_per_sd": 1e308}),
        f"{BOUNDS}.points_per_sd",
        "less than or equal to 1000",
        id="points-per-sd-huge",
    ),
    pytest.param(
        changed("dimensions.0.criteria.1.normalisation", {"method": "reference", "reference": 1e-300}),
        BOUNDS,
        "at least 1e-09 away from zero",
        id="reference-nearly-zero",
    ),
    pytest.param(
        changed("dimensions.0.criteria.1.normalisation", {"method": "rank", "direction": 1}),
        f"{BOUNDS}.direction",
        "Input should be",
        id="direction-not-a-word",
    ),
    pytest.param(
        changed("dimensions.0.missing", {"min_coverage": "0.5"}),
        "dimensions[0].missing.min_coverage",
        "valid number",
        id="coverage-as-a-string",
    ),
    pytest.param(
        changed("dimensions.0.weight", 5e-324),
        "dimensions[0].weight",
        "a weight is 0 or at least 1e-06",
        id="subnormal-weight",
    ),
    pytest.param(
        changed("dimensions.0.criteria.0.weight", -1.0),
        "dimensions[0].criteria[0].weight",
        "a weight must be at least 0",
        id="negative-weight",
    ),
    pytest.param(
        changed("dimensions.0.criteria.0.weight", math.nan),
        "dimensions[0].criteria[0].weight",
        "a weight must be finite",
        id="nan-weight",
    ),
    pytest.param(
        changed("dimensions.1.weight", math.inf),
        "dimensions[1].weight",
        "a weight must be finite",
        id="infinite-weight",
    ),
    pytest.param(
        changed(
            "dimensions.0.criteria",
            [
                {"key": "a", "label": "A", "indicator": "A", "weight": 0, "normalisation": {"method": "rank"}},
                {"key": "b", "label": "B", "indicator": "B", "weight": 0.0, "normalisation": {"method": "rank"}},
            ],
        ),
        "dimensions[0].criteria",
        "the weights of all 2 criteria are zero",
        id="all-zero-sibling-weights",
    ),
    pytest.param(
        changed("dimensions.0.criteria.0.normalisation", {"method": "goalposts", "min": 5, "max": 5}),
        "dimensions[0].criteria[0].normalisation",
        "goalposts must differ (min and max are both 5.0)",
        id="equal-goalposts",
    ),
    pytest.param(
        changed("dimensions.1.criteria.0.key", "legal"),
        "dimensions[1].criteria[0].key",
        "duplicate key 'legal' (first at dimensions[0].key)",
        id="duplicate-key",
    ),
    pytest.param(
        changed("dimensions.0.aggregation", "harmonic"),
        "dimensions[0].aggregation",
        "'arithmetic', 'geometric' or 'minimum'",
        id="unknown-aggregation",
    ),
    pytest.param(
        changed("aggregation", "median"),
        "aggregation",
        "'arithmetic', 'geometric' or 'minimum'",
        id="unknown-root-aggregation",
    ),
    pytest.param(
        changed("dimensions.0.criteria.1.normalisation", {"method": "sigmoid"}),
        "dimensions[0].criteria[1].normalisation",
        "does not match any of the expected tags",
        id="unknown-normalisation",
    ),
    pytest.param(
        changed("dimensions.0.missing", {"policy": "guess"}),
        "dimensions[0].missing.policy",
        "Input should be",
        id="unknown-missing-policy",
    ),
    pytest.param(
        changed("dimensions.0.criteria.0.indicator", "NOPE"),
        "dimensions[0].criteria[0].indicator",
        "indicator 'NOPE' is not in the catalogue",
        id="indicator-missing-from-catalogue",
    ),
    pytest.param(
        changed("dimensions.1.criteria.0.normalisation", {"method": "goalposts", "min": 0, "max": 2}),
        "dimensions[1].criteria[0].normalisation.method",
        "indicator 'LEVEL' is ordinal: map it with method 'ordinal'",
        id="ordinal-indicator-without-ordinal-mapping",
    ),
    pytest.param(
        changed("dimensions.1.criteria.0.normalisation.points", {"none": 0, "vague": 50, "fixed": 100, "strict": 100}),
        "dimensions[1].criteria[0].normalisation.points.strict",
        "'strict' is not a level of 'LEVEL' (none, vague, fixed)",
        id="ordinal-mapping-names-an-unknown-level",
    ),
    pytest.param(
        changed("dimensions.1.criteria.0.normalisation.points", {"none": 0, "fixed": 100}),
        "dimensions[1].criteria[0].normalisation.points",
        "no points for 'vague'",
        id="ordinal-mapping-misses-a-level",
    ),
    pytest.param(
        changed("dimensions.0.criteria.0.transform", {"kind": "ratio", "denominator": "PEOPLE"}),
        "dimensions[0].criteria[0].transform.denominator",
        "denominator indicator 'PEOPLE' is not in the catalogue",
        id="ratio-denominator-missing-from-catalogue",
    ),
    pytest.param(
        changed("dimensions.0.criteria.0.colour", "red"),
        "dimensions[0].criteria[0].colour",
        "is not a field a rubric accepts here",
        id="unknown-field",
    ),
    pytest.param(
        changed("grades", [{"label": "Top", "min": 50}]), "grades", "a band starting at 0", id="grades-leave-a-gap"
    ),
]


@pytest.mark.parametrize(("raw", "path", "message"), CASES)
def test_each_rubric_problem_is_reported_once_with_its_path(raw: dict[str, Any], path: str, message: str) -> None:
    problems = validate_rubric(raw, CATALOGUE)
    assert len(problems) == 1, problems
    assert problems[0].path == path
    assert message in problems[0].message


def test_a_good_rubric_has_no_problems() -> None:
    assert validate_rubric(good(), CATALOGUE) == []


def test_every_problem_of_a_rubric_is_reported_at_once() -> None:
    raw = changed("dimensions.0.criteria.0.weight", -1.0)
    raw["dimensions"][0]["aggregation"] = "harmonic"
    raw["dimensions"][1]["criteria"][0]["key"] = "a"
    raw["dimensions"][0]["criteria"][1]["indicator"] = "NOPE"
    paths = [problem.path for problem in validate_rubric(raw, CATALOGUE)]
    assert paths == [
        "dimensions[0].aggregation",
        "dimensions[0].criteria[0].weight",
        "dimensions[0].criteria[1].indicator",
        "dimensions[1].criteria[0].key",
    ]


def test_parse_rubric_raises_a_rubric_error_listing_every_problem() -> None:
    raw = changed("dimensions.0.criteria.0.weight", -1.0)
    raw["dimensions"][1]["weight"] = math.nan
    with pytest.raises(RubricError) as caught:
        parse_rubric(raw, CATALOGUE)
    assert [problem.path for problem in caught.value.problems] == [
        "dimensions[0].criteria[0].weight",
        "dimensions[1].weight",
    ]
    assert str(caught.value).startswith("invalid rubric: dimensions[0].criteria[0].weight: ")


def test_catalogue_checks_are_skipped_without_a_catalogue() -> None:
    assert validate_rubric(changed("dimensions.0.criteria.0.indicator", "NOPE")) == []


def test_a_problem_renders_as_path_and_message() -> None:
    assert str(RubricProblem(path="dimensions[0].weight", message="bad")) == "dimensions[0].weight: bad"


LEVELLED = {
    "BIND": IndicatorSpec(key="BIND", label="Binding", value_type="boolean"),
    "IM02": IndicatorSpec(key="IM02", label="In force for the party", value_type="boolean", level="party"),
    "FORM": IndicatorSpec(
        key="FORM", label="Form of consent", value_type="category", categories=["ratified", "acceded"], level="party"
    ),
    "HR05": IndicatorSpec(
        key="HR05", label="TIP tier", value_type="ordinal", levels=["1", "2", "2WL", "3"], level="country"
    ),
    "POP": IndicatorSpec(key="POP", label="Population", level="country"),
    "STAFF": IndicatorSpec(key="STAFF", label="Secretariat staff"),
}


def levelled() -> dict[str, Any]:
    """A good rubric on indicators of every level: binding, in force (share), the TIP tier (context)."""
    tiers = {"method": "ordinal", "points": {"1": 100, "2": 70, "2WL": 30, "3": 0}}
    return {
        "key": "r",
        "label": "R",
        "dimensions": [
            {
                "key": "practice",
                "label": "Practice",
                "criteria": [
                    {"key": "bind", "label": "Binding", "indicator": "BIND", "normalisation": {"method": "boolean"}},
                    {
                        "key": "in_force",
                        "label": "In force",
                        "indicator": "IM02",
                        "rollup": {"method": "share"},
                        "normalisation": {"method": "goalposts", "min": 0, "max": 1},
                    },
                    {
                        "key": "tier",
                        "label": "TIP tier",
                        "indicator": "HR05",
                        "rollup": {"method": "mean", "over": "perspective"},
                        "context": True,
                        "normalisation": tiers,
                    },
                ],
            }
        ],
    }


def levelled_with(path: str, value: Any) -> dict[str, Any]:
    """The levelled rubric with one value at a dotted path replaced (``...`` as the value deletes it)."""
    raw = copy.deepcopy(levelled())
    target: Any = raw
    parts = [int(part) if part.isdigit() else part for part in path.split(".")]
    for part in parts[:-1]:
        target = target[part]
    if value is ...:
        del target[parts[-1]]
    else:
        target[parts[-1]] = value
    return raw


IN_FORCE = "dimensions[0].criteria[1]"
TIER = "dimensions[0].criteria[2]"
LEVEL_CASES = [
    pytest.param(
        levelled_with("dimensions.0.criteria.1.rollup", ...),
        f"{IN_FORCE}.rollup",
        "indicator 'IM02' is party-level: say how its parties' values roll up (method mean, min, max or share)",
        id="party-indicator-without-rollup",
    ),
    pytest.param(
        levelled_with("dimensions.0.criteria.0.rollup", {"method": "max"}),
        "dimensions[0].criteria[0].rollup",
        "indicator 'BIND' is instrument-level: it has one value per instrument, nothing to roll up",
        id="rollup-on-an-instrument-indicator",
    ),
    pytest.param(
        levelled_with("dimensions.0.criteria.2.rollup", {"method": "share"}),
        f"{TIER}.rollup.method",
        "a share counts the parties where a boolean holds; indicator 'HR05' is ordinal",
        id="share-of-a-non-boolean",
    ),
    pytest.param(
        levelled_with(
            "dimensions.0.criteria.1",
            {
                "key": "form",
                "label": "Form",
                "indicator": "FORM",
                "rollup": {"method": "mean"},
                "normalisation": {"method": "categorical", "points": {"ratified": 100, "acceded": 80}},
            },
        ),
        f"{IN_FORCE}.rollup.method",
        "indicator 'FORM' is a category: categories have no mean",
        id="mean-of-a-category",
    ),
    pytest.param(
        levelled_with("dimensions.0.criteria.1.normalisation", {"method": "boolean"}),
        f"{IN_FORCE}.normalisation.method",
        "a share of booleans lies between 0 and 1: normalise it as a number (e.g. goalposts 0 to 1)",
        id="share-with-a-boolean-map",
    ),
    pytest.param(
        levelled_with("dimensions.0.criteria.2.context", False),
        f"{TIER}.context",
        "indicator 'HR05' describes countries, not the instrument: a criterion on it opts in as context",
        id="country-indicator-without-context",
    ),
    pytest.param(
        levelled_with("dimensions.0.criteria.1.context", True),
        f"{IN_FORCE}.context",
        "only country-level indicators are context; 'IM02' is party-level",
        id="context-on-a-party-indicator",
    ),
    pytest.param(
        levelled_with(
            "dimensions.0.criteria.0",
            {
                "key": "staff",
                "label": "Staff",
                "indicator": "STAFF",
                "transform": {"kind": "ratio", "denominator": "POP"},
                "normalisation": {"method": "goalposts", "min": 0, "max": 1},
            },
        ),
        "dimensions[0].criteria[0].transform.denominator",
        "denominator 'POP' is country-level: a ratio divides by an instrument-level indicator",
        id="ratio-to-a-country-indicator",
    ),
    pytest.param(
        levelled_with("dimensions.0.criteria.1.rollup", {"method": "median"}),
        f"{IN_FORCE}.rollup.method",
        "'mean', 'min', 'max' or 'share'",
        id="unknown-rollup-method",
    ),
    pytest.param(
        levelled_with("dimensions.0.criteria.1.rollup", {"method": "share", "over": "everyone"}),
        f"{IN_FORCE}.rollup.over",
        "'parties' or 'perspective'",
        id="unknown-rollup-scope",
    ),
    pytest.param(levelled_with("context_factor", 0), "context_factor", "greater than 0", id="context-factor-zero"),
    pytest.param(
        levelled_with("context_factor", 1.5), "context_factor", "less than or equal to 1", id="context-factor-above-1"
    ),
    pytest.param(
        levelled_with("context_factor", "0.5"), "context_factor", "valid number", id="context-factor-as-a-string"
    ),
]


@pytest.mark.parametrize(("raw", "path", "message"), LEVEL_CASES)
def test_each_level_problem_is_reported_once_with_its_path(raw: dict[str, Any], path: str, message: str) -> None:
    problems = validate_rubric(raw, LEVELLED)
    assert len(problems) == 1, problems
    assert problems[0].path == path
    assert message in problems[0].message


def test_a_rubric_on_indicators_of_every_level_has_no_problems() -> None:
    assert validate_rubric(levelled(), LEVELLED) == []
    assert validate_rubric(levelled_with("context_factor", 1), LEVELLED) == []
