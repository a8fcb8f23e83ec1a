"""Headers on every response: security headers, the cache policy, CORS for listed origins only, the request id."""

import base64
import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session

from app.api.deps import get_read_session, get_session
from app.api.http.docs import ASSET_CACHE_CONTROL, ASSETS_URL, FAVICON
from app.logging import FORMAT, configure_logging
from app.main import create_app
from app.models.access import Role
from app.settings import Settings, get_settings
from tests.conftest import key_for
from tests.factories import indicator_body, instrument_body, rubric_body

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "content-security-policy": API_POLICY,
}
GENERATED_ID = re.compile(r"[0-9a-f]{32}")
DASHBOARD = "https://dashboard.example.org"


def app_of(client: TestClient) -> FastAPI:
    app = client.app
    assert isinstance(app, FastAPI)
    return app


def scores_not_modified(client: TestClient) -> httpx.Response:
    client.post("/v1/indicators", json=indicator_body())
    client.post("/v1/indicators", json=indicator_body(key="SG01", label="Non-refoulement", value_type="boolean"))
    etag = client.post("/v1/rubrics", json=rubric_body()).headers["etag"]
    published = client.post(
        "/v1/rubrics/balanced/publish", json={"note": "v1", "make_default": True}, headers={"If-Match": etag}
    )
    assert published.status_code == 201
    return client.get("/v1/scores", headers={"If-None-Match": client.get("/v1/scores").headers["etag"]})


def own_cache_control(client: TestClient) -> httpx.Response:
    def cached() -> Response:
        return Response(b"{}", media_type="application/json", headers={"Cache-Control": "private, max-age=60"})

    app_of(client).add_api_route("/v1/cached", cached)
    return client.get("/v1/cached")


def failure(client: TestClient) -> httpx.Response:
    def explode() -> None:
        raise RuntimeError("unexpected")

    app_of(client).add_api_route("/v1/explode", explode)
    return client.get("/v1/explode")


def too_large(client: TestClient) -> httpx.Response:
    body = b"x" * (get_settings().max_body_bytes + 1)
    return client.post("/v1/instruments", content=body, headers={"Content-Type": "application/json"})


Request = Callable[[TestClient], httpx.Response]

RESPONSES = [
    pytest.param(lambda client: client.get("/v1/indicators"), 200, "no-cache", id="200-read"),
    pytest.param(lambda client: client.post("/v1/instruments", json=instrument_body()), 201, "no-store", id="201"),
    pytest.param(scores_not_modified, 304, "no-cache", id="304"),
    pytest.param(own_cache_control, 200, "private, max-age=60", id="200-own-cache-control"),
    pytest.param(
        lambda client: client.get(f"{ASSETS_URL}/{FAVICON}"), 200, ASSET_CACHE_CONTROL, id="200-documentation-asset"
    ),
    pytest.param(lambda client: client.get("/healthz"), 200, None, id="200-outside-v1"),
    pytest.param(lambda client: client.get("/v1/nothing-here"), 404, "no-store", id="404-unknown-path"),
    pytest.param(lambda client: client.get("/nothing-here"), 404, "no-store", id="404-outside-v1"),
    pytest.param(lambda client: client.delete("/v1/indicators"), 405, "no-store", id="405"),
    pytest.param(too_large, 413, "no-store", id="413"),
    pytest.param(
        lambda client: client.post("/v1/instruments", content=b"{}", headers={"Content-Type": "text/plain"}),
        415,
        "no-store",
        id="415",
    ),
    pytest.param(lambda client: client.get("/v1/instruments", params={"limit": 0}), 422, "no-store", id="422"),
    pytest.param(failure, 500, "no-store", id="500"),
]


@pytest.mark.parametrize(("send", "status", "cache_control"), RESPONSES)
def test_every_response_carries_the_security_headers_and_a_cache_policy(
    client: TestClient, send: Request, status: int, cache_control: str | None
) -> None:
    response = send(client)

    assert response.status_code == status
    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    assert response.headers.get("cache-control") == cache_control
    assert GENERATED_ID.fullmatch(response.headers["x-request-id"])
    assert not [name for name in response.headers if name.startswith("access-control-")]


@pytest.mark.parametrize(
    ("path", "scripts", "styles"),
    [
        pytest.param("/docs", "script-src 'self' 'sha256-", "style-src 'self';", id="swagger-ui"),
        pytest.param("/redoc", "script-src 'self';", "style-src 'unsafe-inline'; worker-src blob:;", id="redoc"),
    ],
)
def test_documentation_pages_may_load_their_assets_from_the_app_and_nothing_else(
    client: TestClient, path: str, scripts: str, styles: str
) -> None:
    response = client.get(path)
    policy = response.headers["content-security-policy"]

    assert response.status_code == 200
    assert policy.startswith("default-src 'none'; ")
    assert scripts in policy
    assert styles in policy
    assert "img-src 'self' data:;" in policy
    assert "connect-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-eval'" not in policy
    assert "script-src 'self' 'unsafe-inline'" not in policy
    assert "http" not in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_swagger_ui_inline_script_is_allowed_by_its_hash(client: TestClient) -> None:
    response = client.get("/docs")
    script = re.search(r"<script>(.*?)</script>", response.text, re.DOTALL)
    assert script is not None
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode()

    assert f"'sha256-{digest}'" in response.headers["content-security-policy"]


def test_without_listed_origins_there_are_no_cors_headers(client: TestClient) -> None:
    simple = client.get("/v1/indicators", headers={"Origin": DASHBOARD})
    preflight = client.options("/v1/indicators", headers={"Origin": DASHBOARD, "Access-Control-Request-Method": "POST"})

    assert simple.status_code == 200
    assert preflight.status_code == 405
    for response in (simple, preflight):
        assert not [name for name in response.headers if name.startswith("access-control-")]


@pytest.fixture
def dashboard_client(monkeypatch: pytest.MonkeyPatch, session: Session) -> Iterator[TestClient]:
    """A client of an app configured with one dashboard origin."""
    monkeypatch.setenv("COOPSCORE_CORS_ORIGINS", json.dumps([DASHBOARD]))
    get_settings.cache_clear()
    app = create_app()
    app.dependency_overrides[get_session] = lambda: session
    app.dependency_overrides[get_read_session] = lambda: session
    with TestClient(app) as test_client:
        test_client.headers["X-API-Key"] = key_for(session, Role.reader, "dashboard")
        yield test_client
    get_settings.cache_clear()


def test_listed_origin_reads_with_the_exposed_headers(dashboard_client: TestClient) -> None:
    response = dashboard_client.get("/v1/indicators", headers={"Origin": DASHBOARD})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == DASHBOARD
    assert response.headers["access-control-expose-headers"] == (
        "ETag, Link, X-Request-ID, Location, Retry-After, X-Rubric, X-As-Of, X-Data-Revision, Content-Disposition"
    )
    assert "Origin" in response.headers["vary"]
    assert "access-control-allow-credentials" not in response.headers


def test_listed_origin_preflight_allows_the_api_methods_and_headers(dashboard_client: TestClient) -> None:
    response = dashboard_client.options(
        "/v1/rubrics/balanced/publish",
        headers={
            "Origin": DASHBOARD,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, if-match, idempotency-key, x-api-key, x-request-id",
        },
    )

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == DASHBOARD
    assert response.headers["access-control-allow-methods"] == "GET, HEAD, POST, PUT, PATCH, DELETE"
    assert response.headers["access-control-allow-headers"] == (
        "Accept, Accept-Language, Content-Language, Content-Type, Idempotency-Key, If-Match, If-None-Match, "
        "X-API-Key, X-Request-ID"
    )
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://evil.example", id="other-host"),
        pytest.param("http://dashboard.example.org", id="other-scheme"),
        pytest.param("https://dashboard.example.org:8443", id="other-port"),
        pytest.param("null", id="null"),
    ],
)
def test_unlisted_origin_gets_no_cors_headers(dashboard_client: TestClient, origin: str) -> None:
    preflight = dashboard_client.options(
        "/v1/indicators",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-api-key",
        },
    )
    simple = dashboard_client.get("/v1/indicators", headers={"Origin": origin})

    assert (preflight.status_code, simple.status_code) == (405, 200)
    for response in (preflight, simple):
        assert not [name for name in response.headers if name.startswith("access-control-")]
        assert "Origin" in response.headers["vary"]


def test_cors_origins_are_a_json_list_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOPSCORE_CORS_ORIGINS", '["https://a.example.org", "http://localhost:5173"]')

    assert Settings().cors_origins == ["https://a.example.org", "http://localhost:5173"]


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://dashboard.example.org/", id="trailing-slash"),
        pytest.param("https://dashboard.example.org/app", id="path"),
        pytest.param("*", id="wildcard"),
        pytest.param("dashboard.example.org", id="no-scheme"),
    ],
)
def test_a_cors_origin_that_could_never_match_is_refused(origin: str) -> None:
    with pytest.raises(ValidationError, match="is not an origin"):
        Settings(cors_origins=[origin])


def test_a_well_formed_request_id_is_echoed(client: TestClient) -> None:
    response = client.get("/v1/indicators", headers={"X-Request-ID": "dash.board_42-A"})

    assert response.headers["x-request-id"] == "dash.board_42-A"


def test_a_request_id_is_made_when_none_is_sent(client: TestClient) -> None:
    first, second = client.get("/healthz"), client.get("/healthz")

    assert GENERATED_ID.fullmatch(first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize(
    "supplied",
    [
        pytest.param("", id="empty"),
        pytest.param("a" * 65, id="too-long"),
        pytest.param("has space", id="space"),
        pytest.param("a/b", id="slash"),
        pytest.param("<script>", id="markup"),
        pytest.param("id\tx", id="tab"),
    ],
)
def test_a_malformed_request_id_is_replaced(client: TestClient, supplied: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": supplied})

    assert GENERATED_ID.fullmatch(response.headers["x-request-id"])


def test_a_64_character_request_id_is_kept(client: TestClient) -> None:
    supplied = "a" * 64

    assert client.get("/healthz", headers={"X-Request-ID": supplied}).headers["x-request-id"] == supplied


def test_log_lines_of_a_request_name_its_id(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    def noisy() -> dict[str, str]:
        logging.getLogger("coopscore.test").info("working on it")
        return {}

    app_of(client).add_api_route("/v1/noisy", noisy)
    caplog.set_level(logging.INFO, logger="coopscore")

    client.get("/v1/noisy", headers={"X-Request-ID": "trace-42"})
    failed = failure(client)

    lines = [
        logging.Formatter(FORMAT).format(record) for record in caplog.records if record.name.startswith("coopscore.")
    ]
    assert [line.split(" ", 2)[2].split("\n")[0] for line in lines] == [
        "INFO coopscore.test [trace-42] working on it",
        f"ERROR coopscore.errors [{failed.headers['x-request-id']}] unexpected error on GET /v1/explode",
    ]


def test_api_keys_are_redacted_from_log_lines(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    key = "cs_0123456789ab_" + "K" * 43

    def careless() -> dict[str, str]:
        logging.getLogger("coopscore.test").warning("called with %s", key)
        return {}

    app_of(client).add_api_route("/v1/careless", careless)
    client.get("/v1/careless")

    messages = [record.getMessage() for record in caplog.records if record.name == "coopscore.test"]
    assert messages == ["called with cs_0123456789ab_[redacted]"]


def test_the_server_loggers_write_through_the_service_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    access, server = logging.getLogger("uvicorn.access"), logging.getLogger("uvicorn")
    monkeypatch.setattr(access, "handlers", [logging.NullHandler()])
    monkeypatch.setattr(server, "handlers", [logging.NullHandler()])

    configure_logging()

    service = logging.getLogger("coopscore").handlers[-1]
    assert service.name == "coopscore"
    assert service.formatter is not None
    assert service.formatter._fmt == FORMAT
    assert access.handlers == server.handlers == [service]
