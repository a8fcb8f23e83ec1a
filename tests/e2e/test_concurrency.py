"""Concurrent writers against a real uvicorn server on each database: conflicts are 409s, never 500s."""

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.main import create_app
from app.migrations import upgrade
from tests.conftest import DATABASES, empty_database_url
from tests.factories import indicator_body, instrument_body, observation_body, rubric_body
from tests.servers import admin_key, forget_database, serve, use_database

WORKERS = 8


@pytest.fixture(params=DATABASES)
def server(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    """A client of a live server on a new, migrated database of each kind, sending an admin key."""
    for url in empty_database_url(request.param, tmp_path):
        upgrade(url)
        monkeypatch.setenv("COOPSCORE_DATABASE_URL", url)
        use_database(url)
        key = admin_key()
        with serve(create_app()) as base, httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as client:
            yield client
        forget_database()


def in_parallel(server: httpx.Client, requests: list[tuple[str, str, Any]]) -> Counter[int]:
    """Send the requests from ``WORKERS`` threads at once, each on its own connection; count the statuses."""

    def send(request: tuple[str, str, Any]) -> int:
        method, path, body = request
        with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=60) as client:
            return client.request(method, path, json=body).status_code

    with ThreadPoolExecutor(WORKERS) as pool:
        return Counter(pool.map(send, requests))


def test_concurrent_creates_of_one_id_give_one_201_and_409s(server: httpx.Client) -> None:
    statuses = in_parallel(server, [("POST", "/v1/instruments", instrument_body())] * 16)

    assert statuses == Counter({201: 1, 409: 15})


def test_concurrent_edits_all_succeed(server: httpx.Client) -> None:
    server.post("/v1/instruments", json=instrument_body()).raise_for_status()
    path = "/v1/instruments/cis-illegal-migration-1998"
    edits = [("PATCH", path, {"summary": f"Edit {number}."}) for number in range(24)]

    statuses = in_parallel(server, edits)

    assert statuses == Counter({200: 24})


def test_concurrent_corrections_of_one_value_store_exactly_one(server: httpx.Client) -> None:
    server.post("/v1/instruments", json=instrument_body()).raise_for_status()
    server.post("/v1/indicators", json=indicator_body()).raise_for_status()
    path = "/v1/instruments/cis-illegal-migration-1998/observations"
    first = server.post(path, json=observation_body(value=1)).json()
    correction = observation_body(value=2, supersedes=first["id"])

    statuses = in_parallel(server, [("POST", path, correction)] * 16)

    assert statuses[201] == 1
    assert statuses[201] + statuses[409] + statuses[422] == 16
    history = server.get(f"{path}?indicator=LD01").json()["items"]
    assert len(history) == 2


def test_eight_publishes_with_one_etag_give_exactly_one_version(server: httpx.Client) -> None:
    server.post("/v1/indicators", json=indicator_body()).raise_for_status()
    boolean = indicator_body(key="SG01", label="Non-refoulement", dimension="safeguards", value_type="boolean")
    server.post("/v1/indicators", json=boolean).raise_for_status()
    etag = server.post("/v1/rubrics", json=rubric_body()).headers["etag"]
    publish = ("POST", "/v1/rubrics/balanced/publish", {"note": "v1"})

    def send(_: int) -> int:
        with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=60) as client:
            method, path, body = publish
            return client.request(method, path, json=body, headers={"If-Match": etag}).status_code

    with ThreadPoolExecutor(WORKERS) as pool:
        statuses = Counter(pool.map(send, range(WORKERS)))

    assert statuses == Counter({201: 1, 412: 7})
    versions = server.get("/v1/rubrics/balanced/versions").json()
    assert [version["version"] for version in versions] == [1]


def test_concurrent_deletes_delete_once(server: httpx.Client) -> None:
    server.post("/v1/instruments", json=instrument_body()).raise_for_status()

    statuses = in_parallel(server, [("DELETE", "/v1/instruments/cis-illegal-migration-1998", None)] * 16)

    assert statuses == Counter({204: 1, 404: 15})


def test_eight_identical_batches_with_one_key_store_one(server: httpx.Client) -> None:
    server.post("/v1/instruments", json=instrument_body()).raise_for_status()
    server.post("/v1/indicators", json=indicator_body()).raise_for_status()
    path = "/v1/instruments/cis-illegal-migration-1998/observations"
    batch = [observation_body(value=2)]

    def send(_: int) -> tuple[int, Any]:
        with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=60) as client:
            response = client.post(path, json=batch, headers={"Idempotency-Key": "once"})
            return response.status_code, response.json()

    with ThreadPoolExecutor(WORKERS) as pool:
        answers = list(pool.map(send, range(WORKERS)))

    assert {status for status, _ in answers} == {201}
    assert len({body[0]["id"] for _, body in answers}) == 1
    assert len(server.get(f"{path}?indicator=LD01").json()["items"]) == 1
