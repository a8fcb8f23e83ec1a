"""API key use cases: create (the secret shown once), verify, list, revoke."""

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from app.errors import Conflict, NotFound
from app.models import ApiKey
from app.models.access import Role
from app.models.common import as_utc_text, utc_now
from app.services.audit import commit_change, record_event

_KEY = re.compile(r"^cs_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    *, session: Session, name: str, role: Role, actor: str, expires_in_days: int | None = None
) -> tuple[ApiKey, str]:
    """Store a new key and return it with its secret, which is not kept anywhere."""
    if session.exec(select(ApiKey.id).where(col(ApiKey.name) == name)).first() is not None:
        raise Conflict(f"A key named {name!r} exists already (perhaps revoked); choose another name.")
    prefix = secrets.token_hex(6)
    key = f"cs_{prefix}_{secrets.token_urlsafe(32)}"
    expires = utc_now() + timedelta(days=expires_in_days) if expires_in_days else None
    row = ApiKey(
        name=name, prefix=prefix, secret_hash=_digest(key), role=role.value, created_by=actor, expires_at=expires
    )
    session.add(row)
    details = {"role": role.value, "expires_at": as_utc_text(expires) if expires else None}
    record_event(session, actor=actor, action="create_key", entity="api_key", entity_key=name, details=details)
    commit_change(session, clash=f"A key named {name!r} was created concurrently.", data=False)
    return row, key


def verify_key(session: Session, presented: str) -> ApiKey | None:
    """The live key ``presented`` is, or None (malformed, unknown, wrong secret, revoked or expired)."""
    match = _KEY.fullmatch(presented)
    if match is None:
        return None
    row = session.exec(select(ApiKey).where(col(ApiKey.prefix) == match.group(1))).first()
    if row is None or not hmac.compare_digest(row.secret_hash, _digest(presented)):
        return None
    now = utc_now()
    if row.revoked_at is not None or (row.expires_at is not None and _aware(row.expires_at) <= now):
        return None
    return row


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def list_keys(*, session: Session) -> Sequence[ApiKey]:
    """Every key, by name."""
    return session.exec(select(ApiKey).order_by(col(ApiKey.name))).all()


def revoke_key(*, session: Session, name: str, actor: str) -> ApiKey:
    """Revoke a key for good; requests with it are refused from then on."""
    row = session.exec(select(ApiKey).where(col(ApiKey.name) == name)).first()
    if row is None:
        raise NotFound(f"No key is named {name!r}.")
    if row.revoked_at is None:
        row.revoked_at = utc_now()
        record_event(session, actor=actor, action="revoke_key", entity="api_key", entity_key=name, details={})
        commit_change(session, clash=f"The key {name!r} changed concurrently.", data=False)
    return row


def has_keys(session: Session) -> bool:
    """Whether any key was ever created."""
    return session.exec(select(ApiKey.id)).first() is not None
