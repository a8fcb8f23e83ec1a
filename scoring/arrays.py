"""Array aliases and small vectorised helpers shared by the engine's modules."""

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]
ObjectArray = npt.NDArray[np.object_]


def nan_quantile(values: FloatArray, q: float, axis: int = 0) -> FloatArray:
    """The ``q`` quantile along ``axis`` ignoring NaN (linear interpolation); NaN where nothing is present.

    Unlike ``numpy.nanquantile`` it never warns about empty slices.

    >>> nan_quantile(np.array([[1.0, np.nan], [3.0, np.nan], [np.nan, np.nan]]), 0.5)
    array([ 2., nan])
    """
    ordered = np.sort(values, axis=axis)
    count = np.sum(~np.isnan(values), axis=axis, keepdims=True)
    position = np.maximum(count - 1, 0) * q
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, np.maximum(count - 1, 0))
    low = np.take_along_axis(ordered, below, axis=axis)
    high = np.take_along_axis(ordered, above, axis=axis)
    result = low + (high - low) * (position - below)
    return np.where(count > 0, result, np.nan).squeeze(axis=axis)


def min_tie_rank(scores: FloatArray) -> FloatArray:
    """Rank along the last axis, 1 = highest; ties share the lower rank number; NaN stays unranked (NaN).

    >>> min_tie_rank(np.array([70.0, 90.0, 70.0, np.nan, 10.0]))
    array([ 2.,  1.,  2., nan,  4.])
    """
    if scores.ndim == 1:
        return _min_tie_rank_1d(scores)
    keyed = np.where(np.isnan(scores), -np.inf, scores)
    order = np.argsort(-keyed, axis=-1, kind="stable")
    ordered = np.take_along_axis(keyed, order, axis=-1)
    position = np.broadcast_to(np.arange(scores.shape[-1]), scores.shape)
    first = np.ones(scores.shape, dtype=np.bool_)
    first[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    starts = np.where(first, position, 0)
    ranks_sorted = np.maximum.accumulate(starts, axis=-1) + 1.0
    ranks = np.empty(scores.shape, dtype=np.float64)
    np.put_along_axis(ranks, order, ranks_sorted, axis=-1)
    return np.where(np.isnan(scores), np.nan, ranks)


def _min_tie_rank_1d(scores: FloatArray) -> FloatArray:
    """:func:`min_tie_rank` of one vector. The sort need not be stable: tied scores get one rank whatever
    their order, the position where their run of equal values starts."""
    missing = np.isnan(scores)
    keyed = np.negative(scores)  # ascending order puts the best first
    keyed[missing] = np.inf
    order = np.argsort(keyed)
    ordered = keyed[order]
    first = np.empty(scores.shape, dtype=np.bool_)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.where(first, np.arange(1.0, scores.size + 1.0), 0.0)
    np.maximum.accumulate(starts, out=starts)
    ranks = np.empty(scores.shape, dtype=np.float64)
    ranks[order] = starts
    ranks[missing] = np.nan
    return ranks


_INFINITE = "an infinite number where a finite one or none was expected"


def optional_float(value: float) -> float | None:
    """A float for JSON and typed results: None for NaN (no value), a plain Python float otherwise.

    This function and its kin below are the one place where a missing number (NaN) becomes ``None``. An
    infinity is no missing number but a defect upstream (rubrics and values are bounded so that none arises):
    it raises rather than pass for one.

    >>> optional_float(np.float64(2.5)), optional_float(np.nan)
    (2.5, None)
    >>> optional_float(np.inf)
    Traceback (most recent call last):
    ...
    ValueError: an infinite number where a finite one or none was expected
    """
    if value in (math.inf, -math.inf):
        raise ValueError(_INFINITE)
    return None if value != value else float(value)


def optional_int(value: float) -> int | None:
    """A whole number held as a float (a rank) as an int; None for NaN.

    >>> optional_int(np.float64(3.0)), optional_int(np.nan)
    (3, None)
    """
    if value in (math.inf, -math.inf):
        raise ValueError(_INFINITE)
    return None if value != value else int(value)


def optional_floats(values: FloatArray) -> list[float | None]:
    """A vector as plain floats, None where NaN, in one pass.

    >>> optional_floats(np.array([1.5, np.nan]))
    [1.5, None]
    """
    if np.isinf(values).any():
        raise ValueError(_INFINITE)
    missing = np.isnan(values).tolist()
    return [None if gap else value for value, gap in zip(values.tolist(), missing, strict=True)]


def optional_ints(values: FloatArray) -> list[int | None]:
    """A vector of whole numbers held as floats (ranks) as plain ints, None where NaN.

    >>> optional_ints(np.array([2.0, np.nan, 1.0]))
    [2, None, 1]
    """
    if np.isinf(values).any():
        raise ValueError(_INFINITE)
    missing = np.isnan(values)
    whole = np.where(missing, 0, values).astype(np.int64).tolist()
    return [None if gap else value for value, gap in zip(whole, missing.tolist(), strict=True)]
