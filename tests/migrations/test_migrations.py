"""Migrations on every database: one head, up and down at every step, no drift from the models, data kept."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.config import Config
from pytest_alembic import MigrationContext
from pytest_alembic.tests import (
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import JSON, text
from sqlalchemy.engine import Engine

from app.database import make_engine
from app.migrations import alembic_config as project_alembic_config
from tests.conftest import DATABASES, empty_database_url

__all__ = [
    "test_model_definitions_match_ddl",
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
]


@pytest.fixture
def alembic_config() -> Config:
    return project_alembic_config()


@pytest.fixture(params=DATABASES)
def alembic_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    for url in empty_database_url(request.param, tmp_path):
        engine = make_engine(url)
        yield engine
        engine.dispose()


INSTRUMENT = text(
    "INSERT INTO instrument (slug, title, short_name, kind, scope, organisation, legal_status,"
    " verification, signed, key_provisions, mechanisms, uncertainties, sources, created_at, updated_at)"
    " VALUES"
    " ('cis-1998', 'Agreement', 'CIS 1998', 'regional_agreement', 'regional', 'CIS', 'in_force',"
    " 'verified', '1998-03', '[]', '[]', '[]', '[]', '2024-01-01', '2024-01-01')"
)
OBSERVATION = text(
    "INSERT INTO observation (instrument_id, indicator_id, value_number, observed_on, evidence, confidence,"
    " recorded_by, recorded_at) SELECT instrument.id, indicator.id, 3, '2020-01-01', '{}', 'high', 'seed',"
    " '2024-01-01' FROM instrument, indicator"
)
INDICATOR_NAMES = "ee4f470a7c24"
"""The revision that names the indicator columns as the engine does (label, min, max, higher and lower)."""
RUBRIC_LABEL = "b8132ec7076a"
"""The revision that drops ``rubric.name``: a rubric is named by its definition's label."""
RUBRIC_DESCRIPTION = "b82b3e0d8d95"
"""The revision that drops ``rubric.description``: a rubric is described by its definition's description."""

FACT_LEVELS = "1002fb0392f2"
"""The revision that gives each indicator its level and moves the values recorded to their subject."""


def test_upgrade_keeps_existing_rows(alembic_runner: MigrationContext, alembic_engine: Engine) -> None:
    first = alembic_runner.history.revisions[1]  # [0] is "base"
    alembic_runner.migrate_up_to(first)
    with alembic_engine.begin() as connection:
        connection.execute(INSTRUMENT)
        connection.execute(text("INSERT INTO party (instrument_id, code) SELECT id, 'UZB' FROM instrument"))

    alembic_runner.migrate_up_to("heads")

    with alembic_engine.connect() as connection:
        row = connection.execute(text("SELECT slug, signed FROM instrument")).one()
        parties = connection.execute(text("SELECT code FROM party")).scalars().all()
    assert tuple(row) == ("cis-1998", "1998-03")
    assert parties == ["UZB"]


def test_indicator_columns_are_renamed_with_their_values_and_back(
    alembic_runner: MigrationContext, alembic_engine: Engine
) -> None:
    alembic_runner.migrate_up_before(INDICATOR_NAMES)
    with alembic_engine.begin() as connection:
        connection.execute(INSTRUMENT)
        connection.execute(
            text(
                "INSERT INTO indicator (key, name, dimension, value_type, min_value, max_value, levels, categories,"
                " direction, sources, created_at, updated_at) VALUES"
                " ('OC01', 'Returns', 'outcomes', 'number', 0, 50, '[]', '[]', 'lower_better', '[]',"
                " '2024-01-01', '2024-01-01'),"
                " ('OC02', 'Return rate', 'outcomes', 'percent', NULL, NULL, '[]', '[]', 'higher_better', '[]',"
                " '2024-01-01', '2024-01-01'),"
                " ('OC03', 'Found present', 'outcomes', 'number', NULL, NULL, '[]', '[]', 'neutral', '[]',"
                " '2024-01-01', '2024-01-01')"
            )
        )
        connection.execute(OBSERVATION)

    alembic_runner.migrate_up_one()
    with alembic_engine.connect() as connection:
        renamed = connection.execute(text('SELECT key, label, "min", "max", direction FROM indicator ORDER BY key'))
        observations = connection.execute(text("SELECT count(*) FROM observation")).scalar_one()
        assert [tuple(row) for row in renamed] == [
            ("OC01", "Returns", 0.0, 50.0, "lower"),
            ("OC02", "Return rate", None, None, "higher"),
            ("OC03", "Found present", None, None, "neutral"),
        ]
    assert observations == 3

    alembic_runner.migrate_down_one()
    with alembic_engine.connect() as connection:
        restored = connection.execute(text("SELECT key, name, min_value, max_value, direction FROM indicator"))
        assert sorted(tuple(row) for row in restored) == [
            ("OC01", "Returns", 0.0, 50.0, "lower_better"),
            ("OC02", "Return rate", None, None, "higher_better"),
            ("OC03", "Found present", None, None, "neutral"),
        ]


def test_rubric_name_gives_way_to_the_drafts_label_and_comes_back_from_it(
    alembic_runner: MigrationContext, alembic_engine: Engine
) -> None:
    alembic_runner.migrate_up_before(RUBRIC_LABEL)
    draft = '{"key": "balanced", "label": "Balanced", "dimensions": []}'
    with alembic_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO rubric (key, name, draft, draft_revision, created_at, updated_at)"
                " VALUES ('balanced', 'An old name', :draft, 2, '2024-01-01', '2024-01-01')"
            ),
            {"draft": draft},
        )
        connection.execute(
            text(
                "INSERT INTO rubric_version (rubric_id, number, definition, author, note, published_at)"
                " SELECT id, 1, draft, 'seed', 'First.', '2024-01-01' FROM rubric"
            )
        )

    alembic_runner.migrate_up_one()
    with alembic_engine.connect() as connection:
        columns = connection.execute(text("SELECT * FROM rubric")).keys()
        versions = connection.execute(text("SELECT number FROM rubric_version")).scalars().all()
    assert ("name" in columns, versions) == (False, [1])

    alembic_runner.migrate_down_one()
    with alembic_engine.connect() as connection:
        restored = connection.execute(text("SELECT key, name FROM rubric")).one()
    assert tuple(restored) == ("balanced", "Balanced")


def test_rubric_description_gives_way_to_the_drafts_and_comes_back_from_it(
    alembic_runner: MigrationContext, alembic_engine: Engine
) -> None:
    alembic_runner.migrate_up_before(RUBRIC_DESCRIPTION)
    rows = [
        {"key": "both", "description": "Equal weights.", "said": "Equal weights."},
        {"key": "column-only", "description": "Said beside the definition.", "said": ""},
        {"key": "neither", "description": None, "said": ""},
    ]
    with alembic_engine.begin() as connection:
        for row in rows:
            draft = json.dumps({"key": row["key"], "label": "L", "description": row["said"], "dimensions": []})
            connection.execute(
                text(
                    "INSERT INTO rubric (key, description, draft, draft_revision, created_at, updated_at)"
                    " VALUES (:key, :description, :draft, 2, '2024-01-01', '2024-01-01')"
                ),
                {"key": row["key"], "description": row["description"], "draft": draft},
            )
        connection.execute(
            text(
                "INSERT INTO rubric_version (rubric_id, number, definition, author, note, published_at)"
                " SELECT id, 1, draft, 'seed', 'First.', '2024-01-01' FROM rubric"
            )
        )

    alembic_runner.migrate_up_one()
    drafts = text("SELECT key, draft, draft_revision FROM rubric ORDER BY key").columns(draft=JSON)
    with alembic_engine.connect() as connection:
        columns = connection.execute(text("SELECT * FROM rubric")).keys()
        upgraded = [(key, draft["description"], revision) for key, draft, revision in connection.execute(drafts)]
        versions = connection.execute(text("SELECT count(*) FROM rubric_version")).scalar_one()
    assert ("description" in columns, versions) == (False, 3)
    assert upgraded == [
        ("both", "Equal weights.", 2),
        ("column-only", "Said beside the definition.", 3),
        ("neither", "", 2),
    ]

    alembic_runner.migrate_down_one()
    with alembic_engine.connect() as connection:
        restored = connection.execute(text("SELECT key, description FROM rubric ORDER BY key")).all()
    assert [tuple(row) for row in restored] == [
        ("both", "Equal weights."),
        ("column-only", "Said beside the definition."),
        ("neither", None),
    ]


def test_facts_move_to_their_level_with_every_value_and_back(
    alembic_runner: MigrationContext, alembic_engine: Engine
) -> None:
    alembic_runner.migrate_up_before(FACT_LEVELS)
    with alembic_engine.begin() as connection:
        connection.execute(INSTRUMENT)
        connection.execute(
            text(
                "INSERT INTO indicator (key, label, dimension, value_type, levels, categories, direction, sources,"
                " created_at, updated_at) VALUES"
                " ('LD01', 'Bindingness', 'legal_design', 'number', '[]', '[]', 'higher', '[]', '2024-01-01',"
                " '2024-01-01'),"
                " ('IM02', 'In force', 'institutional', 'boolean', '[]', '[]', 'higher', '[]', '2024-01-01',"
                " '2024-01-01'),"
                " ('HR05', 'TIP tier', 'safeguards', 'number', '[]', '[]', 'lower', '[]', '2024-01-01', '2024-01-01')"
            )
        )
        connection.execute(OBSERVATION)

    alembic_runner.migrate_up_one()
    facts = text(
        "SELECT indicator.key, indicator.level, observation.instrument_id IS NOT NULL, observation.party,"
        " observation.country, observation.value_number FROM observation JOIN indicator"
        " ON indicator.id = observation.indicator_id ORDER BY indicator.key"
    )
    with alembic_engine.connect() as connection:
        upgraded = [tuple(row) for row in connection.execute(facts)]
    assert upgraded == [
        ("HR05", "country", False, None, "UZB", 3.0),
        ("IM02", "party", True, "UZB", None, 3.0),
        ("LD01", "instrument", True, None, None, 3.0),
    ]

    alembic_runner.migrate_down_one()
    with alembic_engine.connect() as connection:
        restored = connection.execute(
            text(
                "SELECT indicator.key, observation.instrument_id IS NOT NULL FROM observation JOIN indicator"
                " ON indicator.id = observation.indicator_id ORDER BY indicator.key"
            )
        )
        assert [tuple(row) for row in restored] == [("IM02", True), ("LD01", True)]


def test_downgrade_to_base_leaves_no_table(alembic_runner: MigrationContext, alembic_engine: Engine) -> None:
    alembic_runner.migrate_up_to("heads")
    alembic_runner.migrate_down_to("base")

    with alembic_engine.connect() as connection:
        if alembic_engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'table'"
        else:
            query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        tables = set(connection.execute(text(query)).scalars())
    assert tables == {"alembic_version"}
