"""Alembic, driven from code: apply migrations and tell whether the database is at the latest revision."""

from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from alembic import command

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str | None = None) -> Config:
    """An Alembic configuration for this project, optionally aimed at ``database_url``."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str) -> None:
    """Migrate the database at ``database_url`` to the latest revision."""
    command.upgrade(alembic_config(database_url), "head")


@lru_cache
def head_revisions() -> frozenset[str]:
    """The latest revision(s) the code knows."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def migration_state(session: Session) -> tuple[bool, str]:
    """Whether the database answers and is at the latest revision, with a sentence saying so."""
    try:
        current = frozenset(MigrationContext.configure(session.connection()).get_current_heads())
    except SQLAlchemyError:
        return False, "the database is not reachable"
    heads = head_revisions()
    if current != heads:
        return (
            False,
            f"the database is at {sorted(current) or 'no revision'}; the code expects {sorted(heads)}",
        )
    return True, f"database at revision {', '.join(sorted(heads))}"
