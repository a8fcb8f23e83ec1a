"""a rubric is described by its definition's description alone

Drops ``rubric.description``, which could disagree with the draft's ``description``. A text kept only in the
column (the draft's description empty) is moved into the draft first, with a new draft revision, so no
description is lost; the downgrade restores the column, filled from each draft's description (NULL when empty).

Revision ID: b82b3e0d8d95
Revises: b8132ec7076a
Create Date: 2026-12-01 08:28:49.260487
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = "b82b3e0d8d95"
down_revision: str | Sequence[str] | None = "b8132ec7076a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

rubric = sa.table(
    "rubric",
    sa.column("id", sa.Integer),
    sa.column("description", sa.String),
    sa.column("draft", sa.JSON),
    sa.column("draft_revision", sa.Integer),
)


def upgrade() -> None:
    connection = op.get_bind()
    described = sa.select(rubric.c.id, rubric.c.description, rubric.c.draft, rubric.c.draft_revision).where(
        rubric.c.description != ""
    )
    for identifier, description, draft, draft_revision in connection.execute(described).all():
        if not draft.get("description"):
            moved = {**draft, "description": description}
            connection.execute(
                rubric.update().where(rubric.c.id == identifier).values(draft=moved, draft_revision=draft_revision + 1)
            )
    with op.batch_alter_table("rubric") as batch:
        batch.drop_column("description")


def downgrade() -> None:
    with op.batch_alter_table("rubric") as batch:
        batch.add_column(sa.Column("description", sa.String(length=10000), nullable=True))
    connection = op.get_bind()
    for identifier, draft in connection.execute(sa.select(rubric.c.id, rubric.c.draft)).all():
        description = draft.get("description") or None
        connection.execute(rubric.update().where(rubric.c.id == identifier).values(description=description))
