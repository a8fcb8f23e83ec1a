"""Observation use cases: record a batch atomically, read latest values as of a date, read a history."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from sqlmodel import Session, col, select

from app.errors import FieldProblem, InvalidInput
from app.models import Indicator, Instrument, Observation
from app.models.observation import ObservationIn
from app.models.types import stored_id
from app.services.audit import commit_change, flush_change, record_event
from app.services.idempotency import Idempotency, claim
from app.services.observation_views import (
    OBSERVATION,
    history_views,
    latest_country_views,
    latest_views,
    views_of,
)
from app.services.values import ValueMismatch, to_stored


@dataclass(frozen=True)
class Subject:
    """What a batch of observations is about: an instrument (and, row by row, its parties) or a country."""

    instrument: Instrument | None = None
    country: str | None = None

    @property
    def name(self) -> str:
        """The instrument's id or the country's code."""
        return self.instrument.slug if self.instrument is not None else str(self.country)

    @cached_property
    def parties(self) -> frozenset[str]:
        """The codes of the instrument's parties (read once per batch)."""
        return (
            frozenset(party.code for party in self.instrument.parties) if self.instrument is not None else frozenset()
        )

    @property
    def instrument_id(self) -> int | None:
        """The instrument's row id, if the subject is an instrument."""
        return stored_id(self.instrument.id) if self.instrument is not None else None


@dataclass
class _BatchCheck:
    """Checks the rows of one batch against the catalogue and the stored history, gathering every problem."""

    subject: Subject
    actor: str
    indicators: dict[str, Indicator]
    targets: dict[int, Observation]
    corrected: dict[int, int]
    claimed: set[int] = field(default_factory=set)
    problems: list[FieldProblem] = field(default_factory=list)

    def observation(self, row: ObservationIn, path: str) -> Observation | None:
        """Return the row ready to store, or None after noting what is wrong with it."""
        indicator = self.indicators.get(row.indicator)
        if indicator is None:
            self._refuse(f"{path}.indicator", f"no indicator has the key {row.indicator!r}", "not_found")
            return None
        if not self._fits_subject(row, indicator, path):
            return None
        try:
            value = to_stored(indicator, row.value)
        except ValueMismatch as error:
            self._refuse(f"{path}.value", str(error), "value_mismatch")
            return None
        if row.supersedes is not None and (reason := self._supersede_problem(row, indicator)):
            self._refuse(f"{path}.supersedes", reason, "supersedes")
            return None
        return Observation(
            instrument_id=self.subject.instrument_id,
            party=row.party,
            country=self.subject.country,
            indicator_id=stored_id(indicator.id),
            value_number=value.number,
            value_text=value.text,
            observed_on=row.effective_date,
            period_start=row.period_start,
            evidence=row.evidence.model_dump(exclude_none=True),
            confidence=row.confidence.value,
            note=row.note,
            recorded_by=self.actor,
            supersedes_id=row.supersedes,
        )

    def _fits_subject(self, row: ObservationIn, indicator: Indicator, path: str) -> bool:
        """Whether the row is recorded where its indicator's level says, with a party exactly when it needs one."""
        key, level, subject = indicator.key, indicator.level, self.subject
        if level == "country" and subject.instrument is not None:
            self._refuse(
                f"{path}.indicator",
                f"{key} is about a country: record it at /v1/countries/{{code}}/observations",
                "level",
            )
        elif level != "country" and subject.country is not None:
            self._refuse(f"{path}.indicator", f"{key} is about an instrument: record it on the instrument", "level")
        elif level == "party" and row.party is None:
            self._refuse(f"{path}.party", f"{key} is about one party of the instrument: name it", "missing")
        elif level == "party" and row.party not in subject.parties:
            self._refuse(f"{path}.party", f"{row.party} is not a party of {subject.name}", "not_a_party")
        elif level != "party" and row.party is not None:
            self._refuse(f"{path}.party", f"{key} is a fact about the {level} itself: it takes no party", "extra")
        else:
            return True
        return False

    def _supersede_problem(self, row: ObservationIn, indicator: Indicator) -> str | None:
        target_id = row.supersedes or 0
        target = self.targets.get(target_id)
        if target is None:
            return f"no observation has the id {target_id}"
        same_subject = (target.instrument_id, target.country, target.party) == (
            self.subject.instrument_id,
            self.subject.country,
            row.party,
        )
        if not same_subject or target.indicator_id != indicator.id:
            return f"observation {target_id} is of another instrument, party, country or indicator"
        if target_id in self.corrected:
            return f"observation {target_id} is already superseded by {self.corrected[target_id]}; supersede that"
        if (target.observed_on, target.period_start) != (row.effective_date, row.period_start):
            held = f"{target.period_start} to {target.observed_on}" if target.period_start else str(target.observed_on)
            return f"a correction keeps the date of what it corrects: observation {target_id} holds for {held}"
        if target_id in self.claimed:
            return f"another row of this batch already supersedes observation {target_id}"
        self.claimed.add(target_id)
        return None

    def _refuse(self, path: str, message: str, kind: str) -> None:
        self.problems.append(FieldProblem(path, message, kind))


def record_observations(
    *,
    session: Session,
    subject: Subject,
    rows: list[ObservationIn],
    actor: str,
    batch: bool,
    idempotency: Idempotency | None = None,
) -> list[dict[str, Any]]:
    """Store every row or none: each row is checked against its indicator, its subject and what it supersedes."""
    claimed = claim(session, idempotency)
    target_ids = [row.supersedes for row in rows if row.supersedes is not None]
    check = _BatchCheck(
        subject=subject,
        actor=actor,
        indicators=_indicators_by_key(session, {row.indicator for row in rows}),
        targets=_observations_by_id(session, target_ids),
        corrected=_corrections_of(session, target_ids),
    )
    stored = [check.observation(row, f"body[{index}]" if batch else "body") for index, row in enumerate(rows)]
    if check.problems:
        raise InvalidInput(check.problems)
    session.add_all(stored)
    clash = f"An observation of {subject.name!r} was corrected concurrently; retry."
    flush_change(session, clash=clash)
    ids = [stored_id(observation.id) for observation in stored if observation is not None]
    if claimed is not None:
        claimed.result = {"observations": ids}
    record_event(
        session,
        actor=actor,
        action="record_observations",
        entity="instrument" if subject.instrument is not None else "country",
        entity_key=subject.name,
        details={"indicators": sorted({row.indicator for row in rows}), "count": len(rows)},
    )
    commit_change(session, clash=clash)
    return views_of(session, ids=ids, slug=subject.instrument.slug if subject.instrument is not None else None)


def latest_observations(*, session: Session, instrument: Instrument, as_of: date) -> list[dict[str, Any]]:
    """The value of each indicator that held on ``as_of``: the latest dated on or before it, not superseded."""
    return latest_views(session, instrument_id=stored_id(instrument.id), slug=instrument.slug, as_of=as_of)


def latest_country_observations(*, session: Session, country: str, as_of: date) -> list[dict[str, Any]]:
    """The value of each indicator of a country that held on ``as_of``."""
    return latest_country_views(session, country=country, as_of=as_of)


def observation_history(
    *, session: Session, subject: Subject, indicator: Indicator, as_of: date | None
) -> list[dict[str, Any]]:
    """Every observation of one indicator for one subject, oldest first, corrections included."""
    condition = (
        OBSERVATION.c.instrument_id == subject.instrument_id
        if subject.instrument is not None
        else OBSERVATION.c.country == subject.country
    )
    slug = subject.instrument.slug if subject.instrument is not None else None
    return history_views(session, subject=condition, slug=slug, indicator_id=stored_id(indicator.id), as_of=as_of)


def _indicators_by_key(session: Session, keys: set[str]) -> dict[str, Indicator]:
    rows = session.exec(select(Indicator).where(col(Indicator.key).in_(keys))).all()
    return {row.key: row for row in rows}


def _observations_by_id(session: Session, ids: Sequence[int]) -> dict[int, Observation]:
    if not ids:
        return {}
    rows = session.exec(select(Observation).where(col(Observation.id).in_(ids))).all()
    return {row.id: row for row in rows if row.id is not None}


def _corrections_of(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """Map each of ``ids`` that a stored observation already supersedes to the id of that correction."""
    if not ids:
        return {}
    statement = select(Observation.supersedes_id, Observation.id).where(col(Observation.supersedes_id).in_(ids))
    return {target: correction for target, correction in session.exec(statement).all() if target and correction}
