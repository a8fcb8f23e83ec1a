"""The rubric's tree, walked in one place: the root, its dimensions, sub-dimensions and criteria.

:func:`walk` visits a definition breadth-first, root first, and tells for each place its key, its path
(``dimensions[1].criteria[0]``, the form every problem and change is reported in), its parent and its
depth. It reads raw mappings as well as :class:`~scoring.rubric.Rubric` models, and it steps over children
that are not mappings, so validation can walk a definition whose shape is wrong elsewhere.

>>> definition = {"key": "r", "label": "R", "dimensions": [{"key": "d", "label": "D",
...     "criteria": [{"key": "c", "label": "C", "indicator": "X"}]}]}
>>> [(place.key, place.path, place.kind) for place in walk(definition)]
[('r', '', 'rubric'), ('d', 'dimensions[0]', 'node'), ('c', 'dimensions[0].criteria[0]', 'criterion')]
"""

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from scoring.rubric import Rubric

CHILD_LISTS = ("dimensions", "nodes", "criteria")
"""The lists that hold a node's children: a rubric's dimensions, a node's sub-dimensions or its criteria."""

Kind = Literal["rubric", "node", "criterion"]


@dataclass(frozen=True)
class Place:
    """One place of the tree: the root, a node (dimension or sub-dimension) or a criterion."""

    key: str | None
    """The node's key; None when a raw definition gives none (or not a string)."""
    path: str
    """Where it is: ``""`` for the root, else ``dimensions[0].nodes[1].criteria[2]``."""
    parent: str | None
    """The parent's key (None for the root, and for children of a parent without a key)."""
    depth: int
    """0 for the root, 1 for a dimension, and one more per level below."""
    kind: Kind
    holder: str | None
    """The list the place is in (``dimensions``, ``nodes`` or ``criteria``); None for the root."""
    node: Mapping[str, Any]
    """The raw node, children included."""


def walk(definition: Mapping[str, Any] | Rubric) -> Iterator[Place]:
    """Every place of a rubric definition, breadth-first, root first, children in their order.

    >>> tree = {"key": "r", "dimensions": [{"key": "a", "nodes": [{"key": "b", "criteria": []}]}, "junk"]}
    >>> [(place.key, place.parent, place.depth, place.holder) for place in walk(tree)]
    [('r', None, 0, None), ('a', 'r', 1, 'dimensions'), ('b', 'a', 2, 'nodes')]
    """
    root = definition.model_dump() if isinstance(definition, Rubric) else definition
    first = Place(_key(root), "", None, 0, "rubric", None, root)
    pending = deque([first])
    while pending:
        place = pending.popleft()
        yield place
        for holder in CHILD_LISTS:
            children = place.node.get(holder)
            if not isinstance(children, list):
                continue
            for index, child in enumerate(children):
                if not isinstance(child, Mapping):
                    continue
                path = f"{place.path}.{holder}[{index}]" if place.path else f"{holder}[{index}]"
                kind: Kind = "criterion" if holder == "criteria" else "node"
                pending.append(Place(_key(child), path, place.key, place.depth + 1, kind, holder, child))


def indicators_read(definition: Mapping[str, Any] | Rubric) -> set[str]:
    """Every indicator the criteria of a definition read, denominators of ratios included.

    >>> sorted(indicators_read({"key": "r", "dimensions": [{"key": "d", "criteria": [
    ...     {"key": "c", "indicator": "X", "transform": {"kind": "ratio", "denominator": "Y"}}]}]}))
    ['X', 'Y']
    """
    found: set[str] = set()
    for place in walk(definition):
        if place.kind != "criterion":
            continue
        indicator = place.node.get("indicator")
        if isinstance(indicator, str):
            found.add(indicator)
        transform = place.node.get("transform")
        if isinstance(transform, Mapping) and isinstance(transform.get("denominator"), str):
            found.add(transform["denominator"])
    return found


def _key(node: Mapping[str, Any]) -> str | None:
    key = node.get("key")
    return key if isinstance(key, str) else None
