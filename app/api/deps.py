"""Dependencies shared by the routers, as ``Annotated`` aliases: the session, loaded entities, the actor."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.database import get_reading_engine, get_writing_engine
from app.errors import FieldProblem, InvalidInput
from app.models import Indicator, Instrument
from app.models.types import Code, Slug
from app.services import indicators as indicator_service
from app.services import instruments as instrument_service
from app.services.scores.caches import ScoreCaches

READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _session(engine: Engine) -> AsyncIterator[Session]:
    # Async on purpose: opening a session does no I/O, so the event loop does it without a thread hop; the
    # close, which may talk to the database, runs in the thread pool after the response has been sent.
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    finally:
        await run_in_threadpool(session.close)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """Yield a session for one request; services commit, this only closes.

    A request that may write gets a session whose transactions say so (``app.database.WRITING``); a read
    gets one snapshot of the database (``app.database.get_reading_engine``).
    """
    engine = get_reading_engine() if request.method in READING_METHODS else get_writing_engine()
    async for session in _session(engine):
        yield session


async def get_read_session() -> AsyncIterator[Session]:
    """Yield a reading session for an operation that is sent with POST but writes nothing (a preview)."""
    async for session in _session(get_reading_engine()):
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
ReadSessionDep = Annotated[Session, Depends(get_read_session)]


def declared_query_names(route: APIRoute) -> frozenset[str]:
    """Every query parameter a route declares, through its dependencies and query models."""
    names: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        for field in dependant.query_params:
            model = field.field_info.annotation
            if isinstance(model, type) and issubclass(model, BaseModel):
                names.update(info.alias or name for name, info in model.model_fields.items())
            else:
                names.add(field.alias)
        pending.extend(dependant.dependencies)
    return frozenset(names)


async def refuse_unknown_query_parameters(request: Request) -> None:
    """Answer 422 when the query string names a parameter the route does not declare, or one twice."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    # Worked out once per route of this application (routes never change once it serves).
    known: dict[tuple[str, frozenset[str]], frozenset[str]] = request.app.state.query_names
    which = (route.path, frozenset(route.methods or ()))
    allowed = known.get(which)
    if allowed is None:
        allowed = known[which] = declared_query_names(route)
    unknown = sorted({name for name in request.query_params if name not in allowed})
    repeated = sorted({name for name in request.query_params if len(request.query_params.getlist(name)) > 1})
    problems = [
        FieldProblem(f"query.{name}", "is not a parameter of this operation", "extra_forbidden") for name in unknown
    ]
    problems += [FieldProblem(f"query.{name}", "is given more than once", "repeated") for name in repeated]
    if problems:
        raise InvalidInput(problems)


def load_instrument(session: SessionDep, instrument_id: Annotated[Slug, Path(alias="id")]) -> Instrument:
    """Load the instrument named in the path, or answer 404."""
    return instrument_service.get_instrument(session=session, slug=instrument_id)


def load_indicator(session: SessionDep, key: Annotated[Code, Path()]) -> Indicator:
    """Load the indicator named in the path, or answer 404."""
    return indicator_service.get_indicator(session=session, key=key)


def score_caches(request: Request) -> ScoreCaches:
    """The application's score caches (one set per application, made with it)."""
    caches: ScoreCaches = request.app.state.score_caches
    return caches


InstrumentDep = Annotated[Instrument, Depends(load_instrument)]
ScoreCachesDep = Annotated[ScoreCaches, Depends(score_caches)]
IndicatorDep = Annotated[Indicator, Depends(load_indicator)]


IdempotencyKeyDep = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="Send the same key again to get the first outcome again instead of a second write.",
    ),
]
