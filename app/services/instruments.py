"""Instrument use cases: create, read, list, update and soft delete, each audited."""

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, exists, func, or_
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from app.errors import Conflict, InvalidInput, NotFound, problems_from_errors
from app.models import Instrument, InstrumentTopic, Party
from app.models.common import utc_now
from app.models.filters import InstrumentFilters, SortKey
from app.models.instrument import (
    InstrumentBase,
    InstrumentCreate,
    InstrumentPublic,
    InstrumentUpdate,
    PartyIn,
)
from app.services.audit import commit_change, record_event

_SCALAR_FIELDS = tuple(name for name in InstrumentBase.model_fields if name not in {"topics", "sources", "parties"})

SORT_COLUMNS: dict[str, Any] = {
    "id": Instrument.slug,
    "title": Instrument.title,
    "short_name": Instrument.short_name,
    "adopted": Instrument.adopted,
    "signed": Instrument.signed,
    "in_force": Instrument.in_force,
    "created_at": Instrument.created_at,
    "updated_at": Instrument.updated_at,
}


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
    merged = InstrumentPublic.of(instrument).model_dump(include=set(InstrumentBase.model_fields)) | patch
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
    """Soft-delete: the instrument disappears from reads and lists; its history stays stored."""
    instrument.deleted_at = utc_now()
    record_event(session, actor=actor, action="delete", entity="instrument", entity_key=instrument.slug, details={})
    commit_change(session, clash=_clash(instrument.slug))


def list_instruments(*, session: Session, filters: InstrumentFilters) -> tuple[Sequence[Instrument], int]:
    """Return one page of live instruments matching the filters, and the total that match."""
    conditions = instrument_conditions(filters)
    total = session.exec(select(func.count()).select_from(Instrument).where(*conditions)).one()
    statement = (
        select(Instrument)
        .where(*conditions)
        .order_by(*_ordering(filters.sort))
        .offset(filters.offset)
        .limit(filters.limit)
        .options(selectinload(Instrument.parties), selectinload(Instrument.topic_rows))  # type: ignore[arg-type]
    )
    return session.exec(statement).all(), total


def instrument_conditions(filters: InstrumentFilters) -> list[ColumnElement[bool]]:
    """Translate list filters into SQL conditions on live instruments."""
    conditions: list[ColumnElement[bool]] = [col(Instrument.deleted_at).is_(None)]
    for name in ("organisation", "scope", "kind"):
        if (wanted := getattr(filters, name)) is not None:
            conditions.append(getattr(Instrument, name) == wanted)
    if filters.status is not None:
        conditions.append(col(Instrument.legal_status) == filters.status)
    if filters.party is not None:
        conditions.append(exists().where(col(Party.instrument_id) == Instrument.id, col(Party.code) == filters.party))
    if filters.topic is not None:
        conditions.append(
            exists().where(
                col(InstrumentTopic.instrument_id) == Instrument.id, col(InstrumentTopic.topic) == filters.topic
            )
        )
    if filters.q:
        needle = filters.q.lower()
        searched = (Instrument.title, Instrument.short_name, Instrument.summary, Instrument.slug)
        conditions.append(or_(*(func.lower(column).contains(needle, autoescape=True) for column in searched)))
    return conditions


def _ordering(sort: SortKey) -> list[Any]:
    descending = sort.startswith("-")
    column = SORT_COLUMNS[sort.removeprefix("-")]
    primary = column.desc().nulls_last() if descending else column.asc().nulls_last()
    return [primary, Instrument.id]


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
