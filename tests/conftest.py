"""Database fixtures shared by every test that touches a database.

Each such test runs on SQLite, and on PostgreSQL too when ``TEST_POSTGRES_URL`` is set. Each test runs
inside a transaction that is rolled back afterwards (SQLAlchemy's "join an external transaction"
recipe), so tests never see each other's rows.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from app.api.deps import get_read_session, get_session
from app.database import make_engine
from app.main import create_app
from app.migrations import upgrade
from app.models.access import Role
from app.services.keys import create_key

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
DATABASES = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


def postgres_url(url: str) -> str:
    """Use the psycopg 3 driver whatever scheme the environment gave."""
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def fresh_postgres_database(name: str) -> str:
    """Create an empty PostgreSQL database beside the one in ``TEST_POSTGRES_URL`` and return its URL."""
    assert POSTGRES_URL is not None
    server = make_url(postgres_url(POSTGRES_URL))
    admin = make_engine(server.render_as_string(hide_password=False)).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(name: str) -> None:
    """Drop a database made by :func:`fresh_postgres_database`."""
    assert POSTGRES_URL is not None
    admin = make_engine(postgres_url(POSTGRES_URL)).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def empty_database_url(kind: str, directory: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database of ``kind``, removed afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'{uuid.uuid4().hex}.db'}"
        return
    name = f"coopscore_test_{uuid.uuid4().hex[:12]}"
    yield fresh_postgres_database(name)
    drop_postgres_database(name)


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to the latest revision, one per kind for the whole run."""
    for url in empty_database_url(request.param, tmp_path_factory.mktemp("db")):
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The engine of the migrated test database."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose every commit lands in a SAVEPOINT of an outer transaction that is rolled back."""
    with engine.connect() as connection:
        outer = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as session:
            yield session
        outer.rollback()


TESTER = "tester"
"""Name of the admin key the ``client`` fixture sends: the actor of every change a test makes through it."""


@pytest.fixture
def app(session: Session) -> FastAPI:
    """The application, using the test's session."""
    application = create_app()
    application.dependency_overrides[get_session] = lambda: session
    application.dependency_overrides[get_read_session] = lambda: session
    return application


def key_for(session: Session, role: Role, name: str) -> str:
    """A new API key with ``role``, stored in the test's transaction."""
    _, key = create_key(session=session, name=name, role=role, actor="test setup")
    return key


@pytest.fixture
def client(app: FastAPI, session: Session) -> Iterator[TestClient]:
    """An HTTP client of the app sending an admin key (so the tests of features need not think of roles)."""
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.headers["X-API-Key"] = key_for(session, Role.admin, TESTER)
        yield test_client
