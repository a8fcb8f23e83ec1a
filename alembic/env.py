"""Alembic environment: migrations run against COOPSCORE_DATABASE_URL, or a connection handed in by tests."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine

import app.models  # noqa: F401  (registers every table on the metadata)
from alembic import context, util
from app.database import make_engine, metadata
from app.settings import get_settings

config = context.config


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """On SQLite, stop enforcing foreign keys while the migrations run, and enforce them again afterwards.

    Batch mode rebuilds a SQLite table by copying it, dropping the original and renaming the copy; dropping a
    table that other rows refer to fails while foreign keys are enforced. SQLite reads this pragma outside a
    transaction only, so it is set on the raw connection before the migrations' transaction begins; the
    migrations check the keys themselves before they commit (:func:`_check_foreign_keys`).
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    if raw is None or raw.in_transaction:
        raise util.CommandError("SQLite migrations need a connection outside a transaction, to turn foreign keys off")
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def _check_foreign_keys(connection: Connection) -> None:
    """Refuse to commit migrations that left a row referring to nothing (SQLite; PostgreSQL checks by itself)."""
    if connection.dialect.name != "sqlite":
        return
    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if dangling:
        raise util.CommandError(f"the migrations left rows whose foreign keys refer to nothing: {dangling[:10]}")


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with _sqlite_foreign_keys_off(connection), context.begin_transaction():
        context.run_migrations()
        _check_foreign_keys(connection)


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
