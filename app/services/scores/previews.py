"""What-if previews under changed weights or another definition, and the sensitivity of a ranking."""

from datetime import date

from sqlmodel import Session

from app.errors import FieldProblem, InvalidInput
from app.models.score import PreviewRequest, SensitivityQuery
from app.services.catalogue import engine_catalogue
from app.services.rubrics import checked_definition
from app.services.scores import present
from app.services.scores.caches import ScoreCaches
from app.services.scores.choose import ChosenRubric, choose_rubric
from app.services.scores.runs import ScoringRun, run_for
from scoring.rubric import Rubric as RubricDefinition
from scoring.sensitivity import sensitivity
from scoring.validation import RubricError
from scoring.whatif import apply_weight_overrides, compare

MAX_SENSITIVITY_WORK = 2_000_000
"""Most instrument rankings (samples x instruments) one sensitivity request may compute."""


def _alternative(session: Session, baseline: ChosenRubric, request: PreviewRequest) -> RubricDefinition:
    """The definition to preview: the baseline with the weights overridden, or the definition sent."""
    if request.weights is not None:
        try:
            return apply_weight_overrides(baseline.definition, request.weights)
        except RubricError as error:
            problems = [
                FieldProblem(f"body.weights.{problem.path.removeprefix('overrides.')}", problem.message)
                for problem in error.problems
            ]
            raise InvalidInput(problems) from None
    checked = checked_definition(request.definition or {}, engine_catalogue(session), key=None)
    return RubricDefinition.model_validate(checked)


def preview(session: Session, caches: ScoreCaches, request: PreviewRequest, today: date) -> bytes:
    """The ranking under the changed rubric, with each instrument's score and rank change; nothing is saved."""
    baseline = choose_rubric(session, caches, request.baseline, path="body.baseline")
    alternative = ChosenRubric.previewed(_alternative(session, baseline, request))
    as_of = request.as_of or today
    before = run_for(session, caches, baseline, as_of, request.perspective)
    after = run_for(session, caches, alternative, as_of, request.perspective)
    key = ("preview", before.chosen.tag, str(before.revision))
    return after.render(key, lambda: present.preview(before, after, compare(before.result, after.result)))


def ranking_sensitivity(session: Session, caches: ScoreCaches, run: ScoringRun, query: SensitivityQuery) -> bytes:
    """Median rank and 5-95% interval per instrument under perturbed weights, and the weights that matter most."""
    chosen = run.chosen
    instruments = len(run.result.instrument_ids)
    if query.samples * instruments > MAX_SENSITIVITY_WORK:
        most = MAX_SENSITIVITY_WORK // instruments
        message = f"{query.samples} samples of {instruments} instruments is too much work; ask for {most} at most"
        raise InvalidInput([FieldProblem("query.samples", message)])
    key = (chosen.tag, run.revision, run.as_of, run.perspective, query.samples, query.spread, query.seed)

    def render() -> bytes:
        data = run.input.data
        result = sensitivity(
            chosen.definition, data, query.samples, query.spread, query.seed, perspective=run.perspective
        )
        return present.sensitivity(run, result)

    return caches.sensitivity.get(key, render)
