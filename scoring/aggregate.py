"""Aggregation up the tree, vectorised over instruments and over weight samples at once.

Arrays are laid out ``(B, columns, n)``: a batch axis ``B`` (one per weight vector: 1 when scoring, one per
Monte Carlo sample in sensitivity analysis), the plan's columns (see :mod:`scoring.plan`), and the
instruments last, so a node's children are one contiguous block and a weighted mean over them is a matrix
product. Nodes are visited children first; each is a handful of numpy operations over all instruments and
samples.

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
    """What every node did, as ``(B, M, n)`` arrays, plus the criterion values it used.

    Per-criterion weights and contributions are not stored as dense arrays: they are products of these
    per-node factors and the criterion's value, computed for the instruments asked for by :func:`terms`, the
    same function the top-down pass uses for nodes. ``total`` is each node's sum of the weights it used;
    ``ratio`` turns a child's part (weight share times value, or for a minimum weight share times "is the
    weakest") into its contribution; ``used`` holds the criterion points after imputation (NaN: not used).
    A node's local weight is not kept: it is its effective weight over its parent's.
    """

    used: FloatArray
    imputed: BoolArray | None
    fills: FloatArray | None
    total: FloatArray
    ratio: FloatArray
    effective: FloatArray
    contributions: FloatArray
    node_used: FloatArray


@dataclass(frozen=True)
class Aggregated:
    """Node scores ``(B, M, n)`` (NaN when insufficient), weighted data coverage, and the trace if asked for."""

    nodes: FloatArray
    coverage: FloatArray
    insufficient: BoolArray
    trace: Trace | None


@dataclass(frozen=True)
class _Step:
    """What a node computed bottom-up and its trace reuses top-down."""

    values: FloatArray
    total: FloatArray
    denominator: FloatArray
    fill: FloatArray | None


def aggregate(
    plan: Plan,
    points: FloatArray,
    weights: FloatArray,
    groups: IntArray | None = None,
    *,
    trace: bool = False,
    fills: FloatArray | None = None,
) -> Aggregated:
    """Aggregate criterion points ``(C, n)`` up the tree under each weight vector of ``weights`` ``(B, C+M)``.

    ``groups`` codes each instrument's group (-1: none) for group imputation. ``fills``, when given
    ``(1, C+M, n)``, replaces the imputation statistics (a counterfactual holds them fixed).
    """
    criteria, count = points.shape
    shape = (weights.shape[0], len(plan.nodes), count)
    nodes, coverage = np.empty(shape), np.empty(shape)
    insufficient = np.zeros(shape, dtype=np.bool_)
    steps: list[_Step] = [None] * len(plan.nodes)  # type: ignore[list-item]
    for index in reversed(range(len(plan.nodes))):
        node = plan.nodes[index]
        kids = _local(node.children, 0 if node.has_criteria else criteria)
        values = points[None, kids] if node.has_criteria else nodes[:, kids]
        present = ~np.isnan(values)
        weight = weights[:, node.children]
        total = _mean(weight, present)
        child_coverage = total if node.has_criteria else _mean(weight, coverage[:, kids])
        coverage[:, index] = child_coverage / weight.sum(axis=1)[:, None]
        fill = _fill(plan, node, values, present, groups) if fills is None else _given(node, fills, values)
        if fill is not None:
            values = np.where(present, values, fill)
            present = ~np.isnan(values)
            total = _mean(weight, present)
        zeroed = np.where(present, values, 0.0)
        safe_total = np.where(total > 0.0, total, 1.0)
        score, denominator = _combine(zeroed, present, weight, safe_total, node)
        short = (total <= 0.0) | (coverage[:, index] < node.missing.min_coverage - _EPSILON)
        nodes[:, index] = np.where(short, np.nan, score)
        insufficient[:, index] = short
        steps[index] = _Step(values, total, np.where(short, 0.0, denominator), fill)
    traced = _trace(plan, points, nodes, weights, steps, record_fills=fills is None) if trace else None
    return Aggregated(nodes, coverage, insufficient, traced)


def aggregate_with_trace(
    plan: Plan, points: FloatArray, weights: FloatArray, groups: IntArray | None = None
) -> tuple[Aggregated, Trace]:
    """:func:`aggregate` recording the trace that explanations slice."""
    result = aggregate(plan, points, weights, groups, trace=True)
    if result.trace is None:
        raise RuntimeError("aggregate did not record its trace")
    return result, result.trace


def _local(children: slice, offset: int) -> slice:
    """A column slice as a slice of the criteria (offset 0) or of the node array (offset C)."""
    return slice(children.start - offset, children.stop - offset)


def _mean(weight: FloatArray, values: FloatArray | BoolArray) -> FloatArray:
    """``sum_k weight[b, k] * values[b, k, i]`` as one (batched) matrix product: shape ``(B, n)``."""
    product: FloatArray = np.matmul(weight[:, None, :], values.astype(np.float64, copy=False))[:, 0, :]
    return product


def _combine(
    values: FloatArray, present: BoolArray, weight: FloatArray, total: FloatArray, node: NodePlan
) -> tuple[FloatArray, FloatArray]:
    """One node's score from its children's values (missing ones zeroed), and its share denominator.

    The denominator is what the children's parts add up to (see :func:`terms`): the score itself for an
    arithmetic mean, the arithmetic mean for a geometric one, the weight share of the weakest for a minimum.
    """
    mean: FloatArray = _mean(weight, values) / total
    if node.aggregation == "arithmetic":
        return mean, mean
    counted = present & (weight[:, :, None] > 0.0)
    if node.aggregation == "minimum":
        weakest: FloatArray = np.min(np.where(counted, values, np.inf), axis=1)
        binding = counted & (values == weakest[:, None, :])
        return weakest, _mean(weight, binding) / total
    positive = values > 0.0
    # log(v) - log(100), not log(v / 100): the quotient of a subnormal value underflows to 0 (log -inf).
    logs = np.log(np.where(positive, values, 100.0)) - np.log(100.0)
    zero = np.any(counted & ~positive, axis=1)
    geometric: FloatArray = np.where(zero, 0.0, 100.0 * np.exp(_mean(weight, logs) / total))
    return geometric, mean


def terms(
    values: FloatArray,
    weight: FloatArray,
    total: FloatArray,
    effective: FloatArray,
    ratio: FloatArray,
    score: FloatArray,
    aggregation: str,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Local weight, effective weight and contribution of the children of one node.

    Args:
        values: the children's values as used ``(B, k, r)``, NaN where not used.
        weight: the children's weights ``(B, k)``.
        total, effective, ratio, score: the node's used weight sum, effective weight, contribution ratio and
            score ``(B, r)``.
        aggregation: the node's aggregation.
    """
    present = ~np.isnan(values)
    local = weight[:, :, None] * present / np.where(total > 0.0, total, 1.0)[:, None, :]
    if aggregation == "minimum":
        part = local * (present & (local > 0.0) & (values == score[:, None, :]))
    else:
        part = local * np.where(present, values, 0.0)
    return local, local * effective[:, None, :], part * ratio[:, None, :]


def _fill(
    plan: Plan, node: NodePlan, values: FloatArray, present: BoolArray, groups: IntArray | None
) -> FloatArray | None:
    """The value each missing child gets under the node's policy (NaN: stays missing), or None."""
    policy = node.missing.policy
    if policy == "renormalise" or present.all():
        return None
    if policy == "worst":
        return np.broadcast_to(plan.floors[node.children, None], values.shape)
    median = policy.endswith("median")
    population = _statistic(values, present, median)[..., None]
    if not policy.startswith("impute_group") or groups is None:
        return np.broadcast_to(population, values.shape)
    by_group = np.full(values.shape, np.nan)
    for group in np.unique(groups[groups >= 0]):
        members = groups == group
        by_group[..., members] = _statistic(values[..., members], present[..., members], median)[..., None]
    filled: FloatArray = np.where(np.isnan(by_group), population, by_group)
    return filled


def _statistic(values: FloatArray, present: BoolArray, median: bool) -> FloatArray:
    """Mean or median over the instruments (last axis) of the values present; NaN where none is."""
    if median:
        return nan_quantile(values, 0.5, axis=-1)
    counts = present.sum(axis=-1)
    sums = np.where(present, values, 0.0).sum(axis=-1)
    mean: FloatArray = np.divide(sums, counts, out=np.full(sums.shape, np.nan), where=counts > 0)
    return mean


def _given(node: NodePlan, fills: FloatArray, values: FloatArray) -> FloatArray | None:
    """The recorded fill values of a node's children, for counterfactuals."""
    if node.missing.policy == "renormalise":
        return None
    return np.broadcast_to(fills[:, node.children], values.shape)


def _trace(
    plan: Plan, points: FloatArray, nodes: FloatArray, weights: FloatArray, steps: list[_Step], record_fills: bool
) -> Trace:
    """Walk down from the root: every node's effective weight, contribution and ratio."""
    criteria = points.shape[0]
    total = np.stack([step.total for step in steps], axis=1)
    # Every entry is written below: the root's here, each other node's by its parent's terms.
    effective, contributions, ratio = (np.empty(nodes.shape) for _ in range(3))
    effective[:, 0], contributions[:, 0] = 1.0, np.nan_to_num(nodes[:, 0])
    imputing = [index for index, step in enumerate(steps) if step.fill is not None]
    shape = (nodes.shape[0], criteria + len(plan.nodes), nodes.shape[2])
    imputed = np.zeros(shape, dtype=np.bool_) if imputing else None
    fills = np.full(shape, np.nan) if record_fills and imputing else None
    # The nodes' values as their parents used them: the scores themselves unless a whole node was imputed.
    node_used = nodes.copy() if any(not plan.nodes[index].has_criteria for index in imputing) else nodes
    used = points
    for index in imputing:
        assert imputed is not None
        kids, step = plan.nodes[index].children, steps[index]
        raw = points[None, kids] if plan.nodes[index].has_criteria else nodes[:, _local(kids, criteria)]
        imputed[:, kids] = ~np.isnan(step.values) & np.isnan(raw)
        if fills is not None and step.fill is not None:
            fills[:, kids] = step.fill
        if plan.nodes[index].has_criteria:
            used = used.copy() if used is points else used
            used[kids] = step.values[0]
        else:
            node_used[:, _local(kids, criteria)] = step.values
    for index, node in enumerate(plan.nodes):
        step = steps[index]
        ratio[:, index] = np.divide(
            contributions[:, index], step.denominator, out=np.zeros(step.total.shape), where=step.denominator > 0.0
        )
        if node.has_criteria:
            continue
        kids = _local(node.children, criteria)
        _, effective[:, kids], contributions[:, kids] = terms(
            node_used[:, kids],
            weights[:, node.children],
            step.total,
            effective[:, index],
            ratio[:, index],
            np.nan_to_num(nodes[:, index]),
            node.aggregation,
        )
    return Trace(used, imputed, fills, total, ratio, effective, contributions, node_used)


def criterion_terms(
    plan: Plan, trace: Trace, nodes: FloatArray, weights: FloatArray, rows: slice | IntArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Local weight, effective weight and contribution of every criterion for the instruments ``rows``.

    Returns three ``(B, C, r)`` arrays, built from the trace's per-node factors by :func:`terms`.
    """
    shape = (weights.shape[0], plan.criterion_count, trace.used[:, rows].shape[1])
    local, effective, contributions = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for index, node in enumerate(plan.nodes):
        if not node.has_criteria:
            continue
        kids = node.children
        local[:, kids], effective[:, kids], contributions[:, kids] = terms(
            trace.used[None, kids][..., rows],
            weights[:, kids],
            trace.total[:, index][..., rows],
            trace.effective[:, index][..., rows],
            trace.ratio[:, index][..., rows],
            np.nan_to_num(nodes[:, index][..., rows]),
            node.aggregation,
        )
    return local, effective, contributions
