"""Properties of the roll-ups on random parties and values (hypothesis)."""

import math
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from scoring.catalogue import IndicatorSpec
from scoring.engine import EngineInput, score
from scoring.rollup import PartyColumn, PartyValues
from scoring.rubric import RollupMethod, Rubric

CODES = ("AAA", "BBB", "CCC", "DDD")
LEVELS = ["none", "weak", "partial", "full"]
CATALOGUE = {
    "X": IndicatorSpec(key="X", label="Instrument fact"),
    "IN_FORCE": IndicatorSpec(key="IN_FORCE", label="In force", value_type="boolean", level="party"),
    "LAW": IndicatorSpec(key="LAW", label="Implementing law", value_type="ordinal", levels=LEVELS, level="party"),
    "TIER": IndicatorSpec(key="TIER", label="Tier", value_type="ordinal", levels=LEVELS, level="country"),
    "RATE": IndicatorSpec(key="RATE", label="Return rate", value_type="percent", level="country"),
}
Cells = dict[tuple[int, str], float]

party_lists = st.lists(st.lists(st.sampled_from(CODES), unique=True), max_size=8)
perspectives = st.one_of(st.none(), st.sampled_from((*CODES, "ZZZ")))
methods = st.sampled_from(["mean", "min", "max", "share"])


@st.composite
def cells_of(draw: st.DrawFn, lists: list[list[str]], value: st.SearchStrategy[float]) -> Cells:
    """Values for some of the (instrument, party) pairs, some of them NaN (no value)."""
    pairs = [(row, party) for row, parties in enumerate(lists) for party in parties]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    return {pair: draw(st.one_of(value, st.just(math.nan))) for pair in chosen}


def column(cells: Cells, order: list[int] | None = None) -> PartyColumn:
    items = list(cells.items())
    items = [items[at] for at in order] if order is not None else items
    rows = np.array([row for (row, _), _ in items], dtype=np.intp)
    return PartyColumn(rows, tuple(party for (_, party), _ in items), np.array([value for _, value in items]))


def reference(lists: list[list[str]], cells: Cells, method: str, party: str | None) -> list[float]:
    """The roll-up the long way, one instrument at a time."""
    result = []
    for row, parties in enumerate(lists):
        read = parties if party is None else [party] if party in parties else []
        found = [cells[(row, code)] for code in read if (row, code) in cells and not math.isnan(cells[(row, code)])]
        if not found:
            result.append(math.nan)
        elif method in ("mean", "share"):
            result.append(sum(found) / len(found))
        else:
            result.append(min(found) if method == "min" else max(found))
    return result


@given(data=st.data(), lists=party_lists, method=methods, perspective=perspectives)
def test_the_vectorised_rollup_equals_a_per_instrument_reference(
    data: st.DataObject, lists: list[list[str]], method: str, perspective: str | None
) -> None:
    boolean = method == "share"
    value = st.sampled_from([0.0, 1.0]) if boolean else st.floats(-1e6, 1e6, allow_nan=False)
    cells = data.draw(cells_of(lists, value))
    order = data.draw(st.permutations(range(len(cells))))
    rollup: RollupMethod = method  # type: ignore[assignment]
    rolled = PartyValues(tuple(map(tuple, lists)), {"P": column(cells, order)}).roll_up("P", rollup, perspective)
    np.testing.assert_allclose(rolled, reference(lists, cells, method, perspective), rtol=1e-12, atol=1e-9)


def rubric(over: str) -> Rubric:
    """An instrument criterion beside party and country criteria of every kind, all rolled up ``over``."""

    def rolled(key: str, method: str, normalisation: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"key": key.lower(), "label": key, "indicator": key, "rollup": {"method": method, "over": over},
                "normalisation": normalisation, **extra}  # fmt: skip

    levels = {"method": "ordinal", "points": dict(zip(LEVELS, (0.0, 20.0, 70.0, 100.0), strict=True))}
    criteria = [
        {"key": "x", "label": "X", "indicator": "X", "normalisation": {"method": "goalposts", "min": 0, "max": 10}},
        rolled("IN_FORCE", "share", {"method": "goalposts", "min": 0, "max": 1}, weight=2.0),
        rolled("LAW", "min", levels),
        rolled("TIER", "mean", levels, context=True),
        rolled("RATE", "max", {"method": "goalposts", "min": 0, "max": 100}, context=True, weight=3.0),
    ]
    dimensions = [
        {"key": "d", "label": "D", "criteria": criteria[:2]},
        {"key": "e", "label": "E", "criteria": criteria[2:]},
    ]
    return Rubric.model_validate({"key": "r", "label": "R", "dimensions": dimensions})


@st.composite
def inputs(draw: st.DrawFn) -> tuple[list[list[str]], dict[str, Cells], list[float]]:
    lists = draw(party_lists.filter(bool))
    columns = {
        "IN_FORCE": draw(cells_of(lists, st.sampled_from([0.0, 1.0]))),
        "LAW": draw(cells_of(lists, st.sampled_from([0.0, 1.0, 2.0, 3.0]))),
        "TIER": draw(cells_of(lists, st.sampled_from([0.0, 1.0, 2.0, 3.0]))),
        "RATE": draw(cells_of(lists, st.floats(0.0, 100.0))),
    }
    own = draw(st.lists(st.one_of(st.floats(0.0, 10.0), st.just(math.nan)), min_size=len(lists), max_size=len(lists)))
    return lists, columns, own


def engine_input(lists: list[list[str]], columns: dict[str, Cells], own: list[float]) -> EngineInput:
    values = PartyValues(tuple(map(tuple, lists)), {key: column(cells) for key, cells in columns.items()})
    matrix = np.full((len(lists), len(CATALOGUE)), math.nan)
    matrix[:, 0] = own
    ids = tuple(f"i{row}" for row in range(len(lists)))
    return EngineInput(ids, tuple(CATALOGUE), matrix, catalogue=CATALOGUE, party_values=values)


@given(case=inputs(), party=st.sampled_from(CODES))
def test_a_perspective_scores_as_the_data_holding_that_partys_values_only(
    case: tuple[list[list[str]], dict[str, Cells], list[float]], party: str
) -> None:
    lists, columns, own = case
    only = {key: {pair: value for pair, value in cells.items() if pair[1] == party} for key, cells in columns.items()}
    seen = score(rubric("perspective"), engine_input(lists, columns, own), perspective=party)
    alone = score(rubric("perspective"), engine_input(lists, only, own))

    np.testing.assert_array_equal(seen.scores, alone.scores)
    np.testing.assert_array_equal(seen.coverage, alone.coverage)
    np.testing.assert_array_equal(seen.score_range[0], alone.score_range[0])


@given(case=inputs(), party=perspectives)
def test_a_rollup_over_all_parties_does_not_depend_on_the_perspective(
    case: tuple[list[list[str]], dict[str, Cells], list[float]], party: str | None
) -> None:
    data = engine_input(*case)
    np.testing.assert_array_equal(score(rubric("parties"), data, party).scores, score(rubric("parties"), data).scores)
