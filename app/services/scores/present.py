"""The presenter of the score wing: engine results into the response models, and those into bytes.

Single results (an explanation, a comparison, a summary...) are built as their models of
:mod:`app.models.score_results`, validated, and serialised once per run. Rows built in bulk (a ranking, a
preview, a sensitivity: one row per instrument, thousands of them) are built column by column from the
engine's arrays, as dicts whose keys are the row model's fields in order, and encoded once. Missing
numbers become ``null`` through :func:`scoring.arrays.optional_float` and its vector forms, here only.
"""

import csv
import io
import statistics
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import orjson
from pydantic import BaseModel

from app.models.rubric import RubricReference
from app.models.score_results import (
    Comparison,
    CriterionScore,
    GroupSummary,
    HistoryPoint,
    InstrumentSensitivity,
    NodeScore,
    OfRun,
    Preview,
    PreviewedInstrument,
    RankedInstrument,
    ScoreExplanation,
    ScoreHistory,
    ScoreRange,
    ScoreSummary,
    Sensitivity,
    WeightInfluence,
)
from app.services.scores.choose import ChosenRubric
from app.services.scores.runs import ScoringRun
from scoring.arrays import BoolArray, optional_float, optional_floats, optional_int, optional_ints
from scoring.engine import ScoreSet
from scoring.explain import CriterionExplanation, Explanation, insufficient_reason, missing_criteria
from scoring.plan import NodePlan
from scoring.sensitivity import SensitivityResult
from scoring.whatif import Comparison as RunComparison


def to_json(model: BaseModel) -> bytes:
    """A response model as JSON bytes."""
    return model.__pydantic_serializer__.to_json(model)


def rubric_used(chosen: ChosenRubric) -> RubricReference:
    """How responses name the rubric: ``{key, version, label}``, the label being the definition's."""
    return RubricReference(key=chosen.key, version=chosen.version, label=chosen.definition.label)


def of_run(run: ScoringRun) -> dict[str, Any]:
    """The fields every result of a run starts with (:class:`OfRun`): rubric, day and data revision."""
    return {
        "rubric": rubric_used(run.chosen),
        "as_of": run.as_of,
        "perspective": run.perspective,
        "data_revision": run.revision,
    }


def _rows(fields: Iterable[str], columns: Sequence[Sequence[Any]]) -> Iterator[dict[str, Any]]:
    names = tuple(fields)
    return (dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True))


def ranked_rows(run: ScoringRun) -> list[bytes]:
    """Every instrument's ranking row (:class:`RankedInstrument`), encoded, in the result's row order."""
    result = run.result
    unscored = np.flatnonzero(np.isnan(result.scores)).tolist()
    reasons: list[str | None] = [None] * len(result.instrument_ids)
    missing: list[list[str] | None] = [None] * len(result.instrument_ids)
    for row in unscored:
        reasons[row], missing[row] = insufficient_reason(result, row), list(missing_criteria(result, row))
    columns = (
        result.instrument_ids,
        optional_ints(result.ranks),
        optional_floats(result.scores),
        score_ranges(result),
        result.provisional.tolist(),
        result.grades.tolist(),
        result.coverage.tolist(),
        reasons,
        missing,
    )
    return [orjson.dumps(row) for row in _rows(RankedInstrument.model_fields, columns)]


def score_ranges(result: ScoreSet) -> list[dict[str, float | None]]:
    """Each instrument's score range (:class:`ScoreRange`), as plain values."""
    low, high = result.score_range
    return [{"low": a, "high": b} for a, b in zip(optional_floats(low), optional_floats(high), strict=True)]


def ranking_page(run: ScoringRun, rows: Sequence[bytes], *, total: int, limit: int, offset: int) -> bytes:
    """A page of the ranking (:class:`Ranking`) from encoded rows; the part that names the run is encoded once."""
    head = run.remember(("ranking-head",), lambda: to_json(OfRun(**of_run(run)))[:-1])
    page = orjson.dumps({"total": total, "limit": limit, "offset": offset})[1:]
    return head + b',"items":[' + b",".join(rows) + b"]," + page


def _dimensions(run: ScoringRun) -> list[tuple[int, NodePlan]]:
    """The rubric's dimensions with their plan columns."""
    plan = run.result.plan
    return [(plan.criterion_count + index, node) for index, node in enumerate(plan.nodes) if node.parent == 0]


def ranking_csv(run: ScoringRun, rows: Sequence[int]) -> bytes:
    """The given result rows, in that order, as CSV: the instrument, its score and one score per dimension.

    Ranks are integers and missing numbers empty cells; a text a spreadsheet would run as a formula is quoted.
    """
    result = run.result
    dimensions = _dimensions(run)
    about = ["rank", "instrument", "title", "organisation", "scope", "kind", "score", "score_low", "score_high"]
    about += ["provisional", "grade", "coverage"]
    ranks, scores, ranges = optional_ints(result.ranks), optional_floats(result.scores), score_ranges(result)
    dimension_scores = [optional_floats(result.column_scores(column)) for column, _ in dimensions]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*about, *(f"score_{node.key}" for _, node in dimensions), "insufficient_data"])
    for row in rows:
        instrument = result.instrument_ids[row]
        described = run.input.about[instrument]
        cells = [
            ranks[row],
            instrument,
            described.title,
            described.organisation,
            described.scope,
            described.kind,
            scores[row],
            ranges[row]["low"],
            ranges[row]["high"],
            "true" if result.provisional[row] else "false",
            result.grades[row],
            float(result.coverage[row]),
            *(values[row] for values in dimension_scores),
            insufficient_reason(result, row),
        ]
        writer.writerow([_safe_cell(cell) for cell in cells])
    return buffer.getvalue().encode()


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(cell: Any) -> Any:
    """A CSV cell that no spreadsheet turns into a formula: text starting with = + - @ gets a leading quote."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return f"'{cell}"
    return "" if cell is None else cell


def explanation(run: ScoringRun, explained: Explanation) -> bytes:
    """One instrument's explained score (:class:`ScoreExplanation`)."""
    model = ScoreExplanation(
        **of_run(run),
        instrument=explained.instrument,
        score=explained.score,
        score_range=ScoreRange(low=explained.score_range[0], high=explained.score_range[1]),
        provisional=explained.provisional,
        grade=explained.grade,
        rank=explained.rank,
        ranked=explained.ranked,
        coverage=explained.coverage,
        needed_coverage=explained.needed_coverage,
        insufficient_data=explained.insufficient_data,
        missing=list(explained.missing),
        nodes=[NodeScore.model_validate(node, from_attributes=True) for node in explained.nodes],
        criteria=[_criterion(criterion) for criterion in explained.criteria],
        lines=explained.lines(),
    )
    return to_json(model)


def _criterion(explained: CriterionExplanation) -> CriterionScore:
    """A criterion's part of the explanation; the evidence the engine was handed back names the observations."""
    shown = set(CriterionScore.model_fields) - {"observations", "parties"}
    fields = {name: getattr(explained, name) for name in shown}
    parties = [
        {"code": fact.code, "raw": fact.raw, "value": fact.value, "observation": fact.evidence}
        for fact in explained.parties
    ]
    return CriterionScore.model_validate({**fields, "observations": explained.evidence, "parties": parties})


def history(
    chosen: ChosenRubric, instrument: str, revision: int, perspective: str | None, runs: Sequence[ScoringRun]
) -> bytes:
    """An instrument's score on each day of ``runs``, all on the data of ``revision`` (:class:`ScoreHistory`)."""
    points = []
    for run in runs:
        row = run.row_of[instrument]
        result = run.result
        points.append(
            HistoryPoint(
                as_of=run.as_of,
                score=optional_float(result.scores[row]),
                score_range=ScoreRange(low=result.score_range[0][row], high=result.score_range[1][row]),
                provisional=bool(result.provisional[row]),
                rank=optional_int(result.ranks[row]),
                grade=result.grades[row],
                coverage=float(result.coverage[row]),
            )
        )
    history = ScoreHistory(
        rubric=rubric_used(chosen),
        perspective=perspective,
        data_revision=revision,
        instrument=instrument,
        points=points,
    )
    return to_json(history)


def comparison(run: ScoringRun, instruments: Sequence[str]) -> bytes:
    """A few instruments side by side, node by node (:class:`Comparison`); the rubric's own node is the score."""
    result, plan = run.result, run.result.plan
    criteria = plan.criterion_count
    places = [(criteria + index, node) for index, node in enumerate(plan.nodes) if index] + list(
        enumerate(plan.criteria)
    )
    points = {place.key: optional_floats(result.column_scores(column)) for column, place in places}
    ranks, scores, ranges = optional_ints(result.ranks), optional_floats(result.scores), score_ranges(result)
    columns = []
    for instrument in instruments:
        row = run.row_of[instrument]
        columns.append(
            {
                "instrument": instrument,
                "score": scores[row],
                "score_range": ranges[row],
                "provisional": bool(result.provisional[row]),
                "rank": ranks[row],
                "grade": result.grades[row],
                "coverage": float(result.coverage[row]),
                "nodes": {key: values[row] for key, values in points.items()},
            }
        )
    place = ("key", "label", "path")
    model = Comparison.model_validate(
        {
            **of_run(run),
            "nodes": [{name: getattr(node, name) for name in place} for node in plan.nodes[1:]],
            "criteria": [{name: getattr(criterion, name) for name in place} for criterion in plan.criteria],
            "instruments": columns,
        }
    )
    return to_json(model)


def summary(run: ScoringRun, group_by: str, members: dict[str, list[str]]) -> bytes:
    """Per group of instruments (``members`` by group, in order): their scores summarised (:class:`ScoreSummary`)."""
    scores = dict(zip(run.result.instrument_ids, optional_floats(run.result.scores), strict=True))
    provisional = dict(zip(run.result.instrument_ids, run.result.provisional.tolist(), strict=True))
    groups = []
    for group, instruments in members.items():
        scored = sorted(
            ((instrument, value) for instrument in instruments if (value := scores[instrument]) is not None),
            key=lambda item: (-item[1], item[0]),
        )
        values = [value for _, value in scored]
        groups.append(
            GroupSummary.model_validate(
                {
                    "group": group,
                    "count": len(instruments),
                    "scored": len(scored),
                    "provisional": sum(1 for instrument, _ in scored if provisional[instrument]),
                    "mean": statistics.fmean(values) if values else None,
                    "median": statistics.median(values) if values else None,
                    "min": min(values, default=None),
                    "max": max(values, default=None),
                    "best": {"instrument": scored[0][0], "score": scored[0][1]} if scored else None,
                    "worst": {"instrument": scored[-1][0], "score": scored[-1][1]} if scored else None,
                }
            )
        )
    return to_json(ScoreSummary(**of_run(run), group_by=group_by, groups=groups))


def preview(before: ScoringRun, after: ScoringRun, changes: RunComparison) -> bytes:
    """The ranking under a changed rubric beside its baseline (:class:`Preview`), best new rank first."""
    ranks = optional_ints(changes.alternative_ranks)
    rank_changes = optional_ints(changes.rank_change)
    columns = (
        changes.instrument_ids,
        optional_floats(changes.alternative_scores),
        ranks,
        optional_floats(changes.baseline_scores),
        optional_ints(changes.baseline_ranks),
        optional_floats(changes.score_change),
        rank_changes,
    )
    rows = sorted(_rows(PreviewedInstrument.model_fields, columns), key=_by_rank("rank"))
    head = Preview(
        baseline=rubric_used(before.chosen),
        alternative=rubric_used(after.chosen),
        alternative_digest=after.chosen.tag,
        as_of=after.as_of,
        perspective=after.perspective,
        data_revision=after.revision,
        moved=int(np.sum(_moved(changes))),
        items=[],
    )
    return _with_items(head, orjson.dumps(rows))


def _moved(changes: RunComparison) -> BoolArray:
    """Which instruments changed rank, gaining or losing a rank included."""
    before, after = changes.baseline_ranks, changes.alternative_ranks
    same = (before == after) | (np.isnan(before) & np.isnan(after))
    moved: BoolArray = ~same
    return moved


def sensitivity(run: ScoringRun, result: SensitivityResult) -> bytes:
    """Rank distributions per instrument and the weights that matter most (:class:`Sensitivity`)."""
    columns = (
        result.instrument_ids,
        optional_ints(result.baseline_ranks),
        optional_floats(result.median_ranks),
        optional_floats(result.rank_low),
        optional_floats(result.rank_high),
        optional_floats(result.mean_rank_shift),
    )
    rows = sorted(_rows(InstrumentSensitivity.model_fields, columns), key=_by_rank("median_rank"))
    head = Sensitivity(
        **of_run(run),
        samples=result.samples,
        spread=result.spread,
        seed=result.seed,
        influence=[
            WeightInfluence(key=item.key, label=item.label, first_order=item.first_order) for item in result.influence
        ],
        items=[],
    )
    return _with_items(head, orjson.dumps(rows))


def _with_items(head: BaseModel, items: bytes) -> bytes:
    """``head``, whose ``items`` are empty, with ``items`` (an encoded JSON array) in their place.

    An unescaped ``"items":[]`` can only be that key: inside a JSON string its quotes would be escaped.
    """
    return to_json(head).replace(b'"items":[]', b'"items":' + items, 1)


def _by_rank(field: str) -> Any:
    """Sort key: rows with a value in ``field`` first, by that value, then by instrument."""
    return lambda row: (row[field] is None, row[field] or 0, row["instrument"])
