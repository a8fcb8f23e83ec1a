"""API keys and roles: who may do what, and the same 401 whatever is wrong with a key."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.api.http.rate_limits import RateLimits, TokenBuckets
from app.models import ApiKey
from app.models.access import Role
from app.models.common import utc_now
from app.settings import get_settings
from tests.conftest import key_for
from tests.factories import indicator_body, instrument_body, observation_body, rubric_body

PUBLIC_PATHS = {"/healthz", "/readyz", "/metrics", "/docs", "/openapi.json"}

WRITES: list[tuple[str, str, Any, Role]] = [
    ("POST", "/v1/instruments", instrument_body(id="new-one"), Role.analyst),
    ("PATCH", "/v1/instruments/cis-illegal-migration-1998", {"summary": "Changed."}, Role.analyst),
    ("DELETE", "/v1/instruments/cis-illegal-migration-1998", None, Role.analyst),
    ("POST", "/v1/indicators", indicator_body(key="NEW1"), Role.analyst),
    ("PATCH", "/v1/indicators/LD01", {"label": "Renamed"}, Role.analyst),
    ("POST", "/v1/instruments/cis-illegal-migration-1998/observations", observation_body(), Role.analyst),
    ("POST", "/v1/rubrics", rubric_body(key="other"), Role.editor),
    ("PUT", "/v1/rubrics/balanced/draft", {"definition": rubric_body()["definition"]}, Role.editor),
    ("POST", "/v1/rubrics/balanced/publish", {"note": "v2"}, Role.editor),
    ("PUT", "/v1/rubrics/balanced/default", {"version": 1}, Role.editor),
    ("POST", "/v1/keys", {"name": "another", "role": "reader"}, Role.admin),
    ("DELETE", "/v1/keys/someone", None, Role.admin),
    ("GET", "/v1/keys", None, Role.admin),
    ("GET", "/v1/audit", None, Role.admin),
]


@pytest.fixture(autouse=True)
def stored(client: TestClient) -> None:
    """An instrument, two indicators and a published rubric, made with the admin key of ``client``."""
    client.post("/v1/instruments", json=instrument_body())
    client.post("/v1/indicators", json=indicator_body())
    client.post("/v1/indicators", json=indicator_body(key="SG01", label="Non-refoulement", value_type="boolean"))
    etag = client.post("/v1/rubrics", json=rubric_body()).headers["etag"]
    client.post("/v1/rubrics/balanced/publish", json={"note": "v1"}, headers={"If-Match": etag})


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[TestClient]:
    """A client sending no key."""
    with TestClient(app, raise_server_exceptions=False) as bare:
        yield bare


def test_every_operation_declares_its_security_but_the_public_ones(app: FastAPI) -> None:
    document = app.openapi()

    unsecured = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "security" not in operation and path not in PUBLIC_PATHS
    ]

    assert unsecured == []
    assert document["components"]["securitySchemes"]["APIKeyHeader"] == {
        "type": "apiKey",
        "description": "An API key; `coopscore keys create` makes one.",
        "in": "header",
        "name": "X-API-Key",
    }


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(
    ("method", "path", "body", "needed"), [pytest.param(*write, id=f"{write[0]} {write[1]}") for write in WRITES]
)
def test_each_role_on_each_write(
    anonymous: TestClient, session: Session, role: Role, method: str, path: str, body: Any, needed: Role
) -> None:
    key = key_for(session, role, f"{role.value}-key")
    headers = {"X-API-Key": key, "If-Match": '"draft-1"'}

    response = anonymous.request(method, path, json=body, headers=headers)

    if role.rank < needed.rank:
        assert response.status_code == 403
        assert response.json()["detail"] == (
            f"The key '{role.value}-key' has the role {role.value}; this operation needs {needed.value}."
        )
    else:
        assert response.status_code not in (401, 403), response.text


def test_reads_need_a_key_unless_anonymous_reads_are_allowed(
    anonymous: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert anonymous.get("/v1/instruments").status_code == 401

    monkeypatch.setattr(get_settings(), "allow_anonymous_reads", True)

    assert anonymous.get("/v1/instruments").status_code == 200
    assert anonymous.post("/v1/instruments", json=instrument_body(id="x-1")).status_code == 401


def _revoked(session: Session, client: TestClient) -> str:
    key = key_for(session, Role.admin, "revoked-key")
    client.delete("/v1/keys/revoked-key")
    return key


def _expired(session: Session, _client: TestClient) -> str:
    key = key_for(session, Role.admin, "expired-key")
    row = session.exec(select(ApiKey).where(ApiKey.name == "expired-key")).one()
    row.expires_at = utc_now() - timedelta(seconds=1)
    session.commit()
    return key


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda _session, _client: None, id="missing"),
        pytest.param(lambda _session, _client: "not-a-key", id="malformed"),
        pytest.param(lambda _session, _client: "cs_000000000000_" + "a" * 43, id="unknown"),
        pytest.param(
            lambda session, _client: key_for(session, Role.admin, "wrong-secret")[:-4] + "AAAA", id="wrong-secret"
        ),
        pytest.param(_revoked, id="revoked"),
        pytest.param(_expired, id="expired"),
    ],
)
def test_a_bad_key_gets_the_same_401_whatever_is_wrong(
    anonymous: TestClient, client: TestClient, session: Session, make: Any
) -> None:
    key = make(session, client)

    response = anonymous.get("/v1/instruments", headers={"X-API-Key": key} if key else {})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'ApiKey header="X-API-Key"'
    assert response.json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "A valid API key is required in the X-API-Key header.",
        "instance": "/v1/instruments",
    }


def test_a_key_in_the_query_string_or_a_cookie_is_ignored(anonymous: TestClient, session: Session) -> None:
    key = key_for(session, Role.admin, "misplaced")

    assert anonymous.get("/v1/instruments", params={"api_key": key, "X-API-Key": key}).status_code in (401, 422)
    anonymous.cookies.set("X-API-Key", key)
    assert anonymous.get("/v1/instruments").status_code == 401


def test_a_key_made_over_the_api_is_shown_once_and_works(anonymous: TestClient, client: TestClient) -> None:
    created = client.post("/v1/keys", json={"name": "dashboard", "role": "reader"}).json()

    listed = client.get("/v1/keys").json()

    assert created["key"].startswith(created["prefix"])
    assert all("key" not in item for item in listed)
    assert anonymous.get("/v1/instruments", headers={"X-API-Key": created["key"]}).status_code == 200


def test_the_audit_log_names_each_change_and_its_actor(client: TestClient) -> None:
    events = client.get("/v1/audit", params={"entity": "rubric"}).json()["items"]

    assert [(event["actor"], event["action"]) for event in events] == [("tester", "publish"), ("tester", "create")]


@pytest.fixture
def strict_limits(app: FastAPI) -> None:
    """Three requests a minute per caller, two bad keys a minute per address."""
    app.state.rate_limits = RateLimits(requests=TokenBuckets(3), failures=TokenBuckets(2))


@pytest.mark.usefixtures("strict_limits")
def test_a_key_gets_429_with_retry_after_beyond_its_rate(anonymous: TestClient, session: Session) -> None:
    headers = {"X-API-Key": key_for(session, Role.reader, "busy")}

    statuses = [anonymous.get("/v1/instruments", headers=headers).status_code for _ in range(4)]
    refused = anonymous.get("/v1/instruments", headers=headers)

    assert statuses == [200, 200, 200, 429]
    assert 1 <= int(refused.headers["retry-after"]) <= 20  # a token comes back every 20 s
    assert refused.json()["title"] == "Too Many Requests"


@pytest.mark.usefixtures("strict_limits")
def test_bad_keys_lock_the_address_out_even_for_a_good_key(anonymous: TestClient, session: Session) -> None:
    good = {"X-API-Key": key_for(session, Role.reader, "honest")}
    bad = {"X-API-Key": "cs_000000000000_" + "a" * 43}

    statuses = [anonymous.get("/v1/instruments", headers=bad).status_code for _ in range(3)]

    assert statuses == [401, 401, 429]
    assert anonymous.get("/v1/instruments", headers=good).status_code == 429
