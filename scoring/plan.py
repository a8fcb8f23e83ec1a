"""A rubric compiled for computation: flat arrays of weights and columns instead of a tree.

Columns of the engine's value arrays are the criteria first (``0 .. C-1``, each leaf node's criteria
contiguous), then the nodes (``C .. C+M-1``) in breadth-first order, the root first; siblings are contiguous,
so a node's children are one slice. Processing nodes in reverse order meets every child before its parent.
"""

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from scoring.arrays import FloatArray
from scoring.catalogue import IndicatorSpec
from scoring.normalise import ColumnRule, point_range
from scoring.rubric import (
    Aggregation,
    Criterion,
    LogTransform,
    MissingPolicy,
    Node,
    OrdinalMap,
    OutlierTreatment,
    RatioTransform,
    Rollup,
    Rubric,
)
from scoring.validation import RubricError, RubricProblem, validate_rubric


@dataclass(frozen=True)
class CriterionPlan:
    """A criterion with its data columns resolved.

    A criterion with a ``rollup`` reads the parties' values of its indicator
    (:class:`scoring.rollup.PartyValues`); its ``column`` is the indicator's matrix column if it has one
    (not read), else -1. ``context`` marks a criterion on a country-level indicator, which counts toward
    coverage with the rubric's context factor.
    """

    key: str
    label: str
    path: str
    indicator: str
    column: int
    denominator_column: int | None
    transform: LogTransform | RatioTransform | None
    outliers: OutlierTreatment | None
    rule: ColumnRule
    spec: IndicatorSpec | None
    parent: int
    rollup: Rollup | None = None
    context: bool = False


@dataclass(frozen=True)
class NodePlan:
    """A node (the root is node 0): its children's column slice and how it aggregates them."""

    key: str
    label: str
    path: str
    parent: int | None
    children: slice
    has_criteria: bool
    aggregation: Aggregation
    missing: MissingPolicy


@dataclass(frozen=True)
class Plan:
    """The compiled rubric: criteria, nodes, and per column the weight, worst and best points, and the share
    of its weight that a value present adds to coverage (``coverage_factors``: the rubric's context factor for
    a context criterion, else 1; ``context_nodes`` are the nodes with such a criterion).

    A plan is bound to the indicator columns it was compiled against (``indicator_keys``) and carries the
    catalogue entries it needs; it holds no data and can score any number of inputs with those columns.
    """

    rubric: Rubric
    indicator_keys: tuple[str, ...]
    criteria: tuple[CriterionPlan, ...]
    nodes: tuple[NodePlan, ...]
    keys: tuple[str, ...]
    weights: FloatArray
    floors: FloatArray
    ceilings: FloatArray
    coverage_factors: FloatArray
    context_nodes: frozenset[int] = frozenset()

    @property
    def criterion_count(self) -> int:
        """How many criteria (the first columns) there are."""
        return len(self.criteria)

    def column_of(self, key: str) -> int:
        """The column of a node or criterion key; the rubric's own key names the root unless a node has it too.

        Keys are unique among nodes and criteria, but a dimension may share the rubric's key.
        """
        root = self.criterion_count
        below = [column for column, name in enumerate(self.keys) if name == key and column != root]
        if below:
            return below[0]
        if self.keys[root] == key:
            return root
        raise ValueError(f"{key!r} is not a key of the rubric")


def compile_plan(
    rubric: Rubric, indicator_keys: Sequence[str], catalogue: Mapping[str, IndicatorSpec] | None = None
) -> Plan:
    """Compile a rubric against the indicator columns of the data.

    Raises:
        RubricError: the rubric has problems, names indicators the data lacks, or maps ordinal or category
            levels without their catalogue entry.
    """
    problems = validate_rubric(rubric, catalogue)
    tree: list[tuple[Node | Rubric, int | None, str]] = [(rubric, None, "")]
    leaves: list[tuple[Criterion, int, str]] = []
    for index, (node, _, path) in enumerate(tree):
        children = node.dimensions if isinstance(node, Rubric) else node.nodes or []
        name = "dimensions" if isinstance(node, Rubric) else "nodes"
        tree += [(child, index, _join(path, f"{name}[{i}]")) for i, child in enumerate(children)]
        if isinstance(node, Node):
            leaves += [(c, index, _join(path, f"criteria[{i}]")) for i, c in enumerate(node.criteria or [])]
    columns = {key: position for position, key in enumerate(indicator_keys)}
    criteria = [_criterion(c, parent, path, columns, catalogue, problems) for c, parent, path in leaves]
    if problems:
        raise RubricError(problems)
    nodes = _nodes(tree, len(criteria))
    keys = tuple([c.key for c in criteria] + [n.key for n in nodes])
    node_weights = [node.weight if isinstance(node, Node) else 1.0 for node, _, _ in tree]
    weights = np.array([c.weight for c, _, _ in leaves] + node_weights, dtype=np.float64)
    floors, ceilings = _point_bounds(criteria, nodes, weights)
    factors = np.ones(len(keys))
    factors[[column for column, criterion in enumerate(criteria) if criterion.context]] = rubric.context_factor
    context_nodes = frozenset(criterion.parent for criterion in criteria if criterion.context)
    return Plan(
        rubric,
        tuple(indicator_keys),
        tuple(criteria),
        tuple(nodes),
        keys,
        weights,
        floors,
        ceilings,
        factors,
        context_nodes,
    )


def compile_rubric(
    rubric: Rubric,
    catalogue: Mapping[str, IndicatorSpec] | None = None,
    indicator_keys: Sequence[str] | None = None,
) -> Plan:
    """Validate and compile a rubric once, for scoring many inputs with :func:`scoring.engine.score`.

    A service compiles each rubric version once and keeps the plan (it is immutable and holds no data);
    ``score(plan, data)`` then skips validating and compiling. The plan is bound to indicator columns:
    ``indicator_keys``, by default the catalogue's keys in its order (the columns of
    :meth:`scoring.engine.EngineInput.from_records`).

    Raises:
        RubricError: the rubric has problems, or names indicators the columns lack.
        ValueError: neither a catalogue nor indicator keys were given.

    >>> from scoring.catalogue import IndicatorSpec
    >>> rubric = Rubric.model_validate({"key": "r", "label": "R", "dimensions": [{"key": "d", "label": "D",
    ...     "criteria": [{"key": "c", "label": "C", "indicator": "X",
    ...                   "normalisation": {"method": "goalposts", "min": 0, "max": 10}}]}]})
    >>> plan = compile_rubric(rubric, {"X": IndicatorSpec(key="X", label="X", value_type="number")})
    >>> plan.indicator_keys, plan.keys
    (('X',), ('c', 'r', 'd'))
    """
    if indicator_keys is None:
        if catalogue is None:
            raise ValueError("compiling a rubric needs the catalogue or the indicator keys of the data")
        indicator_keys = tuple(catalogue)
    return compile_plan(rubric, indicator_keys, catalogue)


@dataclass(frozen=True)
class _Compiled:
    """A cached plan and what it was compiled against."""

    plan: Plan
    catalogue: Mapping[str, IndicatorSpec] | None
    entries: dict[str, IndicatorSpec] | None


class PlanCache:
    """Compiled plans of the last few rubrics, so scoring the same rubric again skips validation and compiling.

    The caller owns the cache (the engine keeps none): create one where rubrics are scored, e.g. one per
    service, and pass its plans to :func:`scoring.engine.score`.

    A plan depends only on the rubric, the data's indicator columns and the catalogue. A frozen
    :class:`~scoring.rubric.Rubric` cannot be reassigned, so its identity stands for its content: a cached
    plan is returned only for the very same rubric object (the cache holds it, so its id cannot be reused),
    the same indicator columns, and the same catalogue object whose entries are still the same objects.
    Any other rubric, including an equal copy or one re-weighted by ``model_copy``, is compiled afresh.
    Compiling is pure, so a hit returns exactly what compiling would.
    """

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[int, tuple[str, ...], int], _Compiled] = OrderedDict()
        self._lock = threading.Lock()

    def plan(
        self, rubric: Rubric, indicator_keys: Sequence[str], catalogue: Mapping[str, IndicatorSpec] | None = None
    ) -> Plan:
        """The plan of :func:`compile_plan` for these arguments, compiled once.

        Raises:
            RubricError: as :func:`compile_plan` (a refused rubric is never cached).
        """
        key = (id(rubric), tuple(indicator_keys), id(catalogue))
        with self._lock:
            found = self._entries.get(key)
            if found is not None and self._fits(found, rubric, catalogue):
                self._entries.move_to_end(key)
                return found.plan
        plan = compile_plan(rubric, indicator_keys, catalogue)
        entries = dict(catalogue) if catalogue is not None else None
        with self._lock:
            self._entries[key] = _Compiled(plan, catalogue, entries)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return plan

    def clear(self) -> None:
        """Forget every cached plan."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def _fits(found: _Compiled, rubric: Rubric, catalogue: Mapping[str, IndicatorSpec] | None) -> bool:
        if found.plan.rubric is not rubric or found.catalogue is not catalogue:
            return False
        if catalogue is None or found.entries is None:
            return catalogue is None and found.entries is None
        # A catalogue mapping can change in place: the same keys must map to the very same specs.
        return len(catalogue) == len(found.entries) and all(
            catalogue.get(name) is spec for name, spec in found.entries.items()
        )


def _join(path: str, part: str) -> str:
    return f"{path}.{part}" if path else part


def _criterion(
    criterion: Criterion,
    parent: int,
    path: str,
    columns: Mapping[str, int],
    catalogue: Mapping[str, IndicatorSpec] | None,
    problems: list[RubricProblem],
) -> CriterionPlan:
    """Resolve a criterion's columns, direction and levels, adding a problem for what the data lacks.

    A rolled-up criterion needs no matrix column: its values come from the parties' values.
    """
    spec = catalogue.get(criterion.indicator) if catalogue else None
    needed = [] if criterion.rollup else [(criterion.indicator, f"{path}.indicator")]
    if isinstance(criterion.transform, RatioTransform):
        needed.append((criterion.transform.denominator, f"{path}.transform.denominator"))
    for key, where in needed:
        if key not in columns:
            problems.append(RubricProblem(path=where, message=f"indicator {key!r} has no column in the data"))
    method = criterion.normalisation.method
    if method in ("ordinal", "categorical") and spec is None:
        message = f"a {method} map needs the catalogue entry of {criterion.indicator!r} to decode its values"
        problems.append(RubricProblem(path=f"{path}.normalisation", message=message))
    direction = getattr(criterion.normalisation, "direction", None)
    higher = direction == "higher" if direction else not (spec and spec.direction == "lower")
    ratio = criterion.transform if isinstance(criterion.transform, RatioTransform) else None
    # A mean of ordinal levels may fall between two of them: the map interpolates its points there.
    between = criterion.rollup is not None and criterion.rollup.method == "mean"
    choices = tuple(spec.levels or spec.categories) if spec else ()
    rule = ColumnRule(
        criterion.normalisation, higher, choices, between and isinstance(criterion.normalisation, OrdinalMap)
    )
    return CriterionPlan(
        key=criterion.key,
        label=criterion.label,
        path=path,
        indicator=criterion.indicator,
        column=columns.get(criterion.indicator, -1),
        denominator_column=columns.get(ratio.denominator, -1) if ratio else None,
        transform=criterion.transform,
        outliers=criterion.outliers,
        rule=rule,
        spec=spec,
        parent=parent,
        rollup=criterion.rollup,
        context=criterion.context,
    )


def _nodes(tree: Sequence[tuple[Node | Rubric, int | None, str]], criterion_count: int) -> list[NodePlan]:
    """Give each node its children's slice: criteria columns, or the contiguous columns of its sub-nodes."""
    first_criterion = 0
    plans: list[NodePlan] = []
    for index, (node, parent, path) in enumerate(tree):
        inherited = plans[parent].missing if parent is not None else None
        if isinstance(node, Rubric) or node.nodes:
            kids = [i for i, (_, p, _) in enumerate(tree) if p == index]
            children = slice(criterion_count + kids[0], criterion_count + kids[-1] + 1)
        else:
            count = len(node.criteria or [])
            children = slice(first_criterion, first_criterion + count)
            first_criterion += count
        missing = node.missing or inherited or MissingPolicy()
        plans.append(
            NodePlan(
                node.key,
                node.label,
                path,
                parent,
                children,
                children.start < criterion_count,
                node.aggregation,
                missing,
            )
        )
    return plans


def _point_bounds(
    criteria: Sequence[CriterionPlan], nodes: Sequence[NodePlan], weights: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The worst and best points of every column; a node's are its children's, aggregated."""
    size = len(criteria) + len(nodes)
    floors, ceilings = np.zeros(size), np.full(size, 100.0)
    for column, criterion in enumerate(criteria):
        floors[column], ceilings[column] = point_range(criterion.rule.spec)
    for index in reversed(range(len(nodes))):
        node = nodes[index]
        share = weights[node.children] / weights[node.children].sum()
        for bounds in (floors, ceilings):
            bounds[len(criteria) + index] = combine(bounds[node.children], share, node.aggregation)
    return floors, ceilings


def combine(points: FloatArray, share: FloatArray, aggregation: Aggregation) -> float:
    """Aggregate one set of child points with weights that sum to 1 (used for worst and best points).

    >>> combine(np.array([20.0, 80.0]), np.array([0.5, 0.5]), "geometric")
    40.0
    """
    if aggregation == "minimum":
        return float(points[share > 0].min())
    if aggregation == "geometric":
        if np.any((points <= 0) & (share > 0)):
            return 0.0
        return float(100.0 * np.exp(np.sum(share * np.log(np.maximum(points, 1e-300) / 100.0))))
    return float(np.sum(share * points))
