"""Rubric validation: every problem of a rubric, each with the path where it is.

Exceptions::

    ValueError
     └── RubricError        a rubric that cannot be used; ``problems`` lists every RubricProblem

Two layers find problems. The pydantic models of :mod:`scoring.rubric` check shapes and single fields
(unknown fields, unknown aggregation or normalisation names, NaN, infinite or negative weights, equal
goalposts). The walk in this module checks the whole tree on the raw mapping, so it runs even when the
shape is wrong elsewhere: duplicate keys, sibling weights summing to zero, and, given a catalogue, unknown
indicators and denominators, ordinal or categorical maps that do not match the indicator, and roll-ups and
context flags that do not match the indicator's level (:func:`_level_problems`).
"""

import math
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from scoring.catalogue import IndicatorSpec
from scoring.rubric import Rubric
from scoring.tree import CHILD_LISTS, walk

_TAGGED_UNIONS = ("normalisation", "transform")


class RubricProblem(BaseModel):
    """One problem: where it is (``dimensions[1].criteria[0].weight``) and what is wrong."""

    model_config = ConfigDict(frozen=True)

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(rubric)'}: {self.message}"


class RubricError(ValueError):
    """A rubric that cannot be used, with every problem found."""

    def __init__(self, problems: Sequence[RubricProblem]) -> None:
        self.problems = list(problems)
        super().__init__("invalid rubric: " + "; ".join(str(problem) for problem in self.problems))


def format_path(loc: Sequence[int | str]) -> str:
    """Render a pydantic error location as a path, dropping the tags of discriminated unions.

    >>> format_path(("dimensions", 1, "criteria", 0, "normalisation", "goalposts", "min"))
    'dimensions[1].criteria[0].normalisation.min'
    """
    path = ""
    for position, part in enumerate(loc):
        if position and loc[position - 1] in _TAGGED_UNIONS and isinstance(part, str):
            continue
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path


def validate_rubric(
    raw: Mapping[str, Any] | Rubric, catalogue: Mapping[str, IndicatorSpec] | None = None
) -> list[RubricProblem]:
    """Find every problem of a rubric, each with its path.

    Args:
        raw: the rubric as a mapping (parsed JSON) or a :class:`~scoring.rubric.Rubric`.
        catalogue: indicator specs by key; when given, the indicators the rubric names are checked too.

    Returns:
        The problems in the order of the tree (shape problems first); empty when the rubric is usable.

    >>> criterion = {"key": "c", "label": "C", "indicator": "X", "normalisation": {"method": "rank"}}
    >>> validate_rubric({"key": "r", "label": "R",
    ...                  "dimensions": [{"key": "d", "label": "D", "weight": -1, "criteria": [criterion]}]})
    [RubricProblem(path='dimensions[0].weight', message='a weight must be at least 0')]
    """
    data: Mapping[str, Any] = raw.model_dump() if isinstance(raw, Rubric) else raw
    problems: list[RubricProblem] = []
    try:
        if not isinstance(raw, Rubric):  # a model instance has passed these checks already
            Rubric.model_validate(data)
    except ValidationError as error:
        problems += [
            RubricProblem(path=format_path(item["loc"]), message=_message(item))
            for item in error.errors(include_url=False)
        ]
    if isinstance(data, Mapping):
        problems += _tree_problems(data, catalogue)
    return problems


def parse_rubric(raw: Mapping[str, Any] | Rubric, catalogue: Mapping[str, IndicatorSpec] | None = None) -> Rubric:
    """Validate a rubric and return it as a model.

    Raises:
        RubricError: with every problem found by :func:`validate_rubric`.

    >>> parse_rubric({"key": "r", "label": "R"})
    Traceback (most recent call last):
    ...
    scoring.validation.RubricError: invalid rubric: dimensions: Field required
    """
    problems = validate_rubric(raw, catalogue)
    if problems:
        raise RubricError(problems)
    return raw if isinstance(raw, Rubric) else Rubric.model_validate(raw)


def _message(error: Mapping[str, Any]) -> str:
    """A pydantic error in the words the service uses everywhere."""
    if error["type"] == "extra_forbidden":
        return "is not a field a rubric accepts here"
    return str(error["msg"]).removeprefix("Value error, ")


def _tree_problems(root: Mapping[str, Any], catalogue: Mapping[str, IndicatorSpec] | None) -> list[RubricProblem]:
    """Check the whole raw tree: duplicate keys, zero-sum sibling weights, and the catalogue if given."""
    problems: list[RubricProblem] = []
    first_seen: dict[str, str] = {}
    for place in walk(root):
        if place.kind == "criterion":
            if catalogue is not None:
                problems += _catalogue_problems(place.node, place.path, catalogue)
        else:
            problems += _zero_weight_siblings(place.node, place.path)
        if place.kind == "rubric" or place.key is None:
            continue
        if place.key in first_seen:
            message = f"duplicate key {place.key!r} (first at {first_seen[place.key]})"
            problems.append(RubricProblem(path=f"{place.path}.key", message=message))
        else:
            first_seen[place.key] = f"{place.path}.key"
    return problems


def _zero_weight_siblings(node: Mapping[str, Any], path: str) -> list[RubricProblem]:
    """A list of siblings whose (valid) weights all are zero leaves the parent nothing to aggregate."""
    problems = []
    for name in CHILD_LISTS:
        items = node.get(name)
        if not isinstance(items, list) or not items or not all(isinstance(item, Mapping) for item in items):
            continue
        weights = [item.get("weight", 1.0) for item in items]
        # Only well-formed weights are summed (bad ones have problems of their own); a 400-digit integer is
        # compared, never converted, as a float could not hold it.
        valid = all(
            (isinstance(w, float) and math.isfinite(w) and w >= 0) or (type(w) is int and w >= 0) for w in weights
        )
        if valid and not any(weights):
            where = f"{path}.{name}" if path else name
            problems.append(RubricProblem(path=where, message=f"the weights of all {len(items)} {name} are zero"))
    return problems


def _catalogue_problems(
    criterion: Mapping[str, Any], path: str, catalogue: Mapping[str, IndicatorSpec]
) -> list[RubricProblem]:
    """Check a raw criterion against the catalogue: its indicator, denominator and level or category map."""
    problems = []
    indicator = criterion.get("indicator")
    transform = criterion.get("transform")
    if isinstance(transform, Mapping) and transform.get("kind") == "ratio":
        denominator = transform.get("denominator")
        if isinstance(denominator, str) and denominator not in catalogue:
            problems.append(
                RubricProblem(
                    path=f"{path}.transform.denominator",
                    message=f"denominator indicator {denominator!r} is not in the catalogue",
                )
            )
        elif isinstance(denominator, str) and catalogue[denominator].level != "instrument":
            level = catalogue[denominator].level
            message = f"denominator {denominator!r} is {level}-level: a ratio divides by an instrument-level indicator"
            problems.append(RubricProblem(path=f"{path}.transform.denominator", message=message))
    if not isinstance(indicator, str):
        return problems
    spec = catalogue.get(indicator)
    if spec is None:
        return [
            *problems,
            RubricProblem(path=f"{path}.indicator", message=f"indicator {indicator!r} is not in the catalogue"),
        ]
    normalisation = criterion.get("normalisation")
    if isinstance(normalisation, Mapping):
        problems += _map_problems(spec, normalisation, f"{path}.normalisation")
    problems += _level_problems(spec, criterion, path)
    if transform is not None and spec.value_type in ("ordinal", "category", "boolean"):
        problems.append(
            RubricProblem(
                path=f"{path}.transform",
                message=f"indicator {indicator!r} is {spec.value_type}: only numbers transform",
            )
        )
    return problems


def _level_problems(spec: IndicatorSpec, criterion: Mapping[str, Any], path: str) -> list[RubricProblem]:
    """A roll-up exactly for party- and country-level indicators, fitting the value type; context exactly
    for country-level ones.

    ``share`` counts booleans; a mean of categories means nothing; a share (or a mean of booleans) lies
    between 0 and 1, so it is normalised as a number, not with a boolean map.
    """
    rollup, context = criterion.get("rollup"), criterion.get("context", False)
    problems = []
    if spec.level == "instrument" and rollup is not None:
        message = f"indicator {spec.key!r} is instrument-level: it has one value per instrument, nothing to roll up"
        problems.append(RubricProblem(path=f"{path}.rollup", message=message))
    if spec.level != "instrument" and rollup is None:
        message = (
            f"indicator {spec.key!r} is {spec.level}-level: say how its parties' values roll up "
            "(method mean, min, max or share)"
        )
        problems.append(RubricProblem(path=f"{path}.rollup", message=message))
    method = rollup.get("method") if isinstance(rollup, Mapping) and spec.level != "instrument" else None
    if method == "share" and spec.value_type != "boolean":
        message = f"a share counts the parties where a boolean holds; indicator {spec.key!r} is {spec.value_type}"
        problems.append(RubricProblem(path=f"{path}.rollup.method", message=message))
    if method == "mean" and spec.value_type == "category":
        message = f"indicator {spec.key!r} is a category: categories have no mean"
        problems.append(RubricProblem(path=f"{path}.rollup.method", message=message))
    normalisation = criterion.get("normalisation")
    boolean_map = isinstance(normalisation, Mapping) and normalisation.get("method") == "boolean"
    if spec.value_type == "boolean" and method in ("share", "mean") and boolean_map:
        message = f"a {method} of booleans lies between 0 and 1: normalise it as a number (e.g. goalposts 0 to 1)"
        problems.append(RubricProblem(path=f"{path}.normalisation.method", message=message))
    if spec.level == "country" and context is not True:
        message = (
            f"indicator {spec.key!r} describes countries, not the instrument: a criterion on it opts in as "
            "context (context: true)"
        )
        problems.append(RubricProblem(path=f"{path}.context", message=message))
    if spec.level != "country" and context is True:
        message = f"only country-level indicators are context; {spec.key!r} is {spec.level}-level"
        problems.append(RubricProblem(path=f"{path}.context", message=message))
    return problems


def _map_problems(spec: IndicatorSpec, normalisation: Mapping[str, Any], path: str) -> list[RubricProblem]:
    """An ordinal or category indicator needs its own kind of map, naming exactly its levels or categories."""
    method = normalisation.get("method")
    wanted = {"ordinal": "ordinal", "category": "categorical"}.get(spec.value_type)
    if wanted is None:
        if method in ("ordinal", "categorical"):
            return [
                RubricProblem(
                    path=f"{path}.method",
                    message=f"indicator {spec.key!r} is {spec.value_type}, not {method}",
                )
            ]
        return []
    if method != wanted:
        return [
            RubricProblem(
                path=f"{path}.method",
                message=f"indicator {spec.key!r} is {spec.value_type}: map it with method {wanted!r}",
            )
        ]
    points = normalisation.get("points")
    if not isinstance(points, Mapping):
        return []
    known = spec.levels or spec.categories
    problems = [
        RubricProblem(
            path=f"{path}.points.{name}",
            message=f"{name!r} is not a level of {spec.key!r} ({', '.join(known)})",
        )
        for name in points
        if name not in known
    ]
    unmapped = [name for name in known if name not in points]
    if unmapped:
        problems.append(RubricProblem(path=f"{path}.points", message=f"no points for {', '.join(map(repr, unmapped))}"))
    return problems
