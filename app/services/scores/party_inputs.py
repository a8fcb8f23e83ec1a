"""The engine's party values, read from the store: facts about each instrument's parties, and about countries.

A party fact (``party`` set) counts for its instrument if that state or organisation is one of the
instrument's parties; a country fact counts for every live instrument the country is a party of. Both are the
latest of their subject and indicator as of the day, corrections applied, as for the instrument's own values.
The evidence of each value is loaded with it (party and country facts are few beside an instrument's own).
"""

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import and_, select
from sqlmodel import Session

from app.services.instrument_views import PARTY
from app.services.observation_views import OBSERVATION, held_on
from scoring.catalogue import IndicatorSpec
from scoring.rollup import PartyColumn, PartyValues

_VALUE = (OBSERVATION.c.indicator_id, OBSERVATION.c.value_number, OBSERVATION.c.value_text)
_EVIDENCE = (
    OBSERVATION.c.evidence,
    OBSERVATION.c.confidence,
    OBSERVATION.c.observed_on,
    OBSERVATION.c.period_start,
    OBSERVATION.c.note,
)


def party_values(
    session: Session,
    instruments: list[Any],
    *,
    catalogue: Mapping[str, IndicatorSpec],
    indicator_ids: Mapping[str, int],
    as_of: date,
) -> PartyValues:
    """Each live instrument's parties, and the party and country values of its parties as of ``as_of``."""
    row_of = {instrument.id: row for row, instrument in enumerate(instruments)}
    lists: list[list[str]] = [[] for _ in instruments]
    for instrument_id, code in session.connection().execute(select(PARTY.c.instrument_id, PARTY.c.code)):
        if instrument_id in row_of:
            lists[row_of[instrument_id]].append(code)
    key_of = {identifier: key for key, identifier in indicator_ids.items() if catalogue[key].level != "instrument"}
    cells: dict[str, tuple[list[int], list[str], list[float], list[str | None]]] = defaultdict(lambda: ([], [], [], []))
    evidence: dict[str, Mapping[str, Any]] = {}
    for row in _facts(session, as_of):
        key = key_of.get(row.indicator_id)
        where = row_of.get(row.instrument_id)
        if key is None or where is None:
            continue  # an indicator about instruments, or a deleted instrument
        spec = catalogue[key]
        value = spec.categories.index(row.value_text) if spec.categories else row.value_number
        rows, parties, values, evidence_keys = cells[key]
        rows.append(where)
        parties.append(row.code)
        values.append(float(value))
        evidence_keys.append(str(row.id))
        evidence[str(row.id)] = {
            "id": row.id,
            "evidence": row.evidence,
            "confidence": row.confidence,
            "as_of": row.observed_on.isoformat(),
            "period_start": row.period_start.isoformat() if row.period_start else None,
            "note": row.note,
        }
    columns = {
        key: PartyColumn(np.array(rows, dtype=np.intp), parties, np.array(values), evidence_keys)
        for key, (rows, parties, values, evidence_keys) in cells.items()
    }
    return PartyValues(tuple(tuple(sorted(codes)) for codes in lists), columns, evidence)


def _facts(session: Session, as_of: date) -> Any:
    """(id, instrument, code, indicator, values, evidence...) of every party fact of a party of its instrument,
    and of every country fact once per instrument the country is a party of."""
    about_parties = held_on(as_of, OBSERVATION.c.party.is_not(None), columns=(OBSERVATION.c.instrument_id,
                            OBSERVATION.c.party, *_VALUE, *_EVIDENCE))  # fmt: skip
    about_countries = held_on(as_of, OBSERVATION.c.country.is_not(None), columns=(OBSERVATION.c.country, *_VALUE,
                              *_EVIDENCE))  # fmt: skip
    fields = ("id", "indicator_id", "value_number", "value_text", "evidence", "confidence", "observed_on",
              "period_start", "note")  # fmt: skip
    of_parties = (
        select(
            about_parties.c.instrument_id, about_parties.c.party.label("code"), *(about_parties.c[f] for f in fields)
        )
        .join(
            PARTY, and_(PARTY.c.instrument_id == about_parties.c.instrument_id, PARTY.c.code == about_parties.c.party)
        )
        .where(about_parties.c.position == 1)
    )
    of_countries = (
        select(PARTY.c.instrument_id, about_countries.c.country.label("code"), *(about_countries.c[f] for f in fields))
        .join(PARTY, PARTY.c.code == about_countries.c.country)
        .where(about_countries.c.position == 1)
    )
    return session.connection().execute(of_parties.union_all(of_countries))
