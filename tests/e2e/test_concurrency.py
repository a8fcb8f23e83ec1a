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
from tests.servers import forget_database, serve, use_database

WORKERS = 8


@pytest.fixture(params=DATABASES)
def base_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A live server on a new, migrated database of each kind."""
    for url in empty_database_url(request.param, tmp_path):
        upgrade(url)
        monkeypatch.setenv("COOPSCORE_DATABASE_URL", url)
        use_database(url)
        with serve(create_app()) as base:
            yield base
        forget_database()


def in_parallel(base_url: str, requests: list[tuple[str, str, Any]]) -> Counter[int]:
    """Send the requests from ``WORKERS`` threads at once; count the statuses."""

    def send(request: tuple[str, str, Any]) -> int:
        method, path, body = request
        with httpx.Client(base_url=base_url, timeout=60) as client:
            return client.request(method, path, json=body).status_code

    with ThreadPoolExecutor(WORKERS) as pool:
        return Counter(pool.map(send, requests))


def test_concurrent_creates_of_one_id_give_one_201_and_409s(base_url: str) -> None:
    statuses = in_parallel(base_url, [("POST", "/v1/instruments", instrument_body())] * 16)

    assert statuses == Counter({201: 1, 409: 15})


def test_concurrent_edits_all_succeed(base_url: str) -> None:
    httpx.post(f"{base_url}/v1/instruments", json=instrument_body()).raise_for_status()
    path = "/v1/instruments/cis-illegal-migration-1998"
    edits = [("PATCH", path, {"summary": f"Edit {number}."}) for number in range(24)]

    statuses = in_parallel(base_url, edits)

    assert statuses == Counter({200: 24})


def test_concurrent_corrections_of_one_value_store_exactly_one(base_url: str) -> None:
    httpx.post(f"{base_url}/v1/instruments", json=instrument_body()).raise_for_status()
    httpx.post(f"{base_url}/v1/indicators", json=indicator_body()).raise_for_status()
    path = "/v1/instruments/cis-illegal-migration-1998/observations"
    first = httpx.post(f"{base_url}{path}", json=observation_body(value=1)).json()
    correction = observation_body(value=2, supersedes=first["id"])

    statuses = in_parallel(base_url, [("POST", path, correction)] * 16)

    assert statuses[201] == 1
    assert statuses[201] + statuses[409] + statuses[422] == 16
    history = httpx.get(f"{base_url}{path}?indicator=LD01").json()["items"]
    assert len(history) == 2


def test_eight_publishes_with_one_etag_give_exactly_one_version(base_url: str) -> None:
    httpx.post(f"{base_url}/v1/indicators", json=indicator_body()).raise_for_status()
    boolean = indicator_body(key="SG01", name="Non-refoulement", dimension="safeguards", value_type="boolean")
    httpx.post(f"{base_url}/v1/indicators", json=boolean).raise_for_status()
    etag = httpx.post(f"{base_url}/v1/rubrics", json=rubric_body()).headers["etag"]

    def publish(_: int) -> int:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            response = client.post("/v1/rubrics/balanced/publish", json={"note": "v1"}, headers={"If-Match": etag})
            return response.status_code

    with ThreadPoolExecutor(WORKERS) as pool:
        statuses = Counter(pool.map(publish, range(WORKERS)))

    assert statuses == Counter({201: 1, 412: 7})
    versions = httpx.get(f"{base_url}/v1/rubrics/balanced/versions").json()
    assert [version["number"] for version in versions] == [1]


def test_concurrent_deletes_delete_once(base_url: str) -> None:
    httpx.post(f"{base_url}/v1/instruments", json=instrument_body()).raise_for_status()

    statuses = in_parallel(base_url, [("DELETE", "/v1/instruments/cis-illegal-migration-1998", None)] * 16)

    assert statuses == Counter({204: 1, 404: 15})
