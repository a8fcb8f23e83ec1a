"""facts about instruments, about their parties and about countries

Each indicator now says what its facts are about (``indicator.level``): the instrument, one party of it, or a
country whatever the instrument. An observation's subject follows: ``instrument_id`` for an instrument's facts,
``instrument_id`` and ``party`` for a party's, ``country`` (and no instrument) for a country's; a check
constraint allows nothing else.

The catalogue is re-levelled where its own definitions say so, and the values recorded move with it, every
value and its history kept:

* party level: IM02 (in force for the party) and IP01 (readmission requests the party accepts). The
  catalogue coded IM02 for its focal state, Uzbekistan, so its values become facts of the party ``UZB``,
  including those for instruments Uzbekistan is not a party of (they keep the history; roll-ups over an
  instrument's parties never read them, and new ones are refused).
* country level: HR05 (TIP tier), IM07 (SDG 10.7.2), OC06-OC09 (convictions, detected victims, migrant deaths,
  recruitment costs): facts about the focal state, Uzbekistan (``UZB``); and the return figures OC01 (return
  rate) and OC02 (effective returns), which describe a country's nationals returned from the EU: the values
  recorded were EU-wide figures, so they become facts of ``EU``.

The downgrade puts party facts back on their instrument; a country's fact has no instrument to go back to,
so it is removed.

Revision ID: 1002fb0392f2
Revises: b82b3e0d8d95
Create Date: 2026-12-01 09:24:24.496557
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1002fb0392f2"
down_revision: str | Sequence[str] | None = "b82b3e0d8d95"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTY_LEVEL = {"IM02": "UZB", "IP01": "UZB"}
COUNTRY_LEVEL = {
    "HR05": "UZB",
    "IM07": "UZB",
    "OC06": "UZB",
    "OC07": "UZB",
    "OC08": "UZB",
    "OC09": "UZB",
    "OC01": "EU",
    "OC02": "EU",
}
ONE_SUBJECT = (
    "(instrument_id IS NOT NULL AND country IS NULL) OR "
    "(instrument_id IS NULL AND country IS NOT NULL AND party IS NULL)"
)

indicator = sa.table("indicator", sa.column("id", sa.Integer), sa.column("key", sa.String), sa.column("level", sa.String))
observation = sa.table(
    "observation",
    sa.column("indicator_id", sa.Integer),
    sa.column("instrument_id", sa.Integer),
    sa.column("party", sa.String),
    sa.column("country", sa.String),
)


def _of(key: str) -> sa.ScalarSelect[int]:
    return sa.select(indicator.c.id).where(indicator.c.key == key).scalar_subquery()


def upgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        batch.add_column(sa.Column("level", sa.String(length=12), nullable=False, server_default="instrument"))
    with op.batch_alter_table("observation") as batch:
        batch.add_column(sa.Column("party", sa.String(length=5), nullable=True))
        batch.add_column(sa.Column("country", sa.String(length=5), nullable=True))
        batch.alter_column("instrument_id", existing_type=sa.Integer(), nullable=True)
        batch.create_index("ix_observation_country_indicator_date", ["country", "indicator_id", "observed_on"])
    connection = op.get_bind()
    for key, party in PARTY_LEVEL.items():
        connection.execute(indicator.update().where(indicator.c.key == key).values(level="party"))
        connection.execute(observation.update().where(observation.c.indicator_id == _of(key)).values(party=party))
    for key, country in COUNTRY_LEVEL.items():
        connection.execute(indicator.update().where(indicator.c.key == key).values(level="country"))
        moved = observation.update().where(observation.c.indicator_id == _of(key))
        connection.execute(moved.values(country=country, instrument_id=None))
    with op.batch_alter_table("observation") as batch:
        batch.create_check_constraint("one_subject", ONE_SUBJECT)


def downgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table("observation") as batch:
        batch.drop_constraint(op.f("ck_observation_one_subject"), type_="check")
    connection.execute(sa.text("DELETE FROM observation WHERE country IS NOT NULL AND supersedes_id IS NOT NULL"))
    connection.execute(sa.text("DELETE FROM observation WHERE country IS NOT NULL"))
    with op.batch_alter_table("observation") as batch:
        batch.drop_index("ix_observation_country_indicator_date")
        batch.alter_column("instrument_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("country")
        batch.drop_column("party")
    with op.batch_alter_table("indicator") as batch:
        batch.drop_column("level")
