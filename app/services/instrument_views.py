"""The read side of the instrument catalogue: instruments as the API shows them, built by the database.

A page of instruments is one query: the filters run once into a materialised list of matching ids, the
count and the page both read it, and each row of the page comes back as the instrument's JSON (parties and
topics included), which goes into the response untouched. Loading ORM objects and converting them costs
several times more on a page of 100 (see ``benchmarks/bench_api.py``).
"""

from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    BindParameter,
    Boolean,
    ColumnElement,
    DateTime,
    Select,
    Text,
    bindparam,
    cast,
    func,
    or_,
    select,
)
from sqlmodel import Session

from app.database import metadata
from app.models import Instrument, InstrumentTopic, Party
from app.models.instrument import InstrumentPublic, PartyPublic
from app.services.json_sql import (
    json_boolean,
    json_document,
    json_object,
    json_objects,
    json_strings,
    json_timestamp,
)

INSTRUMENT = metadata.tables[Instrument.__tablename__]
PARTY = metadata.tables[Party.__tablename__]
TOPIC = metadata.tables[InstrumentTopic.__tablename__]


def _parties() -> ColumnElement[str]:
    """The instrument's parties as a JSON array of objects, ordered by code."""
    fields = [part for name in PartyPublic.model_fields for part in (name, PARTY.c[name])]
    ordered = (
        select(json_object(*fields).label("party"), PARTY.c.code)
        .where(PARTY.c.instrument_id == INSTRUMENT.c.id)
        .correlate(INSTRUMENT)
        .order_by(PARTY.c.code)
        .subquery()
    )
    return json_document(select(json_objects(ordered.c.party, ordered.c.code)).scalar_subquery())


def _topics() -> ColumnElement[str]:
    """The instrument's topics as a JSON array, in alphabetical order."""
    ordered = (
        select(TOPIC.c.topic)
        .where(TOPIC.c.instrument_id == INSTRUMENT.c.id)
        .correlate(INSTRUMENT)
        .order_by(TOPIC.c.topic)
        .subquery()
    )
    return json_document(select(json_strings(ordered.c.topic, ordered.c.topic)).scalar_subquery())


def _field(name: str) -> ColumnElement[Any]:
    """The instrument column behind a public field, as a JSON value."""
    column = INSTRUMENT.c[name]
    if isinstance(column.type, JSON):
        return json_document(column)
    if isinstance(column.type, Boolean):
        return json_boolean(column)
    if isinstance(column.type, DateTime):
        return json_timestamp(column)
    return column


def _instrument_json() -> ColumnElement[str]:
    """The whole public view of the instrument of each row, as JSON text."""
    computed = {"id": INSTRUMENT.c.slug, "parties": _parties(), "topics": _topics()}
    pairs = []
    for name in InstrumentPublic.model_fields:
        pairs += [name, computed[name] if name in computed else _field(name)]
    return cast(json_object(*pairs), Text).label("item")


_ITEM = _instrument_json()


FILTERS = ("organisation", "scope", "kind", "status", "party", "topic", "q")
"""The list filters, each a bound parameter of the same name in the statements below."""

SORT_COLUMNS: dict[str, ColumnElement[Any]] = {
    "id": INSTRUMENT.c.slug,
    "title": INSTRUMENT.c.title,
    "short_name": INSTRUMENT.c.short_name,
    "adopted": INSTRUMENT.c.adopted,
    "signed": INSTRUMENT.c.signed,
    "in_force": INSTRUMENT.c.in_force,
    "created_at": INSTRUMENT.c.created_at,
    "updated_at": INSTRUMENT.c.updated_at,
}
"""The allow-list of sort keys and the column each sorts by."""


def _condition(name: str) -> ColumnElement[bool]:
    value: BindParameter[Any] = bindparam(name)
    if name == "party":
        return INSTRUMENT.c.id.in_(select(PARTY.c.instrument_id).where(PARTY.c.code == value))
    if name == "topic":
        return INSTRUMENT.c.id.in_(select(TOPIC.c.instrument_id).where(TOPIC.c.topic == value))
    if name == "q":
        searched = (INSTRUMENT.c.title, INSTRUMENT.c.short_name, INSTRUMENT.c.summary, INSTRUMENT.c.slug)
        return or_(*(func.lower(column).like(value, escape="\\") for column in searched))
    return INSTRUMENT.c["legal_status" if name == "status" else name] == value


def matching_conditions(present: frozenset[str]) -> list[ColumnElement[bool]]:
    """Conditions selecting live instruments that match every filter named in ``present``."""
    return [INSTRUMENT.c.deleted_at.is_(None), *(_condition(name) for name in FILTERS if name in present)]


def filter_parameters(given: dict[str, Any]) -> dict[str, Any]:
    """The bound parameters for filter values as given: ``q`` becomes a case-blind LIKE pattern."""
    parameters = {name: value for name, value in given.items() if value is not None}
    if "q" in parameters:
        escaped = parameters["q"].lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        parameters["q"] = f"%{escaped}%"
    return parameters


@lru_cache(maxsize=512)
def _page_statement(present: frozenset[str], sort: str) -> Select[Any]:
    """The page query for one combination of filters and sort, built once and reused with new parameters.

    The filters run once, into a materialised list of matching ids and sort keys; the count and the page
    both read that list, and only the page's rows are widened into JSON.
    """
    descending = sort.startswith("-")
    matching = select(INSTRUMENT.c.id, SORT_COLUMNS[sort.removeprefix("-")].label("sort_key"))
    matched = matching.where(*matching_conditions(present)).cte("matched").prefix_with("MATERIALIZED")
    sort_key = matched.c.sort_key.desc() if descending else matched.c.sort_key.asc()
    ordered = select(matched.c.id, matched.c.sort_key).order_by(sort_key.nulls_last(), matched.c.id)
    page = ordered.offset(bindparam("offset")).limit(bindparam("limit")).subquery("page")
    total = select(func.count()).select_from(matched).scalar_subquery().label("total")
    page_key = page.c.sort_key.desc() if descending else page.c.sort_key.asc()
    return (
        select(_ITEM, total)
        .join_from(INSTRUMENT, page, INSTRUMENT.c.id == page.c.id)
        .order_by(page_key.nulls_last(), page.c.id)
    )


@lru_cache(maxsize=512)
def _count_statement(present: frozenset[str]) -> Select[Any]:
    return select(func.count()).select_from(INSTRUMENT).where(*matching_conditions(present))


def page_of_instruments(
    session: Session, *, filters: dict[str, Any], sort: str, offset: int, limit: int
) -> tuple[list[orjson.Fragment], int]:
    """One page of instruments as JSON fragments ready to send, and how many match in all."""
    parameters = filter_parameters(filters)
    present = frozenset(parameters)
    connection = session.connection()
    rows = connection.execute(_page_statement(present, sort), {**parameters, "offset": offset, "limit": limit}).all()
    if rows:
        return [orjson.Fragment(row.item) for row in rows], rows[0].total
    # Past the last page no row carries the total: count on its own.
    return [], connection.execute(_count_statement(present), parameters).scalar_one()


def instrument_view(session: Session, instrument_id: int) -> dict[str, Any]:
    """One instrument as the API shows it."""
    text = session.connection().execute(select(_ITEM).where(INSTRUMENT.c.id == instrument_id)).scalar_one()
    view: dict[str, Any] = orjson.loads(text)
    return view
