"""What-if: score under changed weights or another definition, and Monte Carlo sensitivity of the ranking."""

from datetime import date
from typing import Any

from sqlmodel import Session

from app.errors import FieldProblem, InvalidInput
from app.models.score import PreviewRequest, SensitivityQuery
from app.services.catalogue import engine_catalogue
from app.services.rubrics import checked_definition
from app.services.score_runs import LruCache, definition_tag, scoring_run
from app.services.scores import ChosenRubric, choose_rubric, run_for
from scoring.rubric import Rubric as RubricDefinition
from scoring.sensitivity import SensitivityResult, sensitivity
from scoring.whatif import apply_weight_overrides, compare, weight_override_problems


def _alternative(session: Session, baseline: ChosenRubric, request: PreviewRequest) -> RubricDefinition:
    if request.weights is not None:
        problems = weight_override_problems(baseline.definition, request.weights)
        if problems:
            raise InvalidInput(
                [
                    FieldProblem(f"body.weights.{problem.path.removeprefix('overrides.')}", problem.message)
                    for problem in problems
                ]
            )
        return apply_weight_overrides(baseline.definition, request.weights)
    checked = checked_definition(request.definition or {}, engine_catalogue(session), key=None)
    return RubricDefinition.model_validate(checked)


MAX_SENSITIVITY_WORK = 2_000_000
"""Most instrument rankings (samples x instruments) one sensitivity request may compute."""

SENSITIVITY: LruCache[tuple[Any, ...], SensitivityResult] = LruCache(8)
"""Sensitivity results: the same run, samples, spread and seed always give the same answer."""


def preview(session: Session, request: PreviewRequest, today: date) -> dict[str, Any]:
    """The ranking under the changed rubric, with each instrument's score and rank change; nothing is saved."""
    baseline = choose_rubric(session, request.baseline, path="body.baseline")
    alternative = _alternative(session, baseline, request)
    as_of = request.as_of or today
    before = run_for(session, baseline, as_of)
    after = scoring_run(session, rubric=alternative, rubric_tag=definition_tag(alternative), as_of=as_of, preview=True)
    rows = compare(before.result, after.result).records()
    rows.sort(key=lambda row: (row["alternative_ranks"] is None, row["alternative_ranks"] or 0, row["instrument_id"]))
    return {
        "baseline": baseline.describe(),
        "alternative": {"key": alternative.key, "label": alternative.label, "tag": after.rubric_tag},
        "as_of": as_of.isoformat(),
        "data_revision": after.input.revision,
        "moved": sum(1 for row in rows if row["rank_change"]),
        "items": [_preview_row(row) for row in rows],
    }


def _preview_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["instrument_id"],
        "score": row["alternative_scores"],
        "rank": row["alternative_ranks"],
        "baseline_score": row["baseline_scores"],
        "baseline_rank": row["baseline_ranks"],
        "score_change": row["score_change"],
        "rank_change": row["rank_change"],
    }


def ranking_sensitivity(session: Session, chosen: ChosenRubric, query: SensitivityQuery, today: date) -> dict[str, Any]:
    """Median rank and 5-95% interval per instrument under perturbed weights, and the weights that matter most."""
    run = run_for(session, chosen, query.as_of or today)
    instruments = len(run.result.instrument_ids)
    if query.samples * instruments > MAX_SENSITIVITY_WORK:
        most = MAX_SENSITIVITY_WORK // instruments
        message = f"{query.samples} samples of {instruments} instruments is too much work; ask for {most} at most"
        raise InvalidInput([FieldProblem("query.samples", message)])
    key = (run.rubric_tag, run.input.revision, run.input.as_of, query.samples, query.spread, query.seed)
    result = SENSITIVITY.get(
        key, lambda: sensitivity(chosen.definition, run.input.data, query.samples, query.spread, query.seed)
    )
    influence = [{"key": item.key, "label": item.label, "first_order": item.first_order} for item in result.influence]
    items = sorted(
        ({"id": row.pop("instrument_id"), **row} for row in result.records()),
        key=lambda row: (row["median_ranks"] is None, row["median_ranks"] or 0.0, row["id"]),
    )
    return {
        "rubric": chosen.describe(),
        "as_of": run.input.as_of.isoformat(),
        "data_revision": run.input.revision,
        "samples": query.samples,
        "spread": query.spread,
        "seed": query.seed,
        "influence": influence,
        "items": items,
    }
