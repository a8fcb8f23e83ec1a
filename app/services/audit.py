"""Audit events and the data revision, written inside the caller's transaction."""

from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import Conflict
from app.models import AuditEvent, DataRevision


def record_event(
    session: Session, *, actor: str, action: str, entity: str, entity_key: str, details: dict[str, Any]
) -> None:
    """Add an audit event to the session; it commits with the change it describes."""
    session.add(AuditEvent(actor=actor, action=action, entity=entity, entity_key=entity_key, details=details))


def advance_data_revision(session: Session) -> None:
    """Move the data revision on by one, so cached scores computed on older data are not reused."""
    session.execute(
        update(DataRevision).where(col(DataRevision.id) == 1).values(revision=col(DataRevision.revision) + 1)
    )


def current_data_revision(session: Session) -> int:
    """Return the data revision as stored."""
    return session.exec(select(DataRevision.revision).where(DataRevision.id == 1)).one()


def commit_change(session: Session, *, clash: str, data: bool = True) -> None:
    """Commit, advancing the data revision when instruments or observations (``data``) changed.

    A constraint violation, at the flush or the commit, becomes a 409 saying ``clash``.
    """
    try:
        if data:
            advance_data_revision(session)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(clash) from None


def flush_change(session: Session, *, clash: str) -> None:
    """Flush pending rows (to learn their ids); a constraint violation becomes a 409 saying ``clash``."""
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(clash) from None
