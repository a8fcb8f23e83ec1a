"""Normalisation: transformed indicator values into 0..100 points, a block of criteria at a time.

Every method works on a block ``x`` of shape (criteria, instruments) that share the method, and returns the
points, a mask of values held within 0..100 by a cap, and per criterion the parameters it used (for
population-relative methods: the statistics of the scored set), which explanations quote. Population-relative
methods use the values present in the scored set only; a missing value stays NaN.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from scoring.arrays import BoolArray, FloatArray, IntArray
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
    """A criterion's normalisation, its direction resolved, and its indicator's level or category names.

    ``interpolate``: an ordinal map reads level positions between two levels (a mean over parties) as the
    points interpolated linearly between theirs; otherwise a code must be a whole level.
    """

    spec: Normalisation
    higher: bool = True
    choices: tuple[str, ...] = ()
    interpolate: bool = False


@dataclass(frozen=True)
class Block:
    """The output of one method on a block of rows: points, cap mask, and the parameters used per row."""

    points: FloatArray
    capped: BoolArray
    parameters: list[dict[str, float]] = field(default_factory=list)


@dataclass(frozen=True)
class Normalised:
    """Points per criterion (rows) and instrument, the cells a cap held within 0..100, and each row's parameters.

    ``capped`` lists the capped cells as ascending flat indices into ``points`` (row-major): values beyond
    the goalposts are few, so a list of them is far smaller than a mask of every cell.
    """

    points: FloatArray
    capped: IntArray
    parameters: list[dict[str, float]] = field(default_factory=list)

    def is_capped(self, column: int, row: int) -> bool:
        """Whether a cap moved the points of criterion ``column`` for instrument ``row``."""
        cell = column * self.points.shape[1] + row
        at = int(np.searchsorted(self.capped, cell))
        return at < self.capped.size and int(self.capped[at]) == cell


Method = Callable[[Sequence[ColumnRule], FloatArray], Block]


def normalise(
    rules: Sequence[ColumnRule], x: FloatArray, stand_ins: Mapping[int, FloatArray] | None = None
) -> Normalised:
    """Normalise every row of ``x`` (criteria x instruments) with its rule, grouping criteria by method.

    Every method writes straight into one output array allocated here: goalposts run over all rows at once
    (rows of other methods get placeholder goalposts and are overwritten), lookup methods row by row in place,
    population-relative and target methods on their block of rows.

    ``stand_ins``, by row position, stand in for rows of ``x`` (criteria rolled up from the parties' values, when
    ``x`` is the input's matrix read in place): those rows of ``x`` are not read.

    >>> rule = ColumnRule(Goalposts(method="goalposts", min=0, max=10))
    >>> normalise([rule], np.array([[5.0, 12.0, np.nan]])).points.ravel().tolist()
    [50.0, 100.0, nan]
    """
    groups: dict[str, list[int]] = {}
    for column, rule in enumerate(rules):
        groups.setdefault(rule.spec.method, []).append(column)
    points = np.empty(x.shape, dtype=np.float64)
    capped: list[IntArray] = []
    parameters: list[dict[str, float]] = [{} for _ in rules]
    given = stand_ins or {}
    if "goalposts" in groups:
        capped.append(_goalposts(rules, x, points, given))
        del groups["goalposts"]
    for method, columns in groups.items():
        chosen = [rules[column] for column in columns]
        if method in _IN_PLACE:
            for column, rule in zip(columns, chosen, strict=True):
                _IN_PLACE[method](rule, given[column] if column in given else x[column], points[column])
            continue
        block = x[columns]
        for position, column in enumerate(columns):
            if column in given:
                block[position] = given[column]
        part = _METHODS[method](chosen, block)
        points[columns] = part.points
        rows, cells = np.nonzero(part.capped)
        capped.append(np.asarray(columns, dtype=np.intp)[rows] * x.shape[1] + cells)
        for column, used in zip(columns, part.parameters, strict=True):
            parameters[column] = used
    cells = np.sort(np.concatenate(capped)) if capped else np.zeros(0, dtype=np.intp)
    return Normalised(points, cells, parameters)


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


def _goalposts(
    rules: Sequence[ColumnRule], x: FloatArray, points: FloatArray, stand_ins: Mapping[int, FloatArray]
) -> IntArray:
    """Goalposts over every row into ``points``; rows of other methods get placeholder goalposts 0..100.

    A row of ``stand_ins`` replaces that row of ``x`` (computed again from it before any cap is looked for).
    Returns the cells (flat indices) of the rows whose goalposts cap that fell outside 0..100 and were held in.
    Values beyond the goalposts are rare: a row's lowest and highest points (two reductions, no mask) say
    whether it has any, and only such rows are searched and clipped.
    """
    specs = [rule.spec if isinstance(rule.spec, Goalposts) else None for rule in rules]
    higher = np.array([rule.higher for rule in rules])
    low = np.array([0.0 if spec is None else spec.min for spec in specs])
    high = np.array([100.0 if spec is None else spec.max for spec in specs])
    offset, scale = np.where(higher, low, high), 100.0 / np.where(higher, high - low, low - high)
    np.subtract(x, offset[:, None], out=points)
    points *= scale[:, None]
    for standing, values in stand_ins.items():
        np.subtract(values, offset[standing], out=points[standing])
        points[standing] *= scale[standing]
    cap = np.array([spec is not None and spec.capped for spec in specs])
    if not cap.any():
        return np.zeros(0, dtype=np.intp)
    lowest = np.fmin.reduce(points, axis=1, initial=np.inf)
    beyond = cap & ((lowest < 0.0) | (np.fmax.reduce(points, axis=1, initial=-np.inf) > 100.0))
    cells = []
    for row in np.flatnonzero(beyond):
        outside = points[row] < 0.0
        outside |= points[row] > 100.0
        cells.append(row * points.shape[1] + np.flatnonzero(outside))
        np.clip(points[row], 0.0, 100.0, out=points[row])
    return np.concatenate(cells) if cells else np.zeros(0, dtype=np.intp)


def _bands(rule: ColumnRule, x: FloatArray, out: FloatArray) -> None:
    """Bands on one row: the code is how many thresholds the value reaches (they rise); NaN gets the NaN entry."""
    assert isinstance(rule.spec, Bands)
    spec = rule.spec
    table = np.array([spec.below, *(band.points for band in spec.bands), np.nan])
    codes = np.zeros(x.shape, dtype=np.intp)
    for band in spec.bands:
        codes += x >= band.min
    codes[np.isnan(x)] = len(spec.bands) + 1
    np.take(table, codes, out=out)


def _boolean(rule: ColumnRule, x: FloatArray, out: FloatArray) -> None:
    assert isinstance(rule.spec, BooleanMap)
    _lookup(rule, x, [rule.spec.false_points, rule.spec.true_points], out)


def _level_map(rule: ColumnRule, x: FloatArray, out: FloatArray) -> None:
    assert isinstance(rule.spec, OrdinalMap | CategoricalMap)
    entries = [rule.spec.points[name] for name in rule.choices]
    if rule.interpolate:
        _interpolate(rule, x, entries, out)
    else:
        _lookup(rule, x, entries, out)


def _interpolate(rule: ColumnRule, x: FloatArray, entries: Sequence[float], out: FloatArray) -> None:
    """Points of level positions that may fall between two levels, interpolated linearly; NaN stays NaN.

    Raises:
        ValueError: a position below 0 or above the highest level.
    """
    size = len(entries)
    if np.fmin.reduce(x, initial=np.inf) < 0.0 or np.fmax.reduce(x, initial=-np.inf) > size - 1:
        present = x[~np.isnan(x)]
        bad = present[(present < 0.0) | (present > size - 1)][0]
        raise ValueError(f"{bad} is no level position of a {rule.spec.method} criterion (0..{size - 1})")
    out[...] = np.interp(x, np.arange(size, dtype=np.float64), np.asarray(entries, dtype=np.float64))


def _lookup(rule: ColumnRule, x: FloatArray, entries: Sequence[float], out: FloatArray) -> None:
    """Points by code into ``out``: ``entries[code]``; a missing value (NaN) gets code ``len(entries)``, NaN.

    Raises:
        ValueError: a value present is no whole number in ``0 .. len(entries) - 1``.
    """
    size = len(entries)
    # fmin/fmax skip NaN, so the range check costs two reductions and NaN maps to the NaN entry in one pass.
    filled = np.fmin(x, float(size))
    codes = filled.astype(np.intp)
    low, high = np.fmin.reduce(x, initial=np.inf), np.fmax.reduce(x, initial=-np.inf)
    if low < 0.0 or high > size - 1 or (codes != filled).any():
        present = x[~np.isnan(x)]
        bad = present[(present < 0.0) | (present > size - 1) | (present != np.floor(present))][0]
        raise ValueError(f"{bad} is no valid code for a {rule.spec.method} criterion (0..{size - 1})")
    np.take(np.array([*entries, np.nan], dtype=np.float64), codes, out=out)


def _target(rules: Sequence[ColumnRule], x: FloatArray) -> Block:
    specs = [rule.spec for rule in rules if isinstance(rule.spec, Target)]
    gap = x - np.array([spec.target for spec in specs])[:, None]
    sides = np.array([spec.side for spec in specs])[:, None]
    distance = np.where(
        sides == "at_least",
        np.maximum(-gap, 0.0),
        np.where(sides == "at_most", np.maximum(gap, 0.0), np.abs(gap)),
    )
    points = 100.0 * np.clip(1.0 - distance / np.array([spec.width for spec in specs])[:, None], 0.0, 1.0)
    return Block(points, np.zeros(x.shape, dtype=np.bool_), [{} for _ in rules])


def _per_column(
    method: Callable[[ColumnRule, FloatArray], tuple[FloatArray, bool, dict[str, float]]],
) -> Method:
    """Lift a population-relative method on the present values of one column to a block method."""

    def block(rules: Sequence[ColumnRule], x: FloatArray) -> Block:
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
        return Block(points, capped, parameters)

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


_IN_PLACE: dict[str, Callable[[ColumnRule, FloatArray, FloatArray], None]] = {
    "bands": _bands,
    "boolean": _boolean,
    "ordinal": _level_map,
    "categorical": _level_map,
}
_METHODS: dict[str, Method] = {
    "target": _target,
    "minmax": _per_column(_minmax),
    "zscore": _per_column(_zscore),
    "percentile": _per_column(_percentile),
    "rank": _per_column(_rank),
    "reference": _per_column(_reference),
}
POPULATION_RELATIVE = frozenset({"minmax", "zscore", "percentile", "rank", "reference"})
