"""a rubric is named by its definition's label alone

Drops ``rubric.name``, which could disagree with the draft's ``label``; the downgrade restores the column,
filled from each draft's label.

Revision ID: b8132ec7076a
Revises: ee4f470a7c24
Create Date: 2026-12-01 08:13:05.220812
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = "b8132ec7076a"
down_revision: str | Sequence[str] | None = "ee4f470a7c24"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rubric") as batch:
        batch.drop_column("name")


def downgrade() -> None:
    with op.batch_alter_table("rubric") as batch:
        batch.add_column(sa.Column("name", sa.String(length=300), nullable=True))
    rubric = sa.table("rubric", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("draft", sa.JSON))
    connection = op.get_bind()
    for identifier, draft in connection.execute(sa.select(rubric.c.id, rubric.c.draft)).all():
        connection.execute(rubric.update().where(rubric.c.id == identifier).values(name=draft["label"]))
    with op.batch_alter_table("rubric") as batch:
        batch.alter_column("name", existing_type=sa.String(length=300), nullable=False)
