"""Normalisation: transformed indicator values into 0..100 points, a block of criteria at a time.

Every method works on a block ``x`` of shape (criteria, instruments) that share the method, and returns the
points, a mask of values held within 0..100 by a cap, and per criterion the parameters it used (for
population-relative methods: the statistics of the scored set), which explanations quote. Population-relative
methods use the values present in the scored set only; a missing value stays NaN.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from scoring.arrays import BoolArray, FloatArray
from scoring.rubric import (
    Bands,
    BooleanMap,
    CategoricalMap,
    Goalposts,
    Normalisation,
    OrdinalMap,
    Reference,
    Target,
    ZScore,
)


@dataclass(frozen=True)
class ColumnRule:
    """A criterion's normalisation, its direction resolved, and its indicator's level or category names."""

    spec: Normalisation
    higher: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Normalised:
    """The output of one method on a block: points, cap mask, and the parameters used per column."""

    points: FloatArray
    capped: BoolArray
    parameters: list[dict[str, float]] = field(default_factory=list)


Method = Callable[[Sequence[ColumnRule], FloatArray], Normalised]


def normalise(rules: Sequence[ColumnRule], x: FloatArray) -> Normalised:
    """Normalise every row of ``x`` (criteria x instruments) with its rule, grouping criteria by method.

    >>> rule = ColumnRule(Goalposts(method="goalposts", min=0, max=10))
    >>> normalise([rule], np.array([[5.0, 12.0, np.nan]])).points.ravel().tolist()
    [50.0, 100.0, nan]
    """
    groups: dict[str, list[int]] = {}
    for column, rule in enumerate(rules):
        groups.setdefault(rule.spec.method, []).append(column)
    if len(groups) == 1:
        return _METHODS[rules[0].spec.method](rules, x)
    # Goalposts run over every row at once, straight into the output (other rows are overwritten below):
    # one large array instead of a gathered copy, a result and a scatter.
    linear = _goalposts(rules, x, everywhere=True)
    points, capped = linear.points, linear.capped
    parameters: list[dict[str, float]] = [{} for _ in rules]
    groups.pop("goalposts", None)
    for method, columns in groups.items():
        part = _METHODS[method]([rules[column] for column in columns], x[columns])
        points[columns] = part.points
        capped[columns] = part.capped
        for column, used in zip(columns, part.parameters, strict=True):
            parameters[column] = used
    return Normalised(points, capped, parameters)


def point_range(spec: Normalisation) -> tuple[float, float]:
    """The lowest and highest points a normalisation gives (the worst and best a criterion can reach).

    >>> point_range(BooleanMap(method="boolean", true_points=80, false_points=20))
    (20.0, 80.0)
    """
    if isinstance(spec, Bands):
        values = [spec.below, *(band.points for band in spec.bands)]
        return min(values), max(values)
    if isinstance(spec, BooleanMap):
        return min(spec.true_points, spec.false_points), max(spec.true_points, spec.false_points)
    if isinstance(spec, OrdinalMap | CategoricalMap):
        return min(spec.points.values()), max(spec.points.values())
    return 0.0, 100.0


def _capped(points: FloatArray, caps: Sequence[bool]) -> Normalised:
    """Hold the columns whose rule is capped within 0..100, flagging the values that were moved."""
    cap = np.asarray(caps, dtype=np.bool_)[:, None]
    capped = (points < 0.0) | (points > 100.0)
    if cap.all():
        return Normalised(np.clip(points, 0.0, 100.0, out=points), capped, [{} for _ in caps])
    capped &= cap
    for row in np.flatnonzero(cap):
        np.clip(points[row], 0.0, 100.0, out=points[row])
    return Normalised(points, capped, [{} for _ in caps])


def _goalposts(rules: Sequence[ColumnRule], x: FloatArray, everywhere: bool = False) -> Normalised:
    """Goalposts on every row; with ``everywhere``, rows of other methods get placeholder goalposts 0..100."""
    placeholder = Goalposts(method="goalposts", min=0.0, max=100.0, capped=False)
    specs = [rule.spec if isinstance(rule.spec, Goalposts) else placeholder for rule in rules]
    if not everywhere and len(specs) != len(rules):
        raise ValueError("goalposts applied to another method's criteria")
    higher = np.array([rule.higher for rule in rules])
    low = np.array([spec.min for spec in specs])
    high = np.array([spec.max for spec in specs])
    points = np.subtract(x, np.where(higher, low, high)[:, None])
    points *= (100.0 / np.where(higher, high - low, low - high))[:, None]
    return _capped(points, [spec.capped for spec in specs])


def _bands(rules: Sequence[ColumnRule], x: FloatArray) -> Normalised:
    points = np.empty_like(x)
    for column, rule in enumerate(rules):
        assert isinstance(rule.spec, Bands)
        points[column] = rule.spec.below
        for band in rule.spec.bands:  # thresholds rise, so a later band overrides an earlier one
            points[column][x[column] >= band.min] = band.points
    points[np.isnan(x)] = np.nan
    return Normalised(points, np.zeros(x.shape, dtype=np.bool_), [{} for _ in rules])


def _boolean(rules: Sequence[ColumnRule], x: FloatArray) -> Normalised:
    tables = [[rule.spec.false_points, rule.spec.true_points] for rule in rules if isinstance(rule.spec, BooleanMap)]
    return _lookup(rules, x, tables)


def _level_map(rules: Sequence[ColumnRule], x: FloatArray) -> Normalised:
    tables = []
    for rule in rules:
        assert isinstance(rule.spec, OrdinalMap | CategoricalMap)
        tables.append([rule.spec.points[name] for name in rule.choices])
    return _lookup(rules, x, tables)


def _lookup(rules: Sequence[ColumnRule], x: FloatArray, tables: Sequence[Sequence[float]]) -> Normalised:
    """Points by code: ``tables[column][code]``; a missing value (NaN) becomes code -1, the NaN entry."""
    sizes = np.array([len(table) for table in tables])
    table = np.full((len(tables), sizes.max() + 1), np.nan)
    for column, entries in enumerate(tables):
        table[column, : len(entries)] = entries
    missing = np.isnan(x)
    filled = np.where(missing, -1.0, x)
    codes = filled.astype(np.intp)
    bad = (codes != filled) | (codes >= sizes[:, None]) | (codes < -1) | ((codes == -1) & ~missing)
    if bad.any():
        column, row = (int(position) for position in np.argwhere(bad)[0])
        raise ValueError(
            f"{x[column, row]} is no valid code for a {rules[column].spec.method} criterion (0..{sizes[column] - 1})"
        )
    points = np.empty_like(x)
    for column in range(len(tables)):
        points[column] = np.take(table[column], codes[column])
    return Normalised(points, np.zeros(x.shape, dtype=np.bool_), [{} for _ in rules])


def _target(rules: Sequence[ColumnRule], x: FloatArray) -> Normalised:
    specs = [rule.spec for rule in rules if isinstance(rule.spec, Target)]
    gap = x - np.array([spec.target for spec in specs])[:, None]
    sides = np.array([spec.side for spec in specs])[:, None]
    distance = np.where(
        sides == "at_least",
        np.maximum(-gap, 0.0),
        np.where(sides == "at_most", np.maximum(gap, 0.0), np.abs(gap)),
    )
    points = 100.0 * np.clip(1.0 - distance / np.array([spec.width for spec in specs])[:, None], 0.0, 1.0)
    return Normalised(points, np.zeros(x.shape, dtype=np.bool_), [{} for _ in rules])


def _per_column(
    method: Callable[[ColumnRule, FloatArray], tuple[FloatArray, bool, dict[str, float]]],
) -> Method:
    """Lift a population-relative method on the present values of one column to a block method."""

    def block(rules: Sequence[ColumnRule], x: FloatArray) -> Normalised:
        points = np.full_like(x, np.nan)
        capped = np.zeros(x.shape, dtype=np.bool_)
        parameters = []
        for column, rule in enumerate(rules):
            present = ~np.isnan(x[column])
            values = x[column, present]
            if values.size == 0:
                parameters.append({"count": 0.0})
                continue
            result, cap, used = method(rule, values)
            if cap:
                capped[column, present] = (result < 0.0) | (result > 100.0)
                result = np.clip(result, 0.0, 100.0)
            points[column, present] = result
            parameters.append({"count": float(values.size), **used})
        return Normalised(points, capped, parameters)

    return block


def _minmax(rule: ColumnRule, values: FloatArray) -> tuple[FloatArray, bool, dict[str, float]]:
    low, high = float(values.min()), float(values.max())
    if low == high:
        return np.full_like(values, 50.0), False, {"min": low, "max": high}
    share = (values - low) / (high - low)
    return 100.0 * (share if rule.higher else 1.0 - share), False, {"min": low, "max": high}


def _zscore(rule: ColumnRule, values: FloatArray) -> tuple[FloatArray, bool, dict[str, float]]:
    assert isinstance(rule.spec, ZScore)
    mean = float(values.mean())
    sd = float(values.std(ddof=1)) if values.size > 1 else 0.0
    if sd == 0.0:
        return np.full_like(values, 50.0), False, {"mean": mean, "sd": sd}
    z = (values - mean) / sd * (1.0 if rule.higher else -1.0)
    return 50.0 + rule.spec.points_per_sd * z, rule.spec.capped, {"mean": mean, "sd": sd}


def ascending_rank(values: FloatArray, higher: bool) -> FloatArray:
    """Rank 1 for the worst value up to n for the best; ties share the lower rank.

    >>> ascending_rank(np.array([7.1, 9.4, 9.4, 12.0]), higher=True).tolist()
    [1.0, 2.0, 2.0, 4.0]
    """
    ordered = np.sort(values)
    if higher:
        return (np.searchsorted(ordered, values, side="left") + 1).astype(np.float64)
    return (values.size - np.searchsorted(ordered, values, side="right") + 1).astype(np.float64)


def _percentile(rule: ColumnRule, values: FloatArray) -> tuple[FloatArray, bool, dict[str, float]]:
    return 100.0 * ascending_rank(values, rule.higher) / values.size, False, {}


def _rank(rule: ColumnRule, values: FloatArray) -> tuple[FloatArray, bool, dict[str, float]]:
    if values.size == 1:
        return np.full_like(values, 100.0), False, {}
    return 100.0 * (ascending_rank(values, rule.higher) - 1.0) / (values.size - 1), False, {}


def _reference(rule: ColumnRule, values: FloatArray) -> tuple[FloatArray, bool, dict[str, float]]:
    assert isinstance(rule.spec, Reference)
    spec = rule.spec
    statistics = {"mean": float(values.mean()), "max": float(values.max()), "min": float(values.min())}
    reference = statistics[spec.reference] if isinstance(spec.reference, str) else spec.reference
    if reference == 0.0:
        return np.full_like(values, np.nan), False, {"reference": reference}
    if spec.form == "difference":
        result = 100.0 * (values - reference) / abs(reference) * (1.0 if rule.higher else -1.0)
    elif rule.higher:
        result = 100.0 * values / reference
    else:
        nonzero = values != 0.0
        result = np.divide(100.0 * reference, values, out=np.full_like(values, np.nan), where=nonzero)
    return result, spec.capped, {"reference": reference}


_METHODS: dict[str, Method] = {
    "goalposts": _goalposts,
    "bands": _bands,
    "boolean": _boolean,
    "ordinal": _level_map,
    "categorical": _level_map,
    "target": _target,
    "minmax": _per_column(_minmax),
    "zscore": _per_column(_zscore),
    "percentile": _per_column(_percentile),
    "rank": _per_column(_rank),
    "reference": _per_column(_reference),
}
POPULATION_RELATIVE = frozenset({"minmax", "zscore", "percentile", "rank", "reference"})
