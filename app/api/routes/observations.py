"""Routes of evaluated values: ``/v1/instruments/{id}/observations``."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, status
from pydantic import BaseModel, ConfigDict, Field

from app.api.access import READ, AnalystDep
from app.api.deps import IdempotencyKeyDep, InstrumentDep, SessionDep
from app.api.http.pages import FastJSONResponse
from app.api.http.problems import problem_responses
from app.models.common import utc_now
from app.models.observation import ObservationBody, ObservationPublic
from app.models.types import Code, PastDay
from app.services import indicators as indicator_service
from app.services import observations as service
from app.services.idempotency import Idempotency, idempotently
from app.services.observation_views import views_of

router = APIRouter(prefix="/v1/instruments/{id}/observations", tags=["observations"])


class ObservationQuery(BaseModel):
    """Which values to read: the latest of every indicator as of a date, or one indicator's history."""

    model_config = ConfigDict(extra="forbid")

    as_of: PastDay | None = Field(default=None, description="Date the values held on; today when omitted.")
    indicator: Code | None = Field(default=None, description="Give the full history of this indicator instead.")


class ObservationList(BaseModel):
    """Observations of one instrument."""

    instrument: str
    as_of: date | None
    items: list[ObservationPublic]


@router.get("", dependencies=[READ], response_model=ObservationList, responses=problem_responses(404, 422))
def read_observations(
    session: SessionDep, instrument: InstrumentDep, query: Annotated[ObservationQuery, Query()]
) -> FastJSONResponse:
    """Read the latest value of each indicator as of a date, or the whole history of one indicator."""
    if query.indicator is not None:
        indicator = indicator_service.get_indicator(session=session, key=query.indicator)
        items = service.observation_history(
            session=session, instrument=instrument, indicator=indicator, as_of=query.as_of
        )
        as_of = query.as_of
    else:
        as_of = query.as_of or utc_now().date()
        items = service.latest_observations(session=session, instrument=instrument, as_of=as_of)
    as_of_text = as_of.isoformat() if as_of else None
    return FastJSONResponse({"instrument": instrument.slug, "as_of": as_of_text, "items": items})


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ObservationPublic | list[ObservationPublic],
    responses=problem_responses(404, 409, 422),
)
def record_observations(
    session: SessionDep,
    caller: AnalystDep,
    instrument: InstrumentDep,
    body: Annotated[ObservationBody, Body()],
    idempotency_key: IdempotencyKeyDep = None,
) -> dict[str, Any] | list[dict[str, Any]]:
    """Record one observation, or a batch (a JSON array) that is stored whole or not at all."""
    rows = body if isinstance(body, list) else [body]
    batch = isinstance(body, list)
    idempotency = None
    if idempotency_key is not None:
        request = [row.model_dump(mode="json") for row in rows]
        operation = f"POST /v1/instruments/{instrument.slug}/observations"
        idempotency = Idempotency.of(owner=caller.name, key=idempotency_key, operation=operation, body=request)
    stored = idempotently(
        session,
        idempotency,
        lambda: service.record_observations(
            session=session, instrument=instrument, rows=rows, actor=caller.name, batch=batch, idempotency=idempotency
        ),
        lambda earlier: views_of(session, ids=earlier["observations"], slug=instrument.slug),
    )
    return stored if batch else stored[0]
