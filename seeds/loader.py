"""Load the seed data through the services the API uses, so it is validated and audited like any client's.

Loading is idempotent: what is stored already and unchanged is left alone, and a second run reports that
nothing changed. A changed instrument or indicator is updated in place (its audit trail records the change);
a changed observation is never overwritten: a new observation supersedes the current one for the same date.
An observation counts as unchanged when the last value the seed recorded for that date is the seed's value,
so a correction someone made through the API since is not undone by the next load. A changed rubric gets a
new draft and a new published version.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import Indicator, Instrument, Observation, Rubric
from app.models.indicator import IndicatorBase, IndicatorCreate, IndicatorPublic, IndicatorUpdate
from app.models.instrument import InstrumentBase, InstrumentCreate, InstrumentUpdate
from app.models.observation import ObservationIn
from app.models.rubric import DraftUpdate
from app.models.types import stored_id
from app.services import indicators, instruments, observations, rubrics
from app.services.catalogue import engine_catalogue
from app.services.values import to_stored
from seeds.files import RubricSeed, SeedData

ACTOR = "seed"
"""The actor named in the audit trail and in ``recorded_by`` for everything the seed stores."""

DEFAULT_RUBRIC = "balanced"
"""The rubric made the default when no default exists yet."""

KINDS = ("instruments", "indicators", "observations", "rubrics")


@dataclass
class Tally:
    """What happened to the items of one kind."""

    created: int = 0
    unchanged: int = 0
    updated: int = 0


@dataclass
class SeedReport:
    """The outcome of one load, per kind of item, and what was left alone and why."""

    tallies: dict[str, Tally] = field(default_factory=lambda: {kind: Tally() for kind in KINDS})
    skipped: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the load stored anything."""
        return any(tally.created or tally.updated for tally in self.tallies.values())

    def lines(self) -> list[str]:
        """The report as short lines for a terminal."""
        lines = [
            f"{kind}: {tally.created} created, {tally.unchanged} unchanged, {tally.updated} updated"
            for kind, tally in self.tallies.items()
        ]
        lines += [f"skipped: {reason}" for reason in self.skipped]
        lines.append("Seed data stored." if self.changed else "Nothing changed: the database holds the seed data.")
        return lines


def is_empty(session: Session) -> bool:
    """Whether the database holds no instrument, indicator, observation or rubric at all (deleted ones count)."""
    tables: tuple[type[Any], ...] = (Instrument, Indicator, Observation, Rubric)
    return all(session.exec(select(func.count()).select_from(table)).one() == 0 for table in tables)


def load_seeds(session: Session, data: SeedData, *, actor: str = ACTOR) -> SeedReport:
    """Store the seed data that is missing or changed, through the services; return what happened."""
    report = SeedReport()
    for indicator in data.indicators:
        _load_indicator(session, indicator, actor, report.tallies["indicators"])
    for instrument in data.instruments:
        _load_instrument(session, instrument, actor, report)
    for slug, rows in data.observations.items():
        stored = session.exec(select(Instrument).where(Instrument.slug == slug)).first()
        if stored is None or stored.deleted_at is not None:
            report.skipped.append(f"{len(rows)} observations of the deleted instrument {slug!r}")
            continue
        _load_observations(session, observations.Subject(instrument=stored), rows, actor, report)
    for code, rows in data.countries.items():
        _load_observations(session, observations.Subject(country=code), rows, actor, report)
    for seed in data.rubrics:
        _load_rubric(session, seed, actor, report.tallies["rubrics"])
    _ensure_default(session, actor)
    return report


def _load_indicator(session: Session, seed: IndicatorCreate, actor: str, tally: Tally) -> None:
    row = session.exec(select(Indicator).where(Indicator.key == seed.key)).first()
    if row is None:
        indicators.create_indicator(session=session, data=seed, actor=actor)
        tally.created += 1
        return
    fields = set(IndicatorBase.model_fields)
    stored = IndicatorPublic.of(row).model_dump(include=fields, mode="json")
    wanted = seed.model_dump(include=fields, mode="json")
    changes = {name: value for name, value in wanted.items() if stored[name] != value}
    if not changes:
        tally.unchanged += 1
        return
    indicators.update_indicator(
        session=session, indicator=row, changes=IndicatorUpdate.model_validate(changes), actor=actor
    )
    tally.updated += 1


def _load_instrument(session: Session, seed: InstrumentCreate, actor: str, report: SeedReport) -> None:
    tally = report.tallies["instruments"]
    row = session.exec(select(Instrument).where(Instrument.slug == seed.id)).first()
    if row is None:
        instruments.create_instrument(session=session, data=seed, actor=actor)
        tally.created += 1
        return
    if row.deleted_at is not None:
        report.skipped.append(f"instrument {seed.id!r} was deleted; the seed does not bring it back")
        return
    shown = instruments.show_instrument(session=session, instrument=row)
    stored = _comparable(InstrumentBase.model_validate({name: shown[name] for name in InstrumentBase.model_fields}))
    wanted = _comparable(seed)
    changes = {name: value for name, value in wanted.items() if stored[name] != value}
    if not changes:
        tally.unchanged += 1
        return
    instruments.update_instrument(
        session=session, instrument=row, changes=InstrumentUpdate.model_validate(changes), actor=actor
    )
    tally.updated += 1


def _comparable(instrument: InstrumentBase) -> dict[str, Any]:
    """The fields a client sets, in the order the service stores lists (topics sorted, parties by code)."""
    fields = instrument.model_dump(include=set(InstrumentBase.model_fields), mode="json")
    fields["topics"] = sorted(set(fields["topics"]))
    fields["parties"] = sorted(fields["parties"], key=lambda party: party["code"])
    return fields


_DateKey = tuple[int, str | None, date, date | None]


def _load_observations(
    session: Session, subject: observations.Subject, rows: list[ObservationIn], actor: str, report: SeedReport
) -> None:
    tally = report.tallies["observations"]
    catalogue = {row.key: row for row in session.exec(select(Indicator)).all()}
    of_subject = (
        Observation.instrument_id == subject.instrument_id
        if subject.instrument is not None
        else Observation.country == subject.country
    )
    stored = session.exec(select(Observation).where(of_subject)).all()
    current = _latest_by_date(stored, lambda observation: True, skip_superseded=True)
    seeded = _latest_by_date(stored, lambda observation: observation.recorded_by == actor, skip_superseded=False)
    pending: list[ObservationIn] = []
    for row in rows:
        indicator = catalogue[row.indicator]
        key = (stored_id(indicator.id), row.party, row.effective_date, row.period_start)
        previous = seeded.get(key)
        if previous is not None and _same(previous, row, indicator):
            tally.unchanged += 1
            continue
        target = current.get(key)
        pending.append(row if target is None else row.model_copy(update={"supersedes": target.id}))
        if target is None:
            tally.created += 1
        else:
            tally.updated += 1
    if pending:
        observations.record_observations(session=session, subject=subject, rows=pending, actor=actor, batch=True)


def _latest_by_date(stored: Iterable[Observation], keep: Any, *, skip_superseded: bool) -> dict[_DateKey, Observation]:
    """The most recently recorded observation per indicator and date among those ``keep`` accepts."""
    superseded = {observation.supersedes_id for observation in stored if observation.supersedes_id is not None}
    latest: dict[_DateKey, Observation] = {}
    for observation in sorted(stored, key=lambda item: stored_id(item.id)):
        if not keep(observation) or (skip_superseded and observation.id in superseded):
            continue
        key = (observation.indicator_id, observation.party, observation.observed_on, observation.period_start)
        latest[key] = observation
    return latest


def _same(stored: Observation, row: ObservationIn, indicator: Indicator) -> bool:
    value = to_stored(indicator, row.value)
    return (
        (stored.value_number, stored.value_text) == (value.number, value.text)
        and stored.evidence == row.evidence.model_dump(exclude_none=True)
        and stored.confidence == row.confidence.value
        and stored.note == row.note
    )


def _load_rubric(session: Session, seed: RubricSeed, actor: str, tally: Tally) -> None:
    key = seed.rubric.key
    rubric = session.exec(select(Rubric).where(Rubric.key == key)).first()
    if rubric is None:
        rubric = rubrics.create_rubric(session=session, data=seed.rubric, actor=actor)
        rubrics.publish(session=session, rubric=rubric, data=seed.publish, revision=rubric.draft_revision, actor=actor)
        tally.created += 1
        return
    definition = rubrics.checked_definition(seed.rubric.definition, engine_catalogue(session), key=key)
    versions = rubrics.versions_of(session=session, rubric=rubric)
    if versions and versions[-1].definition == definition:
        tally.unchanged += 1
        return
    draft = DraftUpdate(definition=seed.rubric.definition)
    rubric = rubrics.update_draft(
        session=session, rubric=rubric, data=draft, revision=rubric.draft_revision, actor=actor
    )
    # A seeded rubric that is the default stays the default in its new version.
    was_default = rubrics.default_version_id(session) in {version.id for version in versions}
    publication = seed.publish.model_copy(update={"make_default": seed.publish.make_default or was_default})
    rubrics.publish(session=session, rubric=rubric, data=publication, revision=rubric.draft_revision, actor=actor)
    tally.updated += 1


def _ensure_default(session: Session, actor: str) -> None:
    """Make the latest version of the default rubric the default, if nothing is the default yet."""
    if rubrics.default_version_id(session) is not None:
        return
    rubric = session.exec(select(Rubric).where(Rubric.key == DEFAULT_RUBRIC)).first()
    if rubric is None:
        return
    versions = rubrics.versions_of(session=session, rubric=rubric)
    if versions:
        rubrics.set_default(session=session, rubric=rubric, number=versions[-1].number, actor=actor)
