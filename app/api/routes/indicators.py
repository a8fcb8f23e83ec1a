"""Routes of the indicator catalogue: ``/v1/indicators``."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.api.access import READ, AnalystDep
from app.api.deps import IndicatorDep, SessionDep
from app.api.http.pages import next_page_link
from app.api.http.problems import problem_responses
from app.models.filters import IndicatorFilters
from app.models.indicator import IndicatorCreate, IndicatorPage, IndicatorPublic, IndicatorUpdate
from app.services import indicators as service

router = APIRouter(prefix="/v1/indicators", tags=["indicators"])


@router.get("", dependencies=[READ], response_model=IndicatorPage, responses=problem_responses(422))
def list_indicators(
    session: SessionDep, filters: Annotated[IndicatorFilters, Query()], request: Request, response: Response
) -> IndicatorPage:
    """List the indicator catalogue, optionally one dimension of it."""
    rows, total = service.list_indicators(session=session, filters=filters)
    response.headers.update(next_page_link(request.url, filters, total))
    items = [IndicatorPublic.of(row) for row in rows]
    return IndicatorPage(items=items, total=total, limit=filters.limit, offset=filters.offset)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=IndicatorPublic,
    responses=problem_responses(409, 422),
)
def create_indicator(
    session: SessionDep, caller: AnalystDep, body: IndicatorCreate, response: Response
) -> IndicatorPublic:
    """Add an indicator to the catalogue."""
    indicator = service.create_indicator(session=session, data=body, actor=caller.name)
    response.headers["Location"] = f"/v1/indicators/{indicator.key}"
    return IndicatorPublic.of(indicator)


@router.get("/{key}", dependencies=[READ], response_model=IndicatorPublic, responses=problem_responses(404, 422))
def read_indicator(indicator: IndicatorDep) -> IndicatorPublic:
    """Read one indicator."""
    return IndicatorPublic.of(indicator)


@router.patch("/{key}", response_model=IndicatorPublic, responses=problem_responses(404, 409, 422))
def update_indicator(
    session: SessionDep, caller: AnalystDep, indicator: IndicatorDep, body: IndicatorUpdate
) -> IndicatorPublic:
    """Change some fields of an indicator; its shape is fixed once values are recorded."""
    return IndicatorPublic.of(
        service.update_indicator(session=session, indicator=indicator, changes=body, actor=caller.name)
    )
