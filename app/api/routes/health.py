"""Liveness and readiness probes."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.api.deps import SessionDep
from app.migrations import migration_state

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """What a probe found."""

    status: str
    detail: str | None = None


@router.get("/healthz", response_model=Health, response_model_exclude_none=True)
def read_health() -> Health:
    """Answer while the process is alive; touches nothing else."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
def read_readiness(session: SessionDep) -> Health | JSONResponse:
    """Answer 200 when the database is reachable and migrated to the latest revision, 503 otherwise."""
    ready, detail = migration_state(session)
    if not ready:
        return JSONResponse(Health(status="unavailable", detail=detail).model_dump(), status_code=503)
    return Health(status="ok", detail=detail)
