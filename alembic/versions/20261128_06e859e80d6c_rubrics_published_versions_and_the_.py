"""rubrics, published versions and the default rubric

Revision ID: 06e859e80d6c
Revises: 9394ca701a51
Create Date: 2026-11-28 02:21:41.984632
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = "06e859e80d6c"
down_revision: str | Sequence[str] | None = "9394ca701a51"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


IMMUTABLE = "published rubric versions are immutable"

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER rubric_version_no_update BEFORE UPDATE ON rubric_version "
    f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END",
    f"CREATE TRIGGER rubric_version_no_delete BEFORE DELETE ON rubric_version "
    f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END",
]

POSTGRESQL_TRIGGERS = [
    "CREATE FUNCTION refuse_rubric_version_change() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{IMMUTABLE}' USING ERRCODE = 'restrict_violation'; END $$",
    "CREATE TRIGGER rubric_version_immutable BEFORE UPDATE OR DELETE ON rubric_version "
    "FOR EACH ROW EXECUTE FUNCTION refuse_rubric_version_change()",
]


def _immutable_versions() -> None:
    """Make the database itself refuse any change to a published version, whoever asks."""
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRESQL_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "rubric",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.String(length=10000), nullable=True),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("draft_revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rubric")),
        sa.UniqueConstraint("key", name=op.f("uq_rubric_key")),
    )
    op.create_table(
        "rubric_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rubric_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("note", sa.String(length=10000), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["rubric_id"], ["rubric.id"], name=op.f("fk_rubric_version_rubric_id_rubric")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rubric_version")),
        sa.UniqueConstraint("rubric_id", "number", name=op.f("uq_rubric_version_rubric_id_number")),
    )
    op.create_table(
        "default_rubric",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rubric_version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rubric_version_id"],
            ["rubric_version.id"],
            name=op.f("fk_default_rubric_rubric_version_id_rubric_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_default_rubric")),
    )
    _immutable_versions()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER rubric_version_immutable ON rubric_version")
        op.execute("DROP FUNCTION refuse_rubric_version_change()")
    op.drop_table("default_rubric")
    op.drop_table("rubric_version")
    op.drop_table("rubric")
