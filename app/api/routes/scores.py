"""Routes of scores: rankings, explained scores, comparisons, summaries, history, what-if and sensitivity."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel

from app.api.access import READ
from app.api.deps import InstrumentDep, ReadSessionDep, ScoreCachesDep, SessionDep
from app.api.http.pages import next_page_link
from app.api.http.problems import problem_responses
from app.api.http.responses import cached_bytes, prefers_csv
from app.models.common import utc_now
from app.models.filters import InstrumentFilterFields
from app.models.score import (
    CompareQuery,
    HistoryQuery,
    PreviewRequest,
    RankingQuery,
    ScoreQuery,
    SensitivityQuery,
    SummaryQuery,
)
from app.models.score_results import (
    Comparison,
    Preview,
    Ranking,
    ScoreExplanation,
    ScoreHistory,
    ScoreSummary,
    Sensitivity,
)
from app.models.types import Slug
from app.services.scores import views
from app.services.scores.choose import choose_rubric
from app.services.scores.previews import preview, ranking_sensitivity
from app.services.scores.runs import run_of

router = APIRouter(tags=["scores"])
RESPONSES = problem_responses(404, 409, 422)
CACHED: dict[str, Any] = {
    "parameters": [
        {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "maxLength": 2000},
            "description": "The ETag of a response already held: the answer is then 304 Not Modified, with no body, "
            "if it would be the same bytes. (304 is not listed among the responses: a generated client would type "
            "every answer as Any.)",
        }
    ]
}
"""What every cached score read also documents: the header that can make its answer a 304."""


def cached_read(path: str, model: type[BaseModel], **extra: Any) -> Callable[[Callable[..., Any]], Any]:
    """The decorator of a cached score read: its body model, its problems and the If-None-Match it honours."""
    options: dict[str, Any] = {"responses": RESPONSES, **extra}
    return router.get(path, dependencies=[READ], response_model=model, openapi_extra=CACHED, **options)


RANKING_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The ranking: JSON, or CSV with Accept: text/csv or format=csv (the whole filtered ranking).",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
    **RESPONSES,
}


@cached_read("/v1/scores", Ranking, responses=RANKING_RESPONSES)
def read_ranking(
    session: SessionDep, caches: ScoreCachesDep, query: Annotated[RankingQuery, Query()], request: Request
) -> Response:
    """Rank the instruments that match the filters; as CSV with Accept: text/csv or format=csv."""
    run = run_of(session, caches, query.rubric, query.as_of, query.perspective)
    filters = query.model_dump(include=set(InstrumentFilterFields.model_fields) - {"limit", "offset"})
    ranking = views.ranking(session, run, filters=filters, sort=query.sort, provisional=query.provisional)
    vary = {"Vary": "Accept"}
    if query.format == "csv" or (query.format is None and prefers_csv(request.headers.get("accept", ""))):
        about = {
            **vary,
            "X-Rubric": run.chosen.tag,
            "X-As-Of": run.as_of.isoformat(),
            "X-Data-Revision": str(run.revision),
            "Content-Disposition": f'attachment; filename="{ranking.file_name}"',
        }
        return cached_bytes(request, ranking.csv(), about, media_type="text/csv; charset=utf-8")
    content = ranking.page(limit=query.limit, offset=query.offset)
    return cached_bytes(request, content, {**vary, **next_page_link(request.url, query, ranking.total)})


@cached_read("/v1/instruments/{id}/score", ScoreExplanation)
def read_instrument_score(
    session: SessionDep,
    caches: ScoreCachesDep,
    instrument: InstrumentDep,
    query: Annotated[ScoreQuery, Query()],
    request: Request,
) -> Response:
    """One instrument's score, grade, rank and coverage, with the whole explanation and its evidence."""
    run = run_of(session, caches, query.rubric, query.as_of, query.perspective)
    return cached_bytes(request, views.explained_score(session, run, instrument.slug))


@cached_read("/v1/instruments/{id}/score-history", ScoreHistory)
def read_score_history(
    session: SessionDep,
    caches: ScoreCachesDep,
    instrument: InstrumentDep,
    query: Annotated[HistoryQuery, Query()],
    request: Request,
) -> Response:
    """The instrument's score at each date where its data changed."""
    chosen = choose_rubric(session, caches, query.rubric)
    return cached_bytes(request, views.score_history(session, caches, chosen, instrument, query.perspective))


@cached_read("/v1/scores/compare", Comparison)
def compare_instruments(
    session: SessionDep, caches: ScoreCachesDep, query: Annotated[CompareQuery, Query()], request: Request
) -> Response:
    """Two to ten instruments side by side, node by node."""
    run = run_of(session, caches, query.rubric, query.as_of, query.perspective)
    return cached_bytes(request, views.comparison(run, query.ids.split(",")))


@cached_read("/v1/scores/summary", ScoreSummary)
def summarise_scores(
    session: SessionDep, caches: ScoreCachesDep, query: Annotated[SummaryQuery, Query()], request: Request
) -> Response:
    """Per group (organisation, scope, kind or party): count, mean, median, min, max, best and worst."""
    run = run_of(session, caches, query.rubric, query.as_of, query.perspective)
    return cached_bytes(request, views.summary(session, run, query.group_by))


@router.post(
    "/v1/scores/preview",
    dependencies=[READ],
    response_model=Preview,
    responses=problem_responses(404, 409, 412, 422),
)
def preview_scores(session: ReadSessionDep, caches: ScoreCachesDep, body: PreviewRequest, request: Request) -> Response:
    """Rank under changed weights or a draft rubric, with each score and rank change; nothing is saved."""
    return cached_bytes(request, preview(session, caches, body, utc_now().date()))


@cached_read("/v1/rubrics/{key}/sensitivity", Sensitivity, tags=["rubrics"])
def read_sensitivity(
    session: SessionDep,
    caches: ScoreCachesDep,
    key: Annotated[Slug, Path()],
    query: Annotated[SensitivityQuery, Query()],
    request: Request,
) -> Response:
    """Median rank and 5-95% interval per instrument when the weights vary, and the weights that matter most."""
    reference = key if query.version is None else f"{key}@{query.version}"
    run = run_of(session, caches, reference, query.as_of, query.perspective)
    return cached_bytes(request, ranking_sensitivity(session, caches, run, query))
