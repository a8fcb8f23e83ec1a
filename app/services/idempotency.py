"""Idempotent writes: a request sent again with the same ``Idempotency-Key`` gets the first outcome again.

The key is claimed by inserting its record in the same transaction as the write it guards, before the
write: a concurrent duplicate waits on the record's unique key, fails once the first commits, and then
replays it. A key sent again with a different request is refused (422).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import Conflict, FieldProblem, InvalidInput
from app.models import IdempotencyRecord

HEADER_PATH = "header.Idempotency-Key"
T = TypeVar("T")


@dataclass(frozen=True)
class Idempotency:
    """One caller's key for one request."""

    owner: str
    key: str
    operation: str
    request_hash: str

    @classmethod
    def of(cls, *, owner: str, key: str, operation: str, body: Any) -> "Idempotency":
        """The key of a request, with a digest of its canonical JSON body."""
        digest = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
        return cls(owner, key, operation, digest)


def earlier_result(session: Session, idempotency: Idempotency) -> dict[str, Any] | None:
    """What the first request with this key produced, or None; 422 if the key served another request."""
    record = session.exec(
        select(IdempotencyRecord).where(
            col(IdempotencyRecord.owner) == idempotency.owner, col(IdempotencyRecord.key) == idempotency.key
        )
    ).first()
    if record is None:
        return None
    if (record.operation, record.request_hash) != (idempotency.operation, idempotency.request_hash):
        raise InvalidInput([FieldProblem(HEADER_PATH, "was used for a different request; send a new key", "reused")])
    return record.result


def claim(session: Session, idempotency: Idempotency | None) -> IdempotencyRecord | None:
    """Insert the key's record (flushed, so a concurrent duplicate waits on it); fill ``result`` before commit."""
    if idempotency is None:
        return None
    record = IdempotencyRecord.model_validate(
        {"owner": idempotency.owner, "key": idempotency.key, "operation": idempotency.operation,
         "request_hash": idempotency.request_hash, "result": {}}
    )  # fmt: skip
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(
            "A request with this Idempotency-Key is being handled; send it again to get its outcome."
        ) from None
    return record


def idempotently(
    session: Session,
    idempotency: Idempotency | None,
    write: Callable[[], T],
    replay: Callable[[dict[str, Any]], T],
) -> T:
    """Run ``write`` once per key: a repeated or concurrent request with the key gets ``replay`` of the first."""
    if idempotency is None:
        return write()
    earlier = earlier_result(session, idempotency)
    if earlier is not None:
        return replay(earlier)
    try:
        return write()
    except Conflict:
        earlier = earlier_result(session, idempotency)
        if earlier is None:
            raise
        return replay(earlier)
