"""instruments, parties, indicators, observations, audit events

Revision ID: 9394ca701a51
Revises:
Create Date: 2026-11-28 01:43:27.746917
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = "9394ca701a51"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_key", sa.String(length=120), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_entity_key"), ["entity_key"], unique=False)

    op.create_table(
        "data_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_revision")),
    )
    op.execute("INSERT INTO data_revision (id, revision) VALUES (1, 0)")
    op.create_table(
        "indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("dimension", sa.String(length=120), nullable=False),
        sa.Column("description", sa.String(length=10000), nullable=True),
        sa.Column("value_type", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=300), nullable=True),
        sa.Column("min_value", sa.Float(), nullable=True),
        sa.Column("max_value", sa.Float(), nullable=True),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
        sa.UniqueConstraint("key", name=op.f("uq_indicator_key")),
    )
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_dimension"), ["dimension"], unique=False)

    op.create_table(
        "instrument",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("short_name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("organisation", sa.String(length=20), nullable=False),
        sa.Column("legal_status", sa.String(length=60), nullable=False),
        sa.Column("binding", sa.Boolean(), nullable=True),
        sa.Column("adopted", sa.String(length=10), nullable=True),
        sa.Column("signed", sa.String(length=10), nullable=True),
        sa.Column("in_force", sa.String(length=10), nullable=True),
        sa.Column("ended", sa.String(length=10), nullable=True),
        sa.Column("place", sa.String(length=1000), nullable=True),
        sa.Column("summary", sa.String(length=10000), nullable=True),
        sa.Column("party_count", sa.Integer(), nullable=True),
        sa.Column("verification", sa.String(length=30), nullable=False),
        sa.Column("key_provisions", sa.JSON(), nullable=False),
        sa.Column("mechanisms", sa.JSON(), nullable=False),
        sa.Column("uncertainties", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument")),
        sa.UniqueConstraint("slug", name=op.f("uq_instrument_slug")),
    )
    with op.batch_alter_table("instrument", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instrument_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_instrument_legal_status"), ["legal_status"], unique=False)
        batch_op.create_index(batch_op.f("ix_instrument_organisation"), ["organisation"], unique=False)
        batch_op.create_index(batch_op.f("ix_instrument_scope"), ["scope"], unique=False)

    op.create_table(
        "instrument_topic",
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instrument.id"],
            name=op.f("fk_instrument_topic_instrument_id_instrument"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instrument_id", "topic", name=op.f("pk_instrument_topic")),
    )
    with op.batch_alter_table("instrument_topic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instrument_topic_topic"), ["topic"], unique=False)

    op.create_table(
        "observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("value_number", sa.Float(), nullable=True),
        sa.Column("value_text", sa.String(length=120), nullable=True),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("confidence", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=10000), nullable=True),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicator.id"], name=op.f("fk_observation_indicator_id_indicator")
        ),
        sa.ForeignKeyConstraint(
            ["instrument_id"], ["instrument.id"], name=op.f("fk_observation_instrument_id_instrument")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["observation.id"], name=op.f("fk_observation_supersedes_id_observation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_observation_supersedes_id")),
    )
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_observation_indicator_id"), ["indicator_id"], unique=False)
        batch_op.create_index(
            "ix_observation_instrument_indicator_date",
            ["instrument_id", "indicator_id", "observed_on"],
            unique=False,
        )

    op.create_table(
        "party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("signed", sa.String(length=10), nullable=True),
        sa.Column("ratified", sa.String(length=10), nullable=True),
        sa.Column("in_force", sa.String(length=10), nullable=True),
        sa.Column("reservations", sa.String(length=10000), nullable=True),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instrument.id"],
            name=op.f("fk_party_instrument_id_instrument"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party")),
        sa.UniqueConstraint("instrument_id", "code", name=op.f("uq_party_instrument_id_code")),
    )
    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_party_code"), ["code"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_party_code"))

    op.drop_table("party")
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index("ix_observation_instrument_indicator_date")
        batch_op.drop_index(batch_op.f("ix_observation_indicator_id"))

    op.drop_table("observation")
    with op.batch_alter_table("instrument_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instrument_topic_topic"))

    op.drop_table("instrument_topic")
    with op.batch_alter_table("instrument", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instrument_scope"))
        batch_op.drop_index(batch_op.f("ix_instrument_organisation"))
        batch_op.drop_index(batch_op.f("ix_instrument_legal_status"))
        batch_op.drop_index(batch_op.f("ix_instrument_kind"))

    op.drop_table("instrument")
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_dimension"))

    op.drop_table("indicator")
    op.drop_table("data_revision")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_entity_key"))
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
