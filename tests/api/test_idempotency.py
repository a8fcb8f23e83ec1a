"""Idempotency-Key on observation batches and rubric publishing: the first outcome, replayed."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.models import Observation, RubricVersion
from tests.factories import indicator_body, instrument_body, observation_body, rubric_body

URL = "/v1/instruments/cis-illegal-migration-1998/observations"


@pytest.fixture(autouse=True)
def stored(client: TestClient) -> None:
    client.post("/v1/instruments", json=instrument_body())
    client.post("/v1/indicators", json=indicator_body())
    client.post("/v1/indicators", json=indicator_body(key="SG01", label="Non-refoulement", value_type="boolean"))


def count(session: Session, table: type[Observation] | type[RubricVersion]) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def test_a_batch_sent_twice_with_one_key_is_stored_once_and_answered_alike(
    client: TestClient, session: Session
) -> None:
    batch = [observation_body(), observation_body(indicator="SG01", value=True)]
    headers = {"Idempotency-Key": "batch-2024-06-30"}

    first = client.post(URL, json=batch, headers=headers)
    second = client.post(URL, json=batch, headers=headers)

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert count(session, Observation) == 2


def test_a_key_reused_for_another_body_is_refused(client: TestClient, session: Session) -> None:
    client.post(URL, json=observation_body(), headers={"Idempotency-Key": "k1"})

    response = client.post(URL, json=observation_body(value=1), headers={"Idempotency-Key": "k1"})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "path": "header.Idempotency-Key",
            "message": "was used for a different request; send a new key",
            "type": "reused",
        }
    ]
    assert count(session, Observation) == 1


def test_without_a_key_each_batch_is_stored(client: TestClient, session: Session) -> None:
    client.post(URL, json=observation_body())
    client.post(URL, json=observation_body())

    assert count(session, Observation) == 2


def test_publishing_again_with_the_key_replays_the_version_even_after_the_etag_moved_on(
    client: TestClient, session: Session
) -> None:
    etag = client.post("/v1/rubrics", json=rubric_body()).headers["etag"]
    headers = {"If-Match": etag, "Idempotency-Key": "publish-v1"}

    first = client.post("/v1/rubrics/balanced/publish", json={"note": "v1"}, headers=headers)
    again = client.post("/v1/rubrics/balanced/publish", json={"note": "v1"}, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["rubric"]["version"] == first.json()["rubric"]["version"] == 1
    assert count(session, RubricVersion) == 1


@pytest.mark.parametrize("key", ["", "has space", "x" * 201])
def test_a_malformed_key_is_refused(client: TestClient, key: str) -> None:
    response = client.post(URL, json=observation_body(), headers={"Idempotency-Key": key})

    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "header.Idempotency-Key"
