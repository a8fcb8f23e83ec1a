"""API keys and their roles: who may read, record, edit rubrics, or administer the service.

A key is shown once, when it is created, and stored only as its SHA-256 hash (a key carries 256 random
bits, so a fast hash is safe); the prefix before its secret finds the row without scanning.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field as PydanticField
from pydantic import StrictInt
from sqlalchemy import DateTime, String
from sqlmodel import Field, SQLModel

from app.models.common import Strict, UtcDateTime, timestamp_field
from app.models.types import Slug


class Role(StrEnum):
    """What a key may do; each role may do everything the ones before it may."""

    reader = "reader"
    analyst = "analyst"
    editor = "editor"
    admin = "admin"

    @property
    def rank(self) -> int:
        """Position in the order reader < analyst < editor < admin."""
        return list(Role).index(self)


class ApiKey(SQLModel, table=True):
    """A named key with one role; revoked or expired keys stay stored for the audit trail."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(120), unique=True)
    prefix: str = Field(sa_type=String(16), unique=True)
    secret_hash: str = Field(sa_type=String(64))
    role: str = Field(sa_type=String(20))
    created_by: str = Field(sa_type=String(120))
    created_at: datetime = timestamp_field()
    expires_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class KeyCreate(Strict):
    """Body of ``POST /v1/keys``."""

    name: Slug
    role: Role
    expires_in_days: Annotated[StrictInt, PydanticField(ge=1, le=3650)] | None = None


class KeyPublic(Strict):
    """A key as listed: never its secret."""

    name: str
    role: Role
    prefix: str
    created_by: str
    created_at: UtcDateTime
    expires_at: UtcDateTime | None
    revoked_at: UtcDateTime | None


class KeyCreated(KeyPublic):
    """A key just created: the only time its secret is shown."""

    key: str = PydanticField(description="Send it as X-API-Key. It is not stored and cannot be shown again.")
