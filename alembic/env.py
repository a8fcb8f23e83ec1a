"""Alembic environment: migrations run against COOPSCORE_DATABASE_URL, or a connection handed in by tests."""

from sqlalchemy.engine import Connection, Engine

import app.models  # noqa: F401  (registers every table on the metadata)
from alembic import context
from app.database import make_engine, metadata
from app.settings import get_settings

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on the connection or engine given by a caller (tests), or on a new engine."""
    given = config.attributes.get("connection")
    if isinstance(given, Connection):
        _run(given)
        return
    if isinstance(given, Engine):  # pytest-alembic hands in an engine
        with given.connect() as connection:
            _run(connection)
        return
    url = config.attributes.get("database_url") or get_settings().database_url
    engine = make_engine(url)
    try:
        with engine.connect() as new_connection:
            _run(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("coopscore migrations run online only: set COOPSCORE_DATABASE_URL and run `coopscore migrate`.")
run_migrations_online()
