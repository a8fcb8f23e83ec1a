"""Liveness and readiness."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, text

from app.migrations import head_revisions


def test_healthz_answers_without_the_database(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_ok_at_the_latest_migration(client: TestClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["detail"] == f"database at revision {', '.join(sorted(head_revisions()))}"


def test_readyz_is_503_when_migrations_are_behind(client: TestClient, session: Session) -> None:
    session.execute(text("UPDATE alembic_version SET version_num = 'old'"))

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["detail"].startswith("the database is at ['old']")


def test_readyz_documents_its_503_as_the_health_it_sends(app: FastAPI) -> None:
    responses = app.openapi()["paths"]["/readyz"]["get"]["responses"]

    assert responses["503"]["content"] == {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    client.get("/v1/instruments/no-such-one")
    client.get("/v1/instruments/another-missing-one")

    body = client.get("/metrics").text

    assert 'coopscore_requests_total{method="GET",route="/v1/instruments/{id}",status="404"} 2.0' in body
    assert "no-such-one" not in body
