"""Idempotency records: the first outcome of a request sent with an ``Idempotency-Key``, to replay it."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.common import timestamp_field


class IdempotencyRecord(SQLModel, table=True):
    """One key of one caller: what request it was used for, and what it produced (by reference)."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("owner", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(sa_type=String(120))
    key: str = Field(sa_type=String(200))
    operation: str = Field(sa_type=String(300))
    request_hash: str = Field(sa_type=String(64))
    result: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = timestamp_field()
