"""Per-criterion treatment before normalisation: transforms, then outlier treatment (winsorisation).

Both work on one criterion's column over the whole scored set at once. A value a transform cannot produce
(the log of a non-positive number, a ratio to a zero or missing denominator) becomes NaN: missing.
"""

from dataclasses import dataclass

import numpy as np

from scoring.arrays import BoolArray, FloatArray
from scoring.rubric import MAGNITUDE, LogTransform, OutlierTreatment, RatioTransform


def apply_transform(
    spec: LogTransform | RatioTransform | None, x: FloatArray, denominator: FloatArray | None = None
) -> FloatArray:
    """Transform one column: ``log_base(x + offset)`` or ``scale * x / denominator``; NaN where undefined.

    A ratio beyond ±``MAGNITUDE`` (a tiny denominator) has no value either, as a value beyond it could not
    have been observed: the steps after a transform then never overflow.

    >>> apply_transform(LogTransform(kind="log"), np.array([100.0, 0.0])).tolist()
    [2.0, nan]
    >>> spec = RatioTransform(kind="ratio", denominator="POP", scale=1000)
    >>> apply_transform(spec, np.array([5.0, 5.0]), np.array([2000.0, 0.0])).tolist()
    [2.5, nan]
    """
    if spec is None:
        return x
    if isinstance(spec, LogTransform):
        shifted = x + spec.offset
        positive = shifted > 0.0
        logged = np.log(shifted, out=np.full_like(x, np.nan), where=positive)
        result: FloatArray = logged / np.log(spec.base)
        return result
    if denominator is None:
        raise ValueError(f"a ratio transform needs the values of its denominator {spec.denominator!r}")
    usable = (denominator != 0.0) & ~np.isnan(denominator)
    with np.errstate(over="ignore"):
        ratio = np.divide(spec.scale * x, denominator, out=np.full_like(x, np.nan), where=usable)
    ratio[np.abs(ratio) > MAGNITUDE] = np.nan
    return ratio


def skewness_and_kurtosis(values: FloatArray) -> tuple[float, float]:
    """Sample skewness (adjusted Fisher-Pearson G1) and sample excess kurtosis (G2) of the values present.

    Both are 0 with fewer than four values or no spread.

    >>> skew, kurt = skewness_and_kurtosis(np.array([1.0, 2.0, 3.0, 4.0, 100.0]))
    >>> round(skew, 3), round(kurt, 3)
    (2.232, 4.987)
    >>> skewness_and_kurtosis(np.array([np.nan, np.nan]))
    (0.0, 0.0)
    """
    present = values[~np.isnan(values)]
    n = present.size
    if n < 4:  # also spares numpy's warning about the mean of an empty column
        return 0.0, 0.0
    deviations = present - present.mean()
    m2 = float(np.mean(deviations**2))
    if m2 == 0.0:
        return 0.0, 0.0
    g1 = float(np.mean(deviations**3)) / m2**1.5
    g2 = float(np.mean(deviations**4)) / m2**2 - 3.0
    skew = g1 * np.sqrt(n * (n - 1)) / (n - 2)
    kurt = ((n + 1) * g2 + 6.0) * (n - 1) / ((n - 2) * (n - 3))
    return float(skew), float(kurt)


@dataclass(frozen=True)
class OutlierOutcome:
    """The treated column, which values winsorisation moved, and what was done in words."""

    values: FloatArray
    winsorised: BoolArray
    summary: str


def treat_outliers(spec: OutlierTreatment, x: FloatArray) -> OutlierOutcome:
    """Winsorise one column when it has outliers, or fall back to a log transform (see OutlierTreatment).

    >>> outcome = treat_outliers(OutlierTreatment(), np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 200]))
    >>> outcome.values.tolist(), outcome.summary
    ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 9.0], 'winsorised 1 value')
    """
    # The rule of COINr's current treat.R, read from its source (bluefoxr/COINr): skewness and kurtosis are
    # e1071's "type 2" sample statistics (G1 and the excess kurtosis G2, as here); a column passes when the
    # absolute skewness or the kurtosis is below its threshold, so a column at a threshold is treated; each
    # step moves every value tied at the extreme on the side of the skew (high when the skew is >= 0) to the
    # next value; the limit counts values moved, not steps; a column still failing is log-transformed from
    # its original values. (COINr's older coin_treat.R used strict "exceeds" and counted steps.)
    values = x.copy()
    moved = np.zeros(x.shape, dtype=np.bool_)
    while True:
        skew, kurt = skewness_and_kurtosis(values)
        count = int(moved.sum())
        if abs(skew) < spec.skewness or kurt < spec.kurtosis:
            summary = f"winsorised {count} value{'s' if count != 1 else ''}" if count else "no outliers"
            return OutlierOutcome(values, moved, summary)
        if count >= spec.max_points:
            break
        extreme = np.nanmax(values) if skew >= 0 else np.nanmin(values)
        at_extreme = values == extreme
        rest = values[~at_extreme & ~np.isnan(values)]
        values[at_extreme] = rest.max() if skew >= 0 else rest.min()
        moved |= at_extreme
    if spec.fallback == "none":
        return OutlierOutcome(x, np.zeros(x.shape, dtype=np.bool_), "outliers left untreated")
    skew, _ = skewness_and_kurtosis(x)
    logged = np.log(x - np.nanmin(x) + 1.0) if skew > 0 else -np.log(np.nanmax(x) - x + 1.0)
    return OutlierOutcome(logged, np.zeros(x.shape, dtype=np.bool_), "log-transformed (too many outliers)")
