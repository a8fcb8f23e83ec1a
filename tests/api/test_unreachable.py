"""Readiness when the database cannot be reached at all."""

from collections.abc import Iterator

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.api.deps import get_session
from app.database import make_engine
from app.main import create_app


def test_readyz_is_503_when_the_database_is_unreachable() -> None:
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")

    def unreachable() -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    app = create_app()
    app.dependency_overrides[get_session] = unreachable
    response = TestClient(app).get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "detail": "the database is not reachable"}
