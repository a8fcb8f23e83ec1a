"""Routes of the instrument catalogue: ``/v1/instruments``."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse

from app.api.access import READ, AnalystDep
from app.api.deps import InstrumentDep, SessionDep
from app.api.http.pages import page_response
from app.api.http.problems import problem_responses
from app.models.filters import InstrumentFilters
from app.models.instrument import InstrumentCreate, InstrumentPage, InstrumentPublic, InstrumentUpdate
from app.services import instruments as service

router = APIRouter(prefix="/v1/instruments", tags=["instruments"])


@router.get("", dependencies=[READ], response_model=InstrumentPage, responses=problem_responses(422))
def list_instruments(
    session: SessionDep, filters: Annotated[InstrumentFilters, Query()], request: Request
) -> JSONResponse:
    """List instruments matching every filter given, one page at a time."""
    items, total = service.list_instruments(session=session, filters=filters)
    return page_response(items, total, filters, request.url)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=InstrumentPublic,
    responses=problem_responses(409, 422),
)
def create_instrument(
    session: SessionDep, caller: AnalystDep, body: InstrumentCreate, response: Response
) -> dict[str, Any]:
    """Add an instrument with its parties."""
    instrument = service.create_instrument(session=session, data=body, actor=caller.name)
    response.headers["Location"] = f"/v1/instruments/{instrument.slug}"
    return service.show_instrument(session=session, instrument=instrument)


@router.get("/{id}", dependencies=[READ], response_model=InstrumentPublic, responses=problem_responses(404, 422))
def read_instrument(session: SessionDep, instrument: InstrumentDep) -> dict[str, Any]:
    """Read one instrument."""
    return service.show_instrument(session=session, instrument=instrument)


@router.patch("/{id}", response_model=InstrumentPublic, responses=problem_responses(404, 409, 422))
def update_instrument(
    session: SessionDep, caller: AnalystDep, instrument: InstrumentDep, body: InstrumentUpdate
) -> dict[str, Any]:
    """Change some fields of an instrument; lists given replace the stored ones."""
    updated = service.update_instrument(session=session, instrument=instrument, changes=body, actor=caller.name)
    return service.show_instrument(session=session, instrument=updated)


@router.delete(
    "/{id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response, responses=problem_responses(404, 422)
)
def delete_instrument(session: SessionDep, caller: AnalystDep, instrument: InstrumentDep) -> Response:
    """Delete an instrument: it leaves every read and list; its history is kept."""
    service.delete_instrument(session=session, instrument=instrument, actor=caller.name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
