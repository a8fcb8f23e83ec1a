"""The read side of observations: values as the API shows them, straight from SQL rows.

As with instruments, reads skip the ORM and build JSON-ready dicts; one function renders every observation
the API returns, whether just recorded, the latest as of a date, or part of a history.
"""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, bindparam, exists, func, select
from sqlmodel import Session

from app.database import metadata
from app.models import Indicator, Observation
from app.models.common import as_utc_text
from app.models.types import ValueType

OBSERVATION = metadata.tables[Observation.__tablename__]
INDICATOR = metadata.tables[Indicator.__tablename__]
_EVIDENCE_FIELDS = ("title", "url", "locator", "published")
_SHOWN = [
    OBSERVATION.c.id,
    OBSERVATION.c.party,
    OBSERVATION.c.country,
    OBSERVATION.c.value_number,
    OBSERVATION.c.value_text,
    OBSERVATION.c.observed_on,
    OBSERVATION.c.period_start,
    OBSERVATION.c.evidence,
    OBSERVATION.c.confidence,
    OBSERVATION.c.note,
    OBSERVATION.c.supersedes_id,
    OBSERVATION.c.recorded_by,
    OBSERVATION.c.recorded_at,
    INDICATOR.c.key,
    INDICATOR.c.value_type,
    INDICATOR.c.levels,
]


def shown_value(value_type: str, levels: list[str], number: float | None, text: str | None) -> tuple[Any, str | None]:
    """An observation's value as the API shows it, and the label of an ordinal level."""
    if value_type == ValueType.category:
        return text, None
    if value_type == ValueType.boolean:
        return bool(number), None
    if value_type == ValueType.ordinal and number is not None:
        position = int(number)
        return position, levels[position] if position < len(levels) else None
    return number, None


def observation_view(
    row: Mapping[Any, Any], instrument_slug: str | None, superseded_by: int | None = None
) -> dict[str, Any]:
    """Render one observation (a row of the shown columns) as the API returns it; a country's has no instrument."""
    value, label = shown_value(row["value_type"], row["levels"], row["value_number"], row["value_text"])
    observed_on: date = row["observed_on"]
    start: date | None = row["period_start"]
    evidence = row["evidence"]
    return {
        "id": row["id"],
        "instrument": instrument_slug,
        "party": row["party"],
        "country": row["country"],
        "indicator": row["key"],
        "value": value,
        "value_label": label,
        "as_of": observed_on.isoformat() if start is None else None,
        "period_start": start.isoformat() if start is not None else None,
        "period_end": observed_on.isoformat() if start is not None else None,
        "evidence": {name: evidence.get(name) for name in _EVIDENCE_FIELDS},
        "confidence": row["confidence"],
        "note": row["note"],
        "supersedes": row["supersedes_id"],
        "superseded_by": superseded_by,
        "recorded_by": row["recorded_by"],
        "recorded_at": as_utc_text(row["recorded_at"]),
    }


def _shown_observations() -> Select[Any]:
    return select(*_SHOWN).join_from(OBSERVATION, INDICATOR, INDICATOR.c.id == OBSERVATION.c.indicator_id)


def held_on(as_of: Any, *conditions: ColumnElement[bool], columns: Sequence[Any] = ()) -> Subquery:
    """Observations ranked newest first per subject (instrument, party of an instrument, or country) and
    indicator, among those dated on or before ``as_of`` and not superseded: the row with ``position`` 1 is the
    value that held on that day."""
    correction = OBSERVATION.alias("correction")
    newest_first = (OBSERVATION.c.observed_on.desc(), OBSERVATION.c.recorded_at.desc(), OBSERVATION.c.id.desc())
    pair = (OBSERVATION.c.instrument_id, OBSERVATION.c.party, OBSERVATION.c.country, OBSERVATION.c.indicator_id)
    position = func.row_number().over(partition_by=pair, order_by=newest_first).label("position")
    not_superseded = ~exists().where(correction.c.supersedes_id == OBSERVATION.c.id)
    statement = select(OBSERVATION.c.id, *columns, position)
    return statement.where(OBSERVATION.c.observed_on <= as_of, not_superseded, *conditions).subquery()


def _latest_statement(subject: ColumnElement[bool]) -> Select[Any]:
    """The latest value of each indicator of one subject as of ``:as_of`` (built once, reused)."""
    ranked = held_on(bindparam("as_of"), subject)
    return (
        _shown_observations()
        .join(ranked, ranked.c.id == OBSERVATION.c.id)
        .where(ranked.c.position == 1)
        .order_by(INDICATOR.c.key, OBSERVATION.c.party)
    )


_LATEST = _latest_statement(OBSERVATION.c.instrument_id == bindparam("instrument_id"))
_LATEST_OF_COUNTRY = _latest_statement(OBSERVATION.c.country == bindparam("country"))


def latest_views(session: Session, *, instrument_id: int, slug: str, as_of: date) -> list[dict[str, Any]]:
    """The value of each indicator (and party) that held on ``as_of``: the latest dated on or before it."""
    rows = session.connection().execute(_LATEST, {"instrument_id": instrument_id, "as_of": as_of}).mappings()
    return [observation_view(row, slug) for row in rows]


def latest_country_views(session: Session, *, country: str, as_of: date) -> list[dict[str, Any]]:
    """The value of each indicator of a country that held on ``as_of``."""
    rows = session.connection().execute(_LATEST_OF_COUNTRY, {"country": country, "as_of": as_of}).mappings()
    return [observation_view(row, None) for row in rows]


def history_views(
    session: Session, *, subject: ColumnElement[bool], slug: str | None, indicator_id: int, as_of: date | None
) -> list[dict[str, Any]]:
    """Every observation of one indicator for one subject, oldest first, corrections included."""
    correction = OBSERVATION.alias("correction")
    statement = (
        _shown_observations()
        .add_columns(correction.c.id.label("superseded_by"))
        .outerjoin(correction, correction.c.supersedes_id == OBSERVATION.c.id)
        .where(subject, OBSERVATION.c.indicator_id == indicator_id)
        .order_by(OBSERVATION.c.observed_on, OBSERVATION.c.recorded_at, OBSERVATION.c.id)
    )
    if as_of is not None:
        statement = statement.where(OBSERVATION.c.observed_on <= as_of)
    rows = session.connection().execute(statement).mappings()
    return [observation_view(row, slug, row["superseded_by"]) for row in rows]


def views_of(session: Session, *, ids: list[int], slug: str | None) -> list[dict[str, Any]]:
    """The observations with these ids, in the order given."""
    rows = session.connection().execute(_shown_observations().where(OBSERVATION.c.id.in_(ids))).mappings()
    by_id = {row["id"]: observation_view(row, slug) for row in rows}
    return [by_id[identifier] for identifier in ids]
