"""Audit events: who changed what, and when, written in the same transaction as the change."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlmodel import Field, SQLModel

from app.models.common import timestamp_field


class AuditEvent(SQLModel, table=True):
    """One change to the store, by one actor."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp_field(index=True)
    actor: str = Field(sa_type=String(120))
    action: str = Field(sa_type=String(60))
    entity: str = Field(sa_type=String(40))
    entity_key: str = Field(sa_type=String(120), index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
