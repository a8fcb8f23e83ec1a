"""Observation use cases: record a batch atomically, read latest values as of a date, read a history."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.errors import FieldProblem, InvalidInput
from app.models import Indicator, Instrument, Observation
from app.models.observation import ObservationIn
from app.models.types import stored_id
from app.services.audit import commit_change, flush_change, record_event
from app.services.idempotency import Idempotency, claim
from app.services.observation_views import history_views, latest_views, views_of
from app.services.values import ValueMismatch, to_stored


@dataclass
class _BatchCheck:
    """Checks the rows of one batch against the catalogue and the stored history, gathering every problem."""

    instrument: Instrument
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
        try:
            value = to_stored(indicator, row.value)
        except ValueMismatch as error:
            self._refuse(f"{path}.value", str(error), "value_mismatch")
            return None
        if row.supersedes is not None and (reason := self._supersede_problem(row, indicator)):
            self._refuse(f"{path}.supersedes", reason, "supersedes")
            return None
        return Observation(
            instrument_id=stored_id(self.instrument.id),
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

    def _supersede_problem(self, row: ObservationIn, indicator: Indicator) -> str | None:
        target_id = row.supersedes or 0
        target = self.targets.get(target_id)
        if target is None:
            return f"no observation has the id {target_id}"
        if target.instrument_id != self.instrument.id or target.indicator_id != indicator.id:
            return f"observation {target_id} is of another instrument or indicator"
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
    instrument: Instrument,
    rows: list[ObservationIn],
    actor: str,
    batch: bool,
    idempotency: Idempotency | None = None,
) -> list[dict[str, Any]]:
    """Store every row or none: each row is checked against its indicator and what it supersedes first."""
    claimed = claim(session, idempotency)
    target_ids = [row.supersedes for row in rows if row.supersedes is not None]
    check = _BatchCheck(
        instrument=instrument,
        actor=actor,
        indicators=_indicators_by_key(session, {row.indicator for row in rows}),
        targets=_observations_by_id(session, target_ids),
        corrected=_corrections_of(session, target_ids),
    )
    stored = [check.observation(row, f"body[{index}]" if batch else "body") for index, row in enumerate(rows)]
    if check.problems:
        raise InvalidInput(check.problems)
    session.add_all(stored)
    clash = f"An observation of {instrument.slug!r} was corrected concurrently; retry."
    flush_change(session, clash=clash)
    ids = [stored_id(observation.id) for observation in stored if observation is not None]
    if claimed is not None:
        claimed.result = {"observations": ids}
    record_event(
        session,
        actor=actor,
        action="record_observations",
        entity="instrument",
        entity_key=instrument.slug,
        details={"indicators": sorted({row.indicator for row in rows}), "count": len(rows)},
    )
    commit_change(session, clash=clash)
    return views_of(session, ids=ids, slug=instrument.slug)


def latest_observations(*, session: Session, instrument: Instrument, as_of: date) -> list[dict[str, Any]]:
    """The value of each indicator that held on ``as_of``: the latest dated on or before it, not superseded."""
    return latest_views(session, instrument_id=stored_id(instrument.id), slug=instrument.slug, as_of=as_of)


def observation_history(
    *, session: Session, instrument: Instrument, indicator: Indicator, as_of: date | None
) -> list[dict[str, Any]]:
    """Every observation of one indicator for one instrument, oldest first, corrections included."""
    return history_views(
        session,
        instrument_id=stored_id(instrument.id),
        slug=instrument.slug,
        indicator_id=stored_id(indicator.id),
        as_of=as_of,
    )


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
