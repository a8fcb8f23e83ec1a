"""Engine, sessions and the metadata every table registers on.

The naming convention is set on the metadata before any table is declared, so every constraint
Alembic generates has a stable, predictable name on SQLite and PostgreSQL alike.
"""

from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel, create_engine

from app.settings import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLModel.metadata = MetaData(naming_convention=NAMING_CONVENTION)
metadata = SQLModel.metadata

INT32_MAX = 2**31 - 1
"""Largest value an ``INTEGER`` column holds on PostgreSQL; inputs are bounded by it on both databases."""


WRITING = "coopscore_writing"
"""Execution option marking a connection that will write: on SQLite its transactions begin IMMEDIATE."""


def _lower(text: str | None) -> str | None:
    return None if text is None else text.lower()


def _configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL, Unicode-aware ``lower()``, and transactions begun by SQLAlchemy.

    SQLAlchemy must emit BEGIN itself for SAVEPOINTs to work. A transaction that will write begins
    IMMEDIATE: it takes the write lock up front and waits for it (busy_timeout), instead of failing with
    "database is locked" when it tries to upgrade a read lock that another writer is waiting on.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        writing = connection.get_execution_options().get(WRITING, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for ``url`` with health checks, and SQLite's pragmas when it is SQLite."""
    json_options = {"json_serializer": _json_text, "json_deserializer": orjson.loads}
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False}, **json_options)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10, **json_options)


@lru_cache
def get_engine() -> Engine:
    """Return the process-wide engine for the configured database."""
    settings = get_settings()
    return make_engine(settings.database_url, echo=settings.database_echo)


@lru_cache
def get_reading_engine() -> Engine:
    """The process-wide engine, for sessions that only read: on PostgreSQL each reads one snapshot.

    REPEATABLE READ makes the data revision and the data read after it agree, so a cached scoring input is
    never labelled with a revision other than the one it holds. SQLite's WAL readers see one snapshot anyway.
    """
    engine = get_engine()
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="REPEATABLE READ")
    return engine


@lru_cache
def get_writing_engine() -> Engine:
    """The process-wide engine, for sessions that will write (same pool, see ``WRITING``)."""
    return get_engine().execution_options(**{WRITING: True})
