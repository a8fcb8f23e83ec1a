"""Routes of evaluated values: ``/v1/instruments/{id}/observations`` and ``/v1/countries/{code}/observations``.

An instrument's observations are facts about it, or about one of its parties (with ``party``); a country's are
facts about the country whatever the instrument. The indicator's ``level`` says which.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from app.api.access import READ, AnalystDep
from app.api.deps import IdempotencyKeyDep, InstrumentDep, SessionDep
from app.api.http.pages import FastJSONResponse
from app.api.http.problems import problem_responses
from app.models.common import utc_now
from app.models.observation import ObservationBody, ObservationPublic
from app.models.types import Code, PartyCode, PastDay
from app.services import indicators as indicator_service
from app.services import observations as service
from app.services.idempotency import Idempotency, idempotently
from app.services.observation_views import views_of
from app.services.observations import Subject

router = APIRouter(tags=["observations"])
CountryCode = Annotated[PartyCode, Path(description="An ISO 3166-1 alpha-3 code (or EU).")]


class ObservationQuery(BaseModel):
    """Which values to read: the latest of every indicator as of a date, or one indicator's history."""

    model_config = ConfigDict(extra="forbid")

    as_of: PastDay | None = Field(default=None, description="Date the values held on; today when omitted.")
    indicator: Code | None = Field(default=None, description="Give the full history of this indicator instead.")


class ObservationList(BaseModel):
    """Observations of one instrument (and of its parties)."""

    instrument: str
    as_of: date | None
    items: list[ObservationPublic]


class CountryObservationList(BaseModel):
    """Observations of one country."""

    country: str
    as_of: date | None
    items: list[ObservationPublic]


def _read(session: SessionDep, subject: Subject, query: ObservationQuery) -> tuple[str | None, list[dict[str, Any]]]:
    """The day read (None for a history) and the observations."""
    if query.indicator is not None:
        indicator = indicator_service.get_indicator(session=session, key=query.indicator)
        items = service.observation_history(session=session, subject=subject, indicator=indicator, as_of=query.as_of)
        return (query.as_of.isoformat() if query.as_of else None), items
    as_of = query.as_of or utc_now().date()
    if subject.instrument is not None:
        items = service.latest_observations(session=session, instrument=subject.instrument, as_of=as_of)
    else:
        items = service.latest_country_observations(session=session, country=str(subject.country), as_of=as_of)
    return as_of.isoformat(), items


def _record(
    session: SessionDep, caller: AnalystDep, subject: Subject, body: ObservationBody, key: str | None, operation: str
) -> dict[str, Any] | list[dict[str, Any]]:
    """Record one observation or a batch, idempotently when a key is sent."""
    rows = body if isinstance(body, list) else [body]
    batch = isinstance(body, list)
    idempotency = None
    if key is not None:
        request = [row.model_dump(mode="json") for row in rows]
        idempotency = Idempotency.of(owner=caller.name, key=key, operation=operation, body=request)
    slug = subject.instrument.slug if subject.instrument is not None else None
    stored = idempotently(
        session,
        idempotency,
        lambda: service.record_observations(
            session=session, subject=subject, rows=rows, actor=caller.name, batch=batch, idempotency=idempotency
        ),
        lambda earlier: views_of(session, ids=earlier["observations"], slug=slug),
    )
    return stored if batch else stored[0]


@router.get(
    "/v1/instruments/{id}/observations",
    dependencies=[READ],
    response_model=ObservationList,
    responses=problem_responses(404, 422),
)
def read_observations(
    session: SessionDep, instrument: InstrumentDep, query: Annotated[ObservationQuery, Query()]
) -> FastJSONResponse:
    """Read the latest value of each indicator (and party) as of a date, or the whole history of one indicator."""
    as_of, items = _read(session, Subject(instrument=instrument), query)
    return FastJSONResponse({"instrument": instrument.slug, "as_of": as_of, "items": items})


@router.post(
    "/v1/instruments/{id}/observations",
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
    operation = f"POST /v1/instruments/{instrument.slug}/observations"
    return _record(session, caller, Subject(instrument=instrument), body, idempotency_key, operation)


@router.get(
    "/v1/countries/{code}/observations",
    dependencies=[READ],
    response_model=CountryObservationList,
    responses=problem_responses(404, 422),
)
def read_country_observations(
    session: SessionDep, code: CountryCode, query: Annotated[ObservationQuery, Query()]
) -> FastJSONResponse:
    """Read a country's latest value of each indicator as of a date, or the whole history of one indicator."""
    as_of, items = _read(session, Subject(country=code), query)
    return FastJSONResponse({"country": code, "as_of": as_of, "items": items})


@router.post(
    "/v1/countries/{code}/observations",
    status_code=status.HTTP_201_CREATED,
    response_model=ObservationPublic | list[ObservationPublic],
    responses=problem_responses(409, 422),
)
def record_country_observations(
    session: SessionDep,
    caller: AnalystDep,
    code: CountryCode,
    body: Annotated[ObservationBody, Body()],
    idempotency_key: IdempotencyKeyDep = None,
) -> dict[str, Any] | list[dict[str, Any]]:
    """Record one fact about a country (a TIP tier, convictions...), or a batch stored whole or not at all."""
    return _record(
        session, caller, Subject(country=code), body, idempotency_key, f"POST /v1/countries/{code}/observations"
    )
