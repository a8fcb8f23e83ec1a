"""Words for explanations: a criterion's rule and a recorded value, as a person reads them."""

import math

from scoring.plan import CriterionPlan
from scoring.rubric import (
    Bands,
    BooleanMap,
    CategoricalMap,
    Goalposts,
    LogTransform,
    MinMax,
    OrdinalMap,
    Percentile,
    Rank,
    RatioTransform,
    Reference,
    Target,
    ZScore,
)


def number(value: float) -> str:
    """A number in at most four significant digits.

    >>> number(0.08333), number(994.0), number(12345.6)
    ('0.08333', '994', '1.235e+04')
    """
    return f"{value:.4g}"


def describe_value(criterion: CriterionPlan, raw: float) -> str:
    """A recorded value in words: a level, a category, yes or no, or the number.

    >>> from scoring.normalise import ColumnRule
    >>> from scoring.rubric import OrdinalMap
    >>> rule = ColumnRule(OrdinalMap(method="ordinal", points={}), choices=("none", "vague", "some", "fixed"))
    >>> plan = CriterionPlan("c", "C", "", "X", 0, None, None, None, rule, None, 1)
    >>> describe_value(plan, 2.0)
    'level 3 of 4 (some)'
    """
    if math.isnan(raw):
        return "missing"
    choices = criterion.rule.choices
    if isinstance(criterion.rule.spec, OrdinalMap) and choices:
        if raw != int(raw):  # a mean over parties, between two levels
            return f"level {number(raw + 1)} of {len(choices)}"
        return f"level {int(raw) + 1} of {len(choices)} ({choices[int(raw)]})"
    if isinstance(criterion.rule.spec, CategoricalMap) and choices:
        return choices[int(raw)]
    if isinstance(criterion.rule.spec, BooleanMap):
        return "yes" if raw == 1.0 else "no"
    return number(raw)


def describe_party_value(criterion: CriterionPlan, raw: float) -> str:
    """One party's value in words, as its indicator records it: a level or category name, yes or no, a number.

    >>> from scoring.catalogue import IndicatorSpec
    >>> from scoring.normalise import ColumnRule
    >>> from scoring.rubric import Goalposts
    >>> spec = IndicatorSpec(key="IM02", label="In force", value_type="boolean", level="party")
    >>> plan = CriterionPlan("c", "C", "", "IM02", -1, None, None, None,
    ...                      ColumnRule(Goalposts(method="goalposts", min=0, max=1)), spec, 1)
    >>> describe_party_value(plan, 1.0), describe_party_value(plan, math.nan)
    ('yes', 'missing')
    """
    if math.isnan(raw):
        return "missing"
    spec = criterion.spec
    if spec is not None:
        if spec.value_type in ("ordinal", "category"):
            return (spec.levels or spec.categories)[int(raw)]
        if spec.value_type == "boolean":
            return "yes" if raw == 1.0 else "no"
        return number(raw)
    choices = criterion.rule.choices
    if isinstance(criterion.rule.spec, OrdinalMap | CategoricalMap) and choices:
        return choices[int(raw)]
    if isinstance(criterion.rule.spec, BooleanMap):
        return "yes" if raw == 1.0 else "no"
    return number(raw)


def describe_rollup(criterion: CriterionPlan, party: str | None, counted: int, parties: int) -> str:
    """How a criterion rolled its parties' values up for one instrument, in words.

    Args:
        criterion: a criterion with a roll-up.
        party: the perspective's party when the roll-up read that party only, else None.
        counted: how many of the parties read had a value.
        parties: how many parties the roll-up read (all the instrument's, or the perspective's party if one).

    >>> from scoring.normalise import ColumnRule
    >>> from scoring.rubric import Rollup
    >>> plan = CriterionPlan("c", "C", "", "P", -1, None, None, None, ColumnRule(MinMax(method="minmax")), None, 1,
    ...                      Rollup(method="mean"))
    >>> describe_rollup(plan, None, 2, 3), describe_rollup(plan, "UZB", 0, 0)
    ('mean over 2 of 3 parties', 'UZB is not a party (perspective)')
    """
    if party is not None:
        return f"{party} only (perspective)" if parties else f"{party} is not a party (perspective)"
    if not parties:
        return "the instrument has no parties"
    method = criterion.rollup.method if criterion.rollup else "mean"
    return f"{_ROLLUP_WORDS[method]} over {counted} of {parties} parties"


def describe_rolled_value(criterion: CriterionPlan, raw: float, perspective: bool) -> str:
    """A rolled-up value in words: the method and the value (``mean level 2.5 of 4``); from a perspective, the
    party's value alone.

    >>> from scoring.normalise import ColumnRule
    >>> from scoring.rubric import Rollup
    >>> rule = ColumnRule(OrdinalMap(method="ordinal", points={}), choices=("none", "some", "full"), interpolate=True)
    >>> plan = CriterionPlan("c", "C", "", "P", -1, None, None, None, rule, None, 1, Rollup(method="mean"))
    >>> describe_rolled_value(plan, 1.5, perspective=False), describe_rolled_value(plan, 1.0, perspective=True)
    ('mean level 2.5 of 3', 'level 2 of 3 (some)')
    """
    words = describe_value(criterion, raw)
    if perspective or math.isnan(raw) or criterion.rollup is None:
        return words
    return f"{criterion.rollup.method} {words}"


_ROLLUP_WORDS = {"mean": "mean", "min": "min", "max": "max", "share": "share of yes"}


def describe_rule(criterion: CriterionPlan, parameters: dict[str, float], treatment: str | None) -> str:
    """The rule a criterion applies, in words, with the scored set's statistics where it used them."""
    steps = [_rollup_rule(criterion)] if criterion.rollup else []
    steps += [_transform(criterion)] if criterion.transform else []
    if treatment:
        steps.append(f"outliers: {treatment}")
    steps.append(_normalisation(criterion, parameters))
    return "; ".join(steps)


def _rollup_rule(criterion: CriterionPlan) -> str:
    rollup = criterion.rollup
    if rollup is None:
        return ""
    method = _ROLLUP_WORDS[rollup.method]
    if rollup.over == "perspective":
        return f"the perspective's party's value ({method} over the instrument's parties without a perspective)"
    return f"{method} over the instrument's parties"


def _transform(criterion: CriterionPlan) -> str:
    spec = criterion.transform
    if isinstance(spec, LogTransform):
        shift = f" + {number(spec.offset)}" if spec.offset else ""
        return f"log{number(spec.base)}(value{shift})"
    if isinstance(spec, RatioTransform):
        scale = f"{number(spec.scale)} x " if spec.scale != 1.0 else ""
        return f"{scale}value / {spec.denominator}"
    return ""


def _direction(criterion: CriterionPlan) -> str:
    return "higher is better" if criterion.rule.higher else "lower is better"


def _normalisation(criterion: CriterionPlan, used: dict[str, float]) -> str:
    spec = criterion.rule.spec
    if isinstance(spec, Goalposts):
        cap = ", capped to 0..100" if spec.capped else ""
        return f"goalposts {number(spec.min)} to {number(spec.max)}, {_direction(criterion)}{cap}"
    if isinstance(spec, Bands):
        bands = ", ".join(f">= {number(band.min)} -> {number(band.points)}" for band in spec.bands)
        return f"bands: below {number(spec.bands[0].min)} -> {number(spec.below)}, {bands}"
    if isinstance(spec, BooleanMap):
        return f"yes -> {number(spec.true_points)}, no -> {number(spec.false_points)}"
    if isinstance(spec, OrdinalMap | CategoricalMap):
        return "points: " + ", ".join(f"{name} -> {number(spec.points[name])}" for name in criterion.rule.choices)
    if isinstance(spec, Target):
        return f"100 at {number(spec.target)}, 0 at {number(spec.width)} or more away ({spec.side.replace('_', ' ')})"
    return _relative(criterion, used)


def _relative(criterion: CriterionPlan, used: dict[str, float]) -> str:
    spec, count = criterion.rule.spec, int(used.get("count", 0))
    over = f"over the {count} instruments with a value, {_direction(criterion)}"
    if isinstance(spec, MinMax):
        return f"min-max {over} (min {number(used.get('min', math.nan))}, max {number(used.get('max', math.nan))})"
    if isinstance(spec, ZScore):
        stats = f"mean {number(used.get('mean', math.nan))}, sd {number(used.get('sd', math.nan))}"
        return f"z-score {over} ({stats}): 50 + {number(spec.points_per_sd)} x z"
    if isinstance(spec, Percentile):
        return f"percentile rank {over}"
    if isinstance(spec, Rank):
        return f"rank {over}, spread over 0..100"
    if isinstance(spec, Reference):
        return f"{spec.form} to the reference {number(used.get('reference', math.nan))} {over}"
    return spec.method
