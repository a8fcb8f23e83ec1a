"""Aggregation up the tree, vectorised over instruments and over weight samples at once.

Arrays carry a leading batch axis ``B`` (one per weight vector: 1 when scoring, one per Monte Carlo sample in
sensitivity analysis), then the instruments ``n``, then columns (see :mod:`scoring.plan`). Nodes are visited
children first; each is a handful of numpy operations over all instruments and samples.

How contributions are defined, so that within every node the children's contributions add up to the node's
score, and the criteria's add up to the final score:

* ``arithmetic``: a child contributes its weight share times its points (exactly the weighted mean's terms);
* ``geometric``: the node's score is shared out in proportion to each child's weighted points;
* ``minimum``: the weakest child (the weakest ones, shared by weight) carries the whole score; others 0.

A child's contribution to the final score is its node's contribution times its share of the node's score.
"""

from dataclasses import dataclass

import numpy as np

from scoring.arrays import BoolArray, FloatArray, IntArray, nan_quantile
from scoring.plan import NodePlan, Plan

_EPSILON = 1e-12


@dataclass(frozen=True)
class Trace:
    """Per child column, what the parent did with it: value used, imputation, weights and contribution."""

    used: FloatArray
    imputed: BoolArray
    fills: FloatArray | None
    local: FloatArray
    effective: FloatArray
    contributions: FloatArray


@dataclass(frozen=True)
class Aggregated:
    """Node scores (NaN when insufficient), weighted data coverage, and the trace when asked for."""

    nodes: FloatArray
    coverage: FloatArray
    insufficient: BoolArray
    trace: Trace | None


def aggregate(
    plan: Plan,
    points: FloatArray,
    weights: FloatArray,
    groups: IntArray | None = None,
    *,
    trace: bool = False,
    fills: FloatArray | None = None,
) -> Aggregated:
    """Aggregate criterion points (n, C) up the tree under each weight vector of ``weights`` (B, C+M).

    ``groups`` codes each instrument's group (-1: none) for group imputation. ``fills``, when given, replaces
    the imputation statistics (a counterfactual holds them fixed).
    """
    batch, (count, criteria) = weights.shape[0], points.shape
    shape = (batch, count, len(plan.nodes))
    nodes, coverage = np.empty(shape), np.empty(shape)
    insufficient = np.zeros(shape, dtype=np.bool_)
    steps: dict[int, tuple[FloatArray, BoolArray, FloatArray, FloatArray | None]] = {}
    for index in reversed(range(len(plan.nodes))):
        node = plan.nodes[index]
        values = points[None, :, node.children] if node.has_criteria else nodes[..., _shift(node.children, criteria)]
        present = ~np.isnan(values)
        child_coverage = present if node.has_criteria else coverage[..., _shift(node.children, criteria)]
        weight = weights[:, None, node.children]
        nominal = weight / weight.sum(axis=-1, keepdims=True)
        coverage[..., index] = np.sum(child_coverage * nominal, axis=-1)
        fill = _fill(plan, node, values, present, groups) if fills is None else _given(node, fills, values)
        if fill is not None:
            values = np.where(present, values, fill)
            present = ~np.isnan(values)
        zeroed = np.where(present, values, 0.0)
        used_weight = weight * present
        total = used_weight.sum(axis=-1)
        score = _combine(zeroed, used_weight, total, present, node)
        short = (total <= 0.0) | (coverage[..., index] < node.missing.min_coverage - _EPSILON)
        nodes[..., index] = np.where(short, np.nan, score)
        insufficient[..., index] = short
        steps[index] = (zeroed, present, used_weight / np.where(total > 0.0, total, 1.0)[..., None], fill)
    result_trace = _trace(plan, points, nodes, steps, fills is None) if trace else None
    return Aggregated(nodes, coverage, insufficient, result_trace)


def aggregate_with_trace(
    plan: Plan, points: FloatArray, weights: FloatArray, groups: IntArray | None = None
) -> tuple[Aggregated, Trace]:
    """:func:`aggregate` recording the trace that explanations slice."""
    result = aggregate(plan, points, weights, groups, trace=True)
    if result.trace is None:
        raise RuntimeError("aggregate did not record its trace")
    return result, result.trace


def _shift(children: slice, offset: int) -> slice:
    """A node-column slice as a slice of the node array."""
    return slice(children.start - offset, children.stop - offset)


def _combine(
    values: FloatArray, weight: FloatArray, total: FloatArray, present: BoolArray, node: NodePlan
) -> FloatArray:
    """One node's score from its children's values (missing ones zeroed) and used weights."""
    safe_total = np.where(total > 0.0, total, 1.0)
    if node.aggregation == "arithmetic":
        mean: FloatArray = np.sum(values * weight, axis=-1) / safe_total
        return mean
    if node.aggregation == "minimum":
        weakest: FloatArray = np.min(np.where(present & (weight > 0.0), values, np.inf), axis=-1)
        return weakest
    positive = values > 0.0
    logs = np.log(np.where(positive, values, 100.0) / 100.0)
    zero = np.any(~positive & (weight > 0.0), axis=-1)
    return np.where(zero, 0.0, 100.0 * np.exp(np.sum(weight * logs, axis=-1) / safe_total))


def _fill(
    plan: Plan, node: NodePlan, values: FloatArray, present: BoolArray, groups: IntArray | None
) -> FloatArray | None:
    """The value each missing child gets under the node's policy (NaN: stays missing), or None."""
    policy = node.missing.policy
    if policy == "renormalise" or present.all():
        return None
    if policy == "worst":
        return np.broadcast_to(plan.floors[node.children], values.shape)
    median = policy.endswith("median")
    population = _statistic(values, present, median)[:, None, :]
    if not policy.startswith("impute_group") or groups is None:
        return np.broadcast_to(population, values.shape)
    by_group = np.full(values.shape, np.nan)
    for group in np.unique(groups[groups >= 0]):
        members = groups == group
        by_group[:, members, :] = _statistic(values[:, members, :], present[:, members, :], median)[:, None, :]
    return np.where(np.isnan(by_group), population, by_group)


def _statistic(values: FloatArray, present: BoolArray, median: bool) -> FloatArray:
    """Mean or median over the instruments (axis 1) of the values present; NaN where none is."""
    if median:
        return nan_quantile(values, 0.5, axis=1)
    counts = present.sum(axis=1)
    sums = np.where(present, values, 0.0).sum(axis=1)
    mean: FloatArray = np.divide(sums, counts, out=np.full(sums.shape, np.nan), where=counts > 0)
    return mean


def _given(node: NodePlan, fills: FloatArray, values: FloatArray) -> FloatArray | None:
    """The recorded fill values of a node's children, for counterfactuals."""
    if node.missing.policy == "renormalise":
        return None
    return np.broadcast_to(fills[..., node.children], values.shape)


def _trace(
    plan: Plan,
    points: FloatArray,
    nodes: FloatArray,
    steps: dict[int, tuple[FloatArray, BoolArray, FloatArray, FloatArray | None]],
    record_fills: bool,
) -> Trace:
    """Walk down from the root: each child's local and effective weight and its contribution in points."""
    batch, count, _ = nodes.shape
    criteria = points.shape[1]
    shape = (batch, count, criteria + len(plan.nodes))
    used, local = np.full(shape, np.nan), np.zeros(shape)
    effective, contributions = np.zeros(shape), np.zeros(shape)
    imputed = np.zeros(shape, dtype=np.bool_)
    fills = np.full(shape, np.nan) if record_fills else None
    effective[..., criteria] = 1.0
    contributions[..., criteria] = np.nan_to_num(nodes[..., 0])
    for index, node in enumerate(plan.nodes):
        zeroed, present, share_weight, fill = steps[index]
        kids = node.children
        score = np.nan_to_num(nodes[..., index])[..., None]
        raw = points[None, :, kids] if node.has_criteria else nodes[..., _shift(kids, criteria)]
        used[..., kids] = np.where(present, zeroed, np.nan)
        imputed[..., kids] = present & np.isnan(raw)
        if fills is not None and fill is not None:
            fills[..., kids] = fill
        local[..., kids] = share_weight
        effective[..., kids] = effective[..., criteria + index, None] * share_weight
        share = _shares(zeroed, present, share_weight, score, node)
        contributions[..., kids] = contributions[..., criteria + index, None] * share
    return Trace(used, imputed, fills, local, effective, contributions)


def _shares(
    values: FloatArray, present: BoolArray, weight: FloatArray, score: FloatArray, node: NodePlan
) -> FloatArray:
    """Each child's share of its node's score (see the module docstring); zero when the score is zero."""
    if node.aggregation == "minimum":
        weakest = present & (weight > 0.0) & (values == score)
        part = weight * weakest
    else:
        part = weight * values
    total = score if node.aggregation == "arithmetic" else part.sum(axis=-1, keepdims=True)
    shares: FloatArray = np.divide(part, total, out=np.zeros(part.shape), where=total > 0.0)
    return shares
