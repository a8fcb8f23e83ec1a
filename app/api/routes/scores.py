"""Routes of scores: rankings, explained scores, comparisons, summaries, history, what-if and sensitivity."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict

from app.api.access import READ
from app.api.deps import InstrumentDep, ReadSessionDep, SessionDep
from app.api.http.pages import next_page_link
from app.api.http.problems import problem_responses
from app.api.http.responses import cached_csv, cached_json, prefers_csv
from app.models.common import utc_now
from app.models.filters import InstrumentFilterFields
from app.models.score import (
    CompareQuery,
    PreviewRequest,
    RankingQuery,
    RubricReference,
    ScoreQuery,
    SensitivityQuery,
    SummaryQuery,
)
from app.models.types import Slug
from app.services import scores as service
from app.services.whatif import preview, ranking_sensitivity

router = APIRouter(tags=["scores"])
RESPONSES = problem_responses(404, 422)
CSV_COLUMNS = ("rank", "id", "score", "grade", "coverage", "insufficient_data")


RANKING_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The ranking: JSON, or CSV with Accept: text/csv or format=csv.",
        "content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}},
    },
    **RESPONSES,
}


@router.get("/v1/scores", dependencies=[READ], responses=RANKING_RESPONSES)
def read_ranking(session: SessionDep, query: Annotated[RankingQuery, Query()], request: Request) -> Response:
    """Rank the instruments that match the filters; as CSV with Accept: text/csv or format=csv."""
    chosen = service.choose_rubric(session, query.rubric)
    run = service.run_for(session, chosen, query.as_of)
    filters = query.model_dump(include=set(InstrumentFilterFields.model_fields) - {"limit", "offset"})
    rows = service.ranking(session, run, filters=filters, sort=query.sort)
    if query.format == "csv" or (query.format is None and prefers_csv(request.headers.get("accept", ""))):
        about = {
            "X-Rubric": chosen.tag,
            "X-As-Of": run.input.as_of.isoformat(),
            "X-Data-Revision": str(run.input.revision),
        }
        name = f"scores-{chosen.key}-v{chosen.version}-{run.input.as_of.isoformat()}-r{run.input.revision}.csv"
        about["Content-Disposition"] = f'attachment; filename="{name}"'
        return cached_csv(request, CSV_COLUMNS, ([row[column] for column in CSV_COLUMNS] for row in rows), about)
    page = rows[query.offset : query.offset + query.limit]
    body = {
        "rubric": chosen.describe(),
        "as_of": run.input.as_of.isoformat(),
        "data_revision": run.input.revision,
        "items": page,
        "total": len(rows),
        "limit": query.limit,
        "offset": query.offset,
    }
    return cached_json(request, body, next_page_link(request.url, query, len(rows)))


@router.get("/v1/instruments/{id}/score", dependencies=[READ], responses=RESPONSES)
def read_instrument_score(
    session: SessionDep, instrument: InstrumentDep, query: Annotated[ScoreQuery, Query()], request: Request
) -> Response:
    """One instrument's score, grade, rank and coverage, with the whole explanation and its evidence."""
    chosen = service.choose_rubric(session, query.rubric)
    run = service.run_for(session, chosen, query.as_of)
    explained = service.explained_score(session, run, instrument.slug)
    body = {"rubric": chosen.describe(), "as_of": run.input.as_of.isoformat(), "data_revision": run.input.revision}
    return cached_json(request, {**body, **explained})


class HistoryQuery(BaseModel):
    """Query of the score history: the rubric only (the dates are those where the data changed)."""

    model_config = ConfigDict(extra="forbid")

    rubric: RubricReference | None = None


@router.get("/v1/instruments/{id}/score-history", dependencies=[READ], responses=RESPONSES)
def read_score_history(
    session: SessionDep, instrument: InstrumentDep, query: Annotated[HistoryQuery, Query()], request: Request
) -> Response:
    """The instrument's score at each date where its data changed."""
    chosen = service.choose_rubric(session, query.rubric)
    points = service.score_history(session, chosen, instrument)
    return cached_json(request, {"rubric": chosen.describe(), "id": instrument.slug, "points": points})


@router.get("/v1/scores/compare", dependencies=[READ], responses=RESPONSES)
def compare_instruments(session: SessionDep, query: Annotated[CompareQuery, Query()], request: Request) -> Response:
    """Two to ten instruments side by side, node by node."""
    chosen = service.choose_rubric(session, query.rubric)
    run = service.run_for(session, chosen, query.as_of)
    body = {"rubric": chosen.describe(), "as_of": run.input.as_of.isoformat(), "data_revision": run.input.revision}
    return cached_json(request, {**body, **service.compared(run, query.ids.split(","))})


@router.get("/v1/scores/summary", dependencies=[READ], responses=RESPONSES)
def summarise_scores(session: SessionDep, query: Annotated[SummaryQuery, Query()], request: Request) -> Response:
    """Per group (organisation, scope, kind or party): count, mean, median, min, max, best and worst."""
    chosen = service.choose_rubric(session, query.rubric)
    run = service.run_for(session, chosen, query.as_of)
    groups = service.summary(session, run, query.group_by)
    body = {"rubric": chosen.describe(), "as_of": run.input.as_of.isoformat(), "group_by": query.group_by}
    return cached_json(request, {**body, "data_revision": run.input.revision, "groups": groups})


@router.post("/v1/scores/preview", dependencies=[READ], responses=problem_responses(404, 422))
def preview_scores(session: ReadSessionDep, body: PreviewRequest, request: Request) -> Response:
    """Rank under changed weights or a draft rubric, with each score and rank change; nothing is saved."""
    return cached_json(request, preview(session, body, utc_now().date()))


@router.get("/v1/rubrics/{key}/sensitivity", dependencies=[READ], tags=["rubrics"], responses=RESPONSES)
def read_sensitivity(
    session: SessionDep, key: Annotated[Slug, Path()], query: Annotated[SensitivityQuery, Query()], request: Request
) -> Response:
    """Median rank and 5-95% interval per instrument when the weights vary, and the weights that matter most."""
    reference = key if query.version is None else f"{key}@{query.version}"
    chosen = service.choose_rubric(session, reference)
    return cached_json(request, ranking_sensitivity(session, chosen, query, utc_now().date()))
