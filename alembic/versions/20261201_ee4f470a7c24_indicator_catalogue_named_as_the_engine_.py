"""indicator catalogue named as the engine names it: label, min, max, higher and lower

Columns ``name``, ``min_value`` and ``max_value`` of ``indicator`` become ``label``, ``min`` and ``max``; the
directions ``higher_better`` and ``lower_better`` become ``higher`` and ``lower`` (``neutral`` stays).

Revision ID: ee4f470a7c24
Revises: 0a85b548b07f
Create Date: 2026-12-01 08:03:54.586719
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = "ee4f470a7c24"
down_revision: str | Sequence[str] | None = "0a85b548b07f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


RENAMED = (("name", "label"), ("min_value", "min"), ("max_value", "max"))
DIRECTIONS = (("higher_better", "higher"), ("lower_better", "lower"))


def _rename(pairs: Sequence[tuple[str, str]]) -> None:
    with op.batch_alter_table("indicator") as batch:
        for old, new in pairs:
            batch.alter_column(old, new_column_name=new)


def _set_directions(pairs: Sequence[tuple[str, str]]) -> None:
    indicator = sa.table("indicator", sa.column("direction", sa.String))
    for old, new in pairs:
        op.execute(indicator.update().where(indicator.c.direction == old).values(direction=new))


def upgrade() -> None:
    _rename(RENAMED)
    _set_directions(DIRECTIONS)


def downgrade() -> None:
    _set_directions([(new, old) for old, new in DIRECTIONS])
    _rename([(new, old) for old, new in RENAMED])
