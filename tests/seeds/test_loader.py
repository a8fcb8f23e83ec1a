"""Loading the seed data through the services: idempotent, append-only, and a first ranking that makes sense."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from app.models import AuditEvent, Indicator, Instrument, Observation, RubricVersion
from app.services.catalogue import engine_catalogue
from app.services.rubrics import checked_definition, default_version_id
from app.services.values import to_stored
from seeds.files import DEFAULT_PATH, RubricSeed, SeedData, read_seeds
from seeds.loader import ACTOR, is_empty, load_seeds

SEED = read_seeds(DEFAULT_PATH)


def dump(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    tables = {}
    for table in SQLModel.metadata.sorted_tables:
        statement = sa_select(table).order_by(*table.primary_key.columns)
        tables[table.name] = [tuple(row) for row in session.execute(statement).all()]
    return tables


def test_an_empty_database_is_seeded_whole(session: Session) -> None:
    assert is_empty(session)
    report = load_seeds(session, SEED)
    created = {kind: tally.created for kind, tally in report.tallies.items()}
    assert created == {"instruments": 39, "indicators": 40, "observations": SEED.observation_count(), "rubrics": 3}
    assert not is_empty(session)
    actors = set(session.exec(select(AuditEvent.actor)).all())
    assert actors == {ACTOR}


def test_every_seeded_observation_fits_its_indicator(session: Session) -> None:
    load_seeds(session, SEED)
    catalogue = {row.key: row for row in session.exec(select(Indicator)).all()}
    for rows in SEED.observations.values():
        for row in rows:
            to_stored(catalogue[row.indicator], row.value)
    stored = session.exec(select(Observation)).all()
    assert len(stored) == SEED.observation_count()


def test_every_rubric_validates_against_the_seeded_catalogue(session: Session) -> None:
    load_seeds(session, SEED)
    catalogue = engine_catalogue(session)
    for seed in SEED.rubrics:
        checked_definition(seed.rubric.definition, catalogue, key=seed.rubric.key)
    assert default_version_id(session) is not None


def test_a_second_load_changes_nothing_and_says_so(session: Session) -> None:
    load_seeds(session, SEED)
    before = dump(session)
    report = load_seeds(session, SEED)
    assert not report.changed
    assert {kind: (tally.created, tally.updated) for kind, tally in report.tallies.items()} == {
        kind: (0, 0) for kind in report.tallies
    }
    assert report.lines()[-1] == "Nothing changed: the database holds the seed data."
    assert dump(session) == before


def changed_value(data: SeedData, slug: str, indicator: str, value: object) -> SeedData:
    rows = [
        row.model_copy(update={"value": value}) if row.indicator == indicator else row
        for row in data.observations[slug]
    ]
    return SeedData(data.instruments, data.indicators, {**data.observations, slug: rows}, data.rubrics)


def test_a_changed_default_rubric_is_published_again_and_stays_the_default(session: Session) -> None:
    load_seeds(session, SEED)
    rubrics = []
    for seed in SEED.rubrics:
        if seed.rubric.key == "balanced":
            definition = {**seed.rubric.definition, "grading": {"min_coverage": 0.75}}
            seed = RubricSeed(seed.rubric.model_copy(update={"definition": definition}), seed.publish)
        rubrics.append(seed)

    report = load_seeds(session, SeedData(SEED.instruments, SEED.indicators, SEED.observations, rubrics))

    assert report.tallies["rubrics"].updated == 1
    default = session.get(RubricVersion, default_version_id(session))
    assert default is not None
    assert (default.number, default.definition["grading"]) == (2, {"min_coverage": 0.75})


def test_a_changed_seed_value_appends_a_superseding_observation(session: Session) -> None:
    load_seeds(session, SEED)
    slug = "cis-illegal-migration-agreement-1998"
    report = load_seeds(session, changed_value(SEED, slug, "HR02", False))
    assert (report.tallies["observations"].created, report.tallies["observations"].updated) == (0, 1)
    instrument = session.exec(select(Instrument).where(Instrument.slug == slug)).one()
    indicator = session.exec(select(Indicator).where(Indicator.key == "HR02")).one()
    rows = session.exec(
        select(Observation)
        .where(Observation.instrument_id == instrument.id, Observation.indicator_id == indicator.id)
        .order_by(col(Observation.id))
    ).all()
    assert [(row.value_number, row.supersedes_id) for row in rows] == [(1.0, None), (0.0, rows[0].id)]
    assert rows[0].observed_on == rows[1].observed_on


@pytest.mark.parametrize("slug", ["cis-illegal-migration-agreement-1998", "un-som-protocol-2000"])
def test_after_seeding_the_ranking_lists_every_instrument_and_explanations_name_evidence(
    session: Session, client: TestClient, slug: str
) -> None:
    load_seeds(session, SEED)
    ranking = client.get("/v1/scores", params={"limit": 50}).json()
    assert ranking["rubric"]["key"] == "balanced"
    assert ranking["total"] == 39
    for item in ranking["items"]:
        assert (item["score"] is None) != (item["insufficient_data"] is None)
    score = client.get(f"/v1/instruments/{slug}/score").json()
    assert score["score"] is not None
    cited = {
        observation["evidence"]["title"]
        for criterion in score["criteria"]
        for observation in criterion["observations"].values()
    }
    expected = {row.evidence.title for row in SEED.observations[slug]}
    assert cited
    assert cited <= expected
