"""Instrument use cases: create, read, list, update and soft delete, each audited."""

from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.errors import Conflict, InvalidInput, NotFound, problems_from_errors
from app.models import Instrument, InstrumentTopic, Party
from app.models.common import utc_now
from app.models.filters import InstrumentFilters
from app.models.instrument import InstrumentBase, InstrumentCreate, InstrumentUpdate, PartyIn
from app.models.types import stored_id
from app.services.audit import commit_change, record_event
from app.services.instrument_views import FILTERS, instrument_view, page_of_instruments

_SCALAR_FIELDS = tuple(name for name in InstrumentBase.model_fields if name not in {"topics", "sources", "parties"})


def get_instrument(*, session: Session, slug: str) -> Instrument:
    """Return the live instrument with this public id, or raise NotFound."""
    statement = select(Instrument).where(Instrument.slug == slug, col(Instrument.deleted_at).is_(None))
    instrument = session.exec(statement).first()
    if instrument is None:
        raise NotFound(f"No instrument has the id {slug!r}.")
    return instrument


def create_instrument(*, session: Session, data: InstrumentCreate, actor: str) -> Instrument:
    """Store a new instrument with its parties and topics."""
    if session.exec(select(Instrument.id).where(Instrument.slug == data.id)).first() is not None:
        raise Conflict(f"An instrument with the id {data.id!r} exists already (perhaps deleted).")
    instrument = Instrument(slug=data.id, **_stored_fields(data))
    _apply_parties(instrument, data.parties)
    _apply_topics(instrument, data.topics)
    session.add(instrument)
    record_event(
        session,
        actor=actor,
        action="create",
        entity="instrument",
        entity_key=data.id,
        details=_audit_view(data),
    )
    commit_change(session, clash=_clash(data.id))
    return instrument


def update_instrument(*, session: Session, instrument: Instrument, changes: InstrumentUpdate, actor: str) -> Instrument:
    """Apply a partial update; the result must be as valid as a new instrument would be."""
    patch = changes.model_dump(exclude_unset=True)
    stored = instrument_view(session, stored_id(instrument.id))
    merged = {name: stored[name] for name in InstrumentBase.model_fields} | patch
    try:
        valid = InstrumentBase.model_validate(merged)
    except ValidationError as error:
        raise InvalidInput(problems_from_errors(error.errors(), prefix=("body",))) from None
    for name in _SCALAR_FIELDS:
        setattr(instrument, name, _stored_value(getattr(valid, name)))
    instrument.sources = [source.model_dump() for source in valid.sources]
    _apply_parties(instrument, valid.parties)
    _apply_topics(instrument, valid.topics)
    instrument.updated_at = utc_now()
    record_event(
        session,
        actor=actor,
        action="update",
        entity="instrument",
        entity_key=instrument.slug,
        details={"changed": sorted(patch)},
    )
    commit_change(session, clash=_clash(instrument.slug))
    return instrument


def delete_instrument(*, session: Session, instrument: Instrument, actor: str) -> None:
    """Soft-delete: the instrument disappears from reads and lists; its history stays stored.

    The UPDATE only touches a live row, so of concurrent deletions exactly one succeeds; the others get 404.
    """
    deleting = (
        update(Instrument)
        .where(col(Instrument.id) == instrument.id, col(Instrument.deleted_at).is_(None))
        .values(deleted_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    if session.execute(deleting).rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise NotFound(f"No instrument has the id {instrument.slug!r}.")
    record_event(session, actor=actor, action="delete", entity="instrument", entity_key=instrument.slug, details={})
    commit_change(session, clash=_clash(instrument.slug))


def list_instruments(*, session: Session, filters: InstrumentFilters) -> tuple[list[orjson.Fragment], int]:
    """Return one page of live instruments matching the filters, as the API shows them, and the total."""
    return page_of_instruments(
        session,
        filters=filters.model_dump(include=set(FILTERS)),
        sort=filters.sort,
        offset=filters.offset,
        limit=filters.limit,
    )


def show_instrument(*, session: Session, instrument: Instrument) -> dict[str, Any]:
    """The instrument as the API shows it."""
    return instrument_view(session, stored_id(instrument.id))


def _stored_fields(data: InstrumentBase) -> dict[str, Any]:
    fields = {name: _stored_value(getattr(data, name)) for name in _SCALAR_FIELDS}
    fields["sources"] = [source.model_dump() for source in data.sources]
    return fields


def _stored_value(value: Any) -> Any:
    return str(value) if hasattr(value, "value") else value


def _apply_parties(instrument: Instrument, parties: list[PartyIn]) -> None:
    """Make the stored parties equal to ``parties``, updating rows in place to keep the unique key happy."""
    existing = {party.code: party for party in instrument.parties}
    wanted = {party.code: party for party in parties}
    for code, party in existing.items():
        if code not in wanted:
            instrument.parties.remove(party)
    for code, data in wanted.items():
        row = existing.get(code)
        if row is None:
            instrument.parties.append(Party(**data.model_dump()))
        else:
            for name, value in data.model_dump().items():
                setattr(row, name, value)


def _apply_topics(instrument: Instrument, topics: list[str]) -> None:
    existing = {row.topic: row for row in instrument.topic_rows}
    for topic, row in existing.items():
        if topic not in topics:
            instrument.topic_rows.remove(row)
    for topic in dict.fromkeys(topics):
        if topic not in existing:
            # the relationship fills instrument_id when the session flushes
            instrument.topic_rows.append(InstrumentTopic(topic=topic))  # type: ignore[call-arg]


def _audit_view(data: InstrumentCreate) -> dict[str, Any]:
    return {"title": data.title, "parties": [party.code for party in data.parties]}


def _clash(slug: str) -> str:
    return f"The instrument {slug!r} clashes with stored data (a concurrent change?)."
