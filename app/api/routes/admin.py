"""Administration: API keys (``/v1/keys``) and the audit log (``/v1/audit``); admin keys only."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import BaseModel, Field
from sqlmodel import col, func, select

from app.api.access import AdminDep
from app.api.deps import SessionDep
from app.api.http.pages import next_page_link
from app.api.http.problems import problem_responses
from app.models import ApiKey, AuditEvent
from app.models.access import KeyCreate, KeyCreated, KeyPublic, Role
from app.models.common import Page, as_utc_text
from app.models.filters import Pagination
from app.models.types import Name, Slug
from app.services.keys import create_key, list_keys, revoke_key

router = APIRouter(tags=["administration"])


def _public(row: ApiKey) -> KeyPublic:
    return KeyPublic(
        name=row.name,
        role=Role(row.role),
        prefix=f"cs_{row.prefix}_",
        created_by=row.created_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


@router.get("/v1/keys", response_model=list[KeyPublic], responses=problem_responses(422))
def list_api_keys(session: SessionDep, caller: AdminDep) -> list[KeyPublic]:
    """List the API keys (never their secrets)."""
    return [_public(row) for row in list_keys(session=session)]


@router.post(
    "/v1/keys", status_code=status.HTTP_201_CREATED, response_model=KeyCreated, responses=problem_responses(409, 422)
)
def create_api_key(session: SessionDep, caller: AdminDep, body: KeyCreate) -> KeyCreated:
    """Create a key; its secret is in this response and nowhere else, ever."""
    row, key = create_key(
        session=session, name=body.name, role=body.role, actor=caller.name, expires_in_days=body.expires_in_days
    )
    return KeyCreated(**_public(row).model_dump(), key=key)


@router.delete(
    "/v1/keys/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(404, 422),
)
def revoke_api_key(session: SessionDep, caller: AdminDep, name: Annotated[Slug, Path()]) -> Response:
    """Revoke a key for good."""
    revoke_key(session=session, name=name, actor=caller.name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class AuditQuery(Pagination):
    """Filters of the audit log, newest first."""

    entity: Annotated[str, Field(max_length=40, pattern=r"^[a-z_]+$")] | None = None
    actor: Name | None = None


class AuditEventPublic(BaseModel):
    """One change, as the audit log shows it."""

    at: str
    actor: str
    action: str
    entity: str
    entity_key: str
    details: dict[str, Any]


class AuditEventPage(Page[AuditEventPublic]):
    """One page of the audit log."""


@router.get("/v1/audit", response_model=AuditEventPage, responses=problem_responses(422))
def read_audit_log(
    session: SessionDep, caller: AdminDep, query: Annotated[AuditQuery, Query()], request: Request, response: Response
) -> AuditEventPage:
    """Who changed what and when, newest first."""
    conditions = []
    if query.entity is not None:
        conditions.append(col(AuditEvent.entity) == query.entity)
    if query.actor is not None:
        conditions.append(col(AuditEvent.actor) == query.actor)
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one()
    rows = session.exec(
        select(AuditEvent)
        .where(*conditions)
        .order_by(col(AuditEvent.id).desc())
        .offset(query.offset)
        .limit(query.limit)
    ).all()
    response.headers.update(next_page_link(request.url, query, total))
    items = [
        AuditEventPublic(
            at=as_utc_text(row.at),
            actor=row.actor,
            action=row.action,
            entity=row.entity,
            entity_key=row.entity_key,
            details=row.details,
        )
        for row in rows
    ]
    return AuditEventPage(items=items, total=total, limit=query.limit, offset=query.offset)
