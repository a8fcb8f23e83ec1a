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

Coverage, the share of a node's weight resting on data present, per instrument and weight vector::

    coverage(node) = sum_k w_k * q_k / sum_k w_k    over the node's children k, with
    q_k = present_k * f_k  for a criterion: present_k is 1 with a value (before any imputation), else 0;
                           f_k is the rubric's context factor for a context criterion, else 1;
    q_k = coverage(k)      for a sub-node.

So a context criterion with a value adds ``f`` times its weight share (it scores with its full weight), and a
rubric holding one has a coverage below 1 even with every value present. Without context criteria a node's
coverage is its used weight sum over its weight sum, computed once for both.
"""

from dataclasses import dataclass

import numpy as np

from scoring.arrays import BoolArray, FloatArray, IntArray, nan_quantile
from scoring.plan import NodePlan, Plan

_EPSILON = 1e-12


@dataclass(frozen=True)
class Trace:
    """What the aggregation recorded for explanations, as ``(B, M, n)`` arrays, plus the values it used.

    Every node's effective weight (the product of the normalised weights from the root down) and
    contribution to the final score are computed for every instrument while aggregating, top-down. What a
    criterion's weights and contribution need beyond these (its node's used weight sum, and the ratio that turns
    a child's part into its contribution) is not kept as dense arrays: :func:`criterion_terms` recomputes it
    for the instruments asked for, with the same functions on a slice of the same arrays.

    ``used`` holds the criterion points after imputation (NaN: not used), ``node_used`` the nodes' scores as
    their parents used them (they differ where a whole node was imputed); ``imputed`` flags the filled cells
    of every column and ``fills`` holds the values filled in (both None when nothing was imputed).
    """

    used: FloatArray
    imputed: BoolArray | None
    fills: FloatArray | None
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
    """What a node computed bottom-up that the top-down pass reuses: kept for parents of nodes only."""

    total: FloatArray
    denominator: FloatArray


@dataclass(frozen=True)
class _Imputed:
    """A node whose children were imputed: their values after filling and the fill values."""

    values: FloatArray
    fill: FloatArray


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

    Memory: besides the results, one scratch block the size of the widest node's children (and its mask)
    serves every node in turn; the matrix of points is never copied unless criteria are imputed.

    >>> from scoring.plan import compile_rubric
    >>> from scoring.rubric import Rubric
    >>> rubric = Rubric.model_validate({"key": "r", "label": "R", "dimensions": [{"key": "d", "label": "D",
    ...     "criteria": [{"key": k.lower(), "label": k, "indicator": k, "weight": w,
    ...                   "normalisation": {"method": "goalposts", "min": 0, "max": 100}}
    ...                  for k, w in (("X", 3.0), ("Y", 1.0))]}]})
    >>> plan = compile_rubric(rubric, indicator_keys=("X", "Y"))
    >>> points = np.array([[80.0, np.nan], [40.0, 40.0]])
    >>> aggregate(plan, points, plan.weights[None, :]).nodes[0, 0].tolist()
    [70.0, 40.0]
    """
    criteria, count = points.shape
    batch = weights.shape[0]
    shape = (batch, len(plan.nodes), count)
    nodes, coverage = np.empty(shape), np.empty(shape)
    insufficient = np.empty(shape, dtype=np.bool_)
    widest = max(node.children.stop - node.children.start for node in plan.nodes)
    scratch = np.empty((batch, widest, count))
    mask = np.empty((batch, widest, count), dtype=np.bool_)
    steps: dict[int, _Step] = {}
    imputations: dict[int, _Imputed] = {}
    for index in reversed(range(len(plan.nodes))):
        node = plan.nodes[index]
        kids = _local(node.children, 0 if node.has_criteria else criteria)
        values = points[None, kids] if node.has_criteria else nodes[:, kids]
        weight = weights[:, node.children]
        rows, width = values.shape[:2]
        missing = np.isnan(values, out=mask[:rows, :width])
        total = _weighted(weight, np.logical_not(missing, out=scratch[:rows, :width]))
        if not node.has_criteria:
            child_coverage = _weighted(weight, coverage[:, kids])
        elif index in plan.context_nodes:
            present = scratch[:rows, :width]  # the 0/1 the used weight sum was taken of
            child_coverage = _weighted(weight * plan.coverage_factors[node.children], present)
        else:
            child_coverage = total
        np.divide(child_coverage, weight.sum(axis=1)[:, None], out=coverage[:, index])
        fill = None
        if node.missing.policy != "renormalise" and missing.any():
            fill = _fill(plan, node, values, missing, groups) if fills is None else _given(node, fills, values)
        if fill is not None:
            values = np.where(missing, fill, values)
            missing = np.isnan(values)
            total = _weighted(weight, (~missing).astype(np.float64))
            if trace:
                imputations[index] = _Imputed(values, np.broadcast_to(fill, values.shape))
        score, denominator = _combine(values, missing, weight, total, node, scratch[: values.shape[0], :width])
        short = total <= 0.0
        short |= coverage[:, index] < node.missing.min_coverage - _EPSILON
        np.copyto(nodes[:, index], score)
        np.copyto(nodes[:, index], np.nan, where=short)
        insufficient[:, index] = short
        if trace and not node.has_criteria:
            np.copyto(denominator, 0.0, where=short)
            steps[index] = _Step(total, denominator)
    del scratch, mask  # freed before the trace's arrays are allocated: the run's peak memory stays lower
    traced = _trace(plan, points, nodes, weights, steps, imputations, fills is None) if trace else None
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


def _weighted(weight: FloatArray, values: FloatArray) -> FloatArray:
    """``sum_k weight[b, k] * values[b, k, i]`` as one (batched) matrix product: shape ``(B, n)``."""
    product: FloatArray = np.matmul(weight[:, None, :], values)[:, 0, :]
    return product


def _combine(
    values: FloatArray,
    missing: BoolArray,
    weight: FloatArray,
    total: FloatArray,
    node: NodePlan,
    buffer: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """One node's score from its children's values (NaN: missing), and its share denominator.

    The denominator is what the children's parts add up to (see :func:`terms`): the score itself for an
    arithmetic mean, the arithmetic mean for a geometric one, the weight share of the weakest for a minimum.
    ``buffer``, shaped like ``values``, receives the values with missing ones zeroed (allocated when None).
    """
    zeroed = values.copy() if buffer is None else buffer
    if buffer is not None:
        np.copyto(zeroed, values)
    np.copyto(zeroed, 0.0, where=missing)
    safe_total = np.where(total > 0.0, total, 1.0)
    mean = _weighted(weight, zeroed)
    mean /= safe_total
    if node.aggregation == "arithmetic":
        return mean, mean
    counted = ~missing & (weight[:, :, None] > 0.0)
    if node.aggregation == "minimum":
        weakest: FloatArray = np.min(np.where(counted, zeroed, np.inf), axis=1)
        binding = (counted & (zeroed == weakest[:, None, :])).astype(np.float64)
        share: FloatArray = _weighted(weight, binding) / safe_total
        return weakest, share
    positive = zeroed > 0.0
    # log(v) - log(100), not log(v / 100): the quotient of a subnormal value underflows to 0 (log -inf).
    logs = np.log(np.where(positive, zeroed, 100.0)) - np.log(100.0)
    zero = np.any(counted & ~positive, axis=1)
    geometric: FloatArray = np.where(zero, 0.0, 100.0 * np.exp(_weighted(weight, logs) / safe_total))
    return geometric, mean


def terms(
    values: FloatArray,
    weight: FloatArray,
    total: FloatArray,
    effective: FloatArray,
    ratio: FloatArray,
    score: FloatArray,
    aggregation: str,
    out: tuple[FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Local weight, effective weight and contribution of the children of one node.

    Args:
        values: the children's values as used ``(B, k, r)``, NaN where not used.
        weight: the children's weights ``(B, k)``.
        total, effective, ratio, score: the node's used weight sum, effective weight, contribution ratio and
            score ``(B, r)``.
        aggregation: the node's aggregation.
        out: where to write the effective weights and contributions ``(B, k, r)``; the local weights are
            then not returned separately (the first array returned is the effective weights too).
    """
    present = ~np.isnan(values)
    shape = (weight.shape[0], weight.shape[1], values.shape[2])
    local = np.multiply(weight[:, :, None], present, out=np.empty(shape) if out is None else out[0])
    local /= np.where(total > 0.0, total, 1.0)[:, None, :]
    contribution = np.empty(shape) if out is None else out[1]
    if aggregation == "minimum":
        np.multiply(local, present & (local > 0.0) & (values == score[:, None, :]), out=contribution)
    else:
        np.copyto(contribution, values)
        np.copyto(contribution, 0.0, where=~present)
        contribution *= local
    contribution *= ratio[:, None, :]
    if out is None:
        return local, local * effective[:, None, :], contribution
    local *= effective[:, None, :]
    return local, local, contribution


def _fill(
    plan: Plan, node: NodePlan, values: FloatArray, missing: BoolArray, groups: IntArray | None
) -> FloatArray | None:
    """The value each missing child gets under the node's policy (NaN: stays missing), or None."""
    policy = node.missing.policy
    if policy == "renormalise" or not missing.any():
        return None
    if policy == "worst":
        return np.broadcast_to(plan.floors[node.children, None], values.shape)
    present = ~missing
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
    plan: Plan,
    points: FloatArray,
    nodes: FloatArray,
    weights: FloatArray,
    steps: dict[int, _Step],
    imputations: dict[int, _Imputed],
    record_fills: bool,
) -> Trace:
    """Walk down from the root: every node's effective weight and contribution, for every instrument."""
    criteria = points.shape[0]
    # Every entry is written below: the root's here, each other node's by its parent's terms.
    effective, contributions = np.empty(nodes.shape), np.empty(nodes.shape)
    effective[:, 0] = 1.0
    np.copyto(contributions[:, 0], nodes[:, 0])
    np.copyto(contributions[:, 0], 0.0, where=np.isnan(nodes[:, 0]))
    shape = (nodes.shape[0], criteria + len(plan.nodes), nodes.shape[2])
    imputed = np.zeros(shape, dtype=np.bool_) if imputations else None
    fills = np.full(shape, np.nan) if record_fills and imputations else None
    # The nodes' values as their parents used them: the scores themselves unless a whole node was imputed.
    node_used = nodes.copy() if any(not plan.nodes[index].has_criteria for index in imputations) else nodes
    used = points
    for index, filled in imputations.items():
        assert imputed is not None
        kids = plan.nodes[index].children
        raw = points[None, kids] if plan.nodes[index].has_criteria else nodes[:, _local(kids, criteria)]
        imputed[:, kids] = ~np.isnan(filled.values) & np.isnan(raw)
        if fills is not None:
            fills[:, kids] = filled.fill
        if plan.nodes[index].has_criteria:
            used = used.copy() if used is points else used
            used[kids] = filled.values[0]
        else:
            node_used[:, _local(kids, criteria)] = filled.values
    for index, node in enumerate(plan.nodes):
        if node.has_criteria:
            continue
        step = steps[index]
        ratio = _ratio(contributions[:, index], step.denominator)
        kids = _local(node.children, criteria)
        terms(
            node_used[:, kids],
            weights[:, node.children],
            step.total,
            effective[:, index],
            ratio,
            np.nan_to_num(nodes[:, index]),
            node.aggregation,
            out=(effective[:, kids], contributions[:, kids]),
        )
    return Trace(used, imputed, fills, effective, contributions, node_used)


def _ratio(contribution: FloatArray, denominator: FloatArray) -> FloatArray:
    """What turns a child's part into its contribution: the node's contribution over its denominator."""
    return np.divide(contribution, denominator, out=np.zeros(denominator.shape), where=denominator > 0.0)


def criterion_terms(
    plan: Plan, aggregated: Aggregated, weights: FloatArray, rows: slice | IntArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Local weight, effective weight and contribution of every criterion for the instruments ``rows``.

    Returns three ``(B, C, r)`` arrays. Each node with criteria gets its used weight sum and share denominator
    from :func:`_weighted` and :func:`_combine` on the rows' slice of the values it used (as aggregating
    computed them for every instrument), its contribution and effective weight from the trace, and its
    criteria their terms from :func:`terms`, the function the top-down pass applies to nodes.
    """
    trace = aggregated.trace
    if trace is None:
        raise ValueError("criterion terms need an aggregation run with its trace")
    shape = (weights.shape[0], plan.criterion_count, trace.used[:, rows].shape[1])
    local, effective, contributions = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for index, node in enumerate(plan.nodes):
        if not node.has_criteria:
            continue
        kids = node.children
        values = trace.used[None, kids][..., rows]
        weight = weights[:, kids]
        missing = np.isnan(values)
        total = _weighted(weight, (~missing).astype(np.float64))
        _, denominator = _combine(values, missing, weight, total, node)
        np.copyto(denominator, 0.0, where=aggregated.insufficient[:, index][..., rows])
        local[:, kids], effective[:, kids], contributions[:, kids] = terms(
            values,
            weight,
            total,
            trace.effective[:, index][..., rows],
            _ratio(trace.contributions[:, index][..., rows], denominator),
            np.nan_to_num(aggregated.nodes[:, index][..., rows]),
            node.aggregation,
        )
    return local, effective, contributions
