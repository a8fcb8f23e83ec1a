"""The engine's input, read from the store: every live instrument's latest values as of a date.

The input of a data revision and day is built once and kept in :class:`~.caches.ScoreCaches`.

Values are the latest observation of each indicator dated on or before the day, corrections applied (a
superseded observation never counts). The encoding is the engine's (see :mod:`scoring.catalogue`): numbers,
percents, booleans (0/1) and ordinal positions are stored that way already; categories become their index.
Evidence is not loaded with the values: an :class:`EvidenceIndex` knows which observation backs each value
and fetches the sources of one instrument when its explanation is asked for.
"""

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlmodel import Session

from app.database import metadata
from app.models import Indicator, Instrument, Observation
from app.services.audit import current_data_revision
from app.services.catalogue import engine_catalogue
from app.services.observation_views import held_on
from app.services.scores.caches import ScoreCaches
from app.services.scores.party_inputs import party_values
from scoring.catalogue import IndicatorSpec
from scoring.engine import EngineInput
from scoring.rollup import PartyValues

INDICATOR = metadata.tables[Indicator.__tablename__]
INSTRUMENT = metadata.tables[Instrument.__tablename__]
OBSERVATION = metadata.tables[Observation.__tablename__]
NO_OBSERVATION = -1


class EvidenceIndex(Mapping[tuple[str, str], Mapping[str, Any]]):
    """Evidence keyed by ``(instrument id, indicator key)``, loaded one instrument at a time on demand."""

    def __init__(self, instruments: tuple[str, ...], indicators: tuple[str, ...], observations: np.ndarray) -> None:
        self._rows = {instrument: row for row, instrument in enumerate(instruments)}
        self._columns = {indicator: column for column, indicator in enumerate(indicators)}
        self._indicators = indicators
        self._observations = observations
        self._loaded: dict[tuple[str, str], Mapping[str, Any]] = {}
        self._lock = threading.Lock()

    @property
    def instruments(self) -> Mapping[str, int]:
        """The instruments of the input, with their rows."""
        return self._rows

    def observation_ids(self, instrument: str) -> dict[str, int]:
        """The observation behind each known value of one instrument, by indicator key."""
        ids = self._observations[self._rows[instrument]]
        return {self._indicators[column]: int(ids[column]) for column in np.flatnonzero(ids != NO_OBSERVATION)}

    def load(self, session: Session, instrument: str) -> None:
        """Fetch the evidence behind one instrument's values (once)."""
        wanted = self.observation_ids(instrument)
        if not wanted or (instrument, next(iter(wanted))) in self._loaded:
            return
        statement = select(
            OBSERVATION.c.id,
            OBSERVATION.c.evidence,
            OBSERVATION.c.confidence,
            OBSERVATION.c.observed_on,
            OBSERVATION.c.period_start,
            OBSERVATION.c.note,
        ).where(OBSERVATION.c.id.in_(list(wanted.values())))
        by_id = {row.id: row for row in session.connection().execute(statement)}
        with self._lock:
            for indicator, observation in wanted.items():
                row = by_id[observation]
                self._loaded[(instrument, indicator)] = {
                    "id": observation,
                    "evidence": row.evidence,
                    "confidence": row.confidence,
                    "as_of": row.observed_on.isoformat(),
                    "period_start": row.period_start.isoformat() if row.period_start else None,
                    "note": row.note,
                }

    def __getitem__(self, key: tuple[str, str]) -> Mapping[str, Any]:
        return self._loaded[key]

    def __contains__(self, key: object) -> bool:
        return key in self._loaded

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(dict(self._loaded))

    def __len__(self) -> int:
        return len(self._loaded)


@dataclass(frozen=True)
class About:
    """What a ranking shows of an instrument beside its score."""

    title: str
    organisation: str
    scope: str
    kind: str


@dataclass(frozen=True)
class ScoringInput:
    """The engine's input for one data revision and day, with the evidence behind its values."""

    revision: int
    as_of: date
    data: EngineInput
    evidence: EvidenceIndex
    about: Mapping[str, About]
    """Title, organisation, scope and kind by instrument id."""


def scoring_input(session: Session, caches: ScoreCaches, as_of: date, *, cached: bool = True) -> ScoringInput:
    """The engine's input for the current data revision and ``as_of`` (cached unless told otherwise)."""
    revision = current_data_revision(session)

    def build() -> ScoringInput:
        catalogue = engine_catalogue(session)
        rows = session.connection().execute(select(INDICATOR.c.key, INDICATOR.c.id))
        ids = {key: identifier for key, identifier in rows}
        instruments = live_instruments(session)
        parties = party_values(session, instruments, catalogue=catalogue, indicator_ids=ids, as_of=as_of)
        data, evidence = engine_input(
            session, instruments, catalogue=catalogue, indicator_ids=ids, as_of=as_of, parties=parties
        )
        about = {row.slug: About(row.title, row.organisation, row.scope, row.kind) for row in instruments}
        return ScoringInput(revision, as_of, data, evidence, about)

    return caches.inputs.get((revision, as_of), build) if cached else build()


def live_instruments(session: Session) -> list[Any]:
    """Every instrument not deleted, by id (slug), with what grouping, filtering and rankings need."""
    statement = (
        select(
            INSTRUMENT.c.id,
            INSTRUMENT.c.slug,
            INSTRUMENT.c.title,
            INSTRUMENT.c.organisation,
            INSTRUMENT.c.scope,
            INSTRUMENT.c.kind,
        )
        .where(INSTRUMENT.c.deleted_at.is_(None))
        .order_by(INSTRUMENT.c.slug)
    )
    return list(session.connection().execute(statement))


def engine_input(
    session: Session,
    instruments: list[Any],
    *,
    catalogue: Mapping[str, IndicatorSpec],
    indicator_ids: Mapping[str, int],
    as_of: date,
    parties: PartyValues | None = None,
) -> tuple[EngineInput, EvidenceIndex]:
    """The instruments' values of every catalogue indicator as of ``as_of``, and their evidence index.

    Instruments are grouped by organisation, for the group imputations of rubrics; ``parties`` holds the
    values of party- and country-level indicators (see :mod:`.party_inputs`).
    """
    keys = tuple(catalogue)
    row_of = {instrument.id: row for row, instrument in enumerate(instruments)}
    column_of = {indicator_ids[key]: column for column, key in enumerate(keys)}
    values = np.full((len(instruments), len(keys)), np.nan)
    observations = np.full((len(instruments), len(keys)), NO_OBSERVATION, dtype=np.int64)
    categories = {column_of[indicator_ids[key]]: spec.categories for key, spec in catalogue.items() if spec.categories}
    for observation, instrument_id, indicator_id, number, text in _latest_values(session, as_of):
        row, column = row_of.get(instrument_id), column_of.get(indicator_id)
        if row is None or column is None:
            continue  # a deleted instrument
        observations[row, column] = observation
        values[row, column] = categories[column].index(text) if column in categories else number
    ids = tuple(instrument.slug for instrument in instruments)
    groups = tuple(instrument.organisation for instrument in instruments)
    evidence = EvidenceIndex(ids, keys, observations)
    return EngineInput(ids, keys, values, evidence, groups, dict(catalogue), parties), evidence


def _latest_values(session: Session, as_of: date) -> Any:
    """(observation, instrument, indicator, number, text) of the value of each pair that held on ``as_of``."""
    values = (
        OBSERVATION.c.instrument_id,
        OBSERVATION.c.indicator_id,
        OBSERVATION.c.value_number,
        OBSERVATION.c.value_text,
    )
    # Facts about an instrument's parties and about countries do not enter the instrument's own columns.
    ranked = held_on(as_of, OBSERVATION.c.party.is_(None), OBSERVATION.c.instrument_id.is_not(None), columns=values)
    columns = (ranked.c.id, ranked.c.instrument_id, ranked.c.indicator_id, ranked.c.value_number, ranked.c.value_text)
    return session.connection().execute(select(*columns).where(ranked.c.position == 1))
