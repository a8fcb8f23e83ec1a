"""What changed between two rubric definitions: nodes added, removed, moved or re-weighted, and rules changed.

Nodes (dimensions, sub-dimensions and criteria) are matched by key, which is unique across a rubric. A
change of weight is reported as a re-weighting; a change of anything else a node says about how it scores
(its normalisation, transform, outlier treatment, aggregation, missing-data policy, indicator) as a
changed rule; the rubric's own grades, aggregation and missing-data policy are compared as the root node.

A valid definition is compared in its complete form (every default filled in, as the schema gives it): a
version stored before a field existed (a criterion's ``rollup`` and ``context``, the rubric's
``context_factor``) differs from a newer one only where the newer one says something else.
"""

from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from scoring.rubric import Rubric
from scoring.tree import CHILD_LISTS, walk

ROOT = "(rubric)"
"""The key under which the rubric's own settings are compared."""
_IGNORED = {"key", "weight", *CHILD_LISTS}


class Change(BaseModel):
    """One difference between the two versions."""

    kind: Literal["added", "removed", "moved", "reweighted", "rule_changed", "relabelled"]
    key: str
    path: str
    field: str | None = None
    before: Any = None
    after: Any = None


def _nodes(definition: Mapping[str, Any]) -> dict[str, tuple[str, str, Mapping[str, Any]]]:
    """(path, parent key, node) by key for the root (as ``ROOT``) and every node below it, in tree order."""
    found = {}
    for place in walk(definition):
        key = ROOT if place.kind == "rubric" else place.key
        parent = "" if place.parent is None else ROOT if place.depth == 1 else place.parent
        if key is not None:
            found[key] = (place.path, parent, place.node)
    return found


def rubric_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """Every difference from ``before`` to ``after``, root first, then in the tree order of ``after``.

    >>> old = {"key": "r", "label": "R", "dimensions": [{"key": "a", "label": "A", "weight": 1.0}]}
    >>> new = {"key": "r", "label": "R", "dimensions": [{"key": "a", "label": "A", "weight": 2.0}]}
    >>> [(change.kind, change.key, change.before, change.after) for change in rubric_diff(old, new)]
    [('reweighted', 'a', 1.0, 2.0)]
    """
    old, new = _nodes(_complete(before)), _nodes(_complete(after))
    changes: list[Change] = []
    for key, (path, parent, node) in new.items():
        if key not in old:
            changes.append(Change(kind="added", key=key, path=path, after=_without_children(node)))
            continue
        old_path, old_parent, old_node = old[key]
        changes.extend(_node_changes(key, path, old_node, node))
        if old_parent != parent:
            changes.append(Change(kind="moved", key=key, path=path, before=old_path, after=path))
    changes.extend(
        Change(kind="removed", key=key, path=path, before=_without_children(node))
        for key, (path, _parent, node) in old.items()
        if key not in new
    )
    return changes


def _complete(definition: Mapping[str, Any]) -> Mapping[str, Any]:
    """A valid definition with every default filled in; any other as given."""
    try:
        return Rubric.model_validate(definition).model_dump(mode="json")
    except ValidationError:
        return definition


def _node_changes(key: str, path: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> Iterator[Change]:
    if before.get("weight") != after.get("weight"):
        yield Change(kind="reweighted", key=key, path=path, before=before.get("weight"), after=after.get("weight"))
    for field in sorted((set(before) | set(after)) - _IGNORED):
        if before.get(field) != after.get(field):
            kind: Literal["relabelled", "rule_changed"] = (
                "relabelled" if field in {"label", "description"} else "rule_changed"
            )
            yield Change(kind=kind, key=key, path=path, field=field, before=before.get(field), after=after.get(field))


def _without_children(node: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in node.items() if name not in CHILD_LISTS}
