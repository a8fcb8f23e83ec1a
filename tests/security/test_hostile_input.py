"""Hostile and malformed input gets a clear 4xx problem naming the bad field, on every database; never a 500."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import indicator_body, instrument_body, observation_body

INSTRUMENTS = "/v1/instruments"
MUST_BE_JSON = "The body must be JSON (Content-Type: application/json)"
OBSERVATIONS = "/v1/instruments/cis-illegal-migration-1998/observations"


@pytest.fixture(autouse=True)
def catalogue(client: TestClient) -> None:
    assert client.post(INSTRUMENTS, json=instrument_body()).status_code == 201
    assert (
        client.post("/v1/indicators", json=indicator_body(key="OC01", value_type="number", levels=[])).status_code
        == 201
    )


def party(**fields: Any) -> dict[str, Any]:
    return instrument_body(id="other-1", parties=[{"code": "UZB", **fields}])


CASES = [
    # text with NUL characters
    pytest.param(
        "POST",
        INSTRUMENTS,
        instrument_body(id="x-1", title="Bad\u0000title"),
        "body.title",
        id="nul-in-title",
    ),
    pytest.param("GET", f"{INSTRUMENTS}?q=a%00b", None, "query.q", id="nul-in-query"),
    pytest.param(
        "POST",
        OBSERVATIONS,
        observation_body(indicator="OC01", value=1, note="x\u0000"),
        "body.note",
        id="nul-in-note",
    ),
    pytest.param(
        "POST",
        OBSERVATIONS,
        observation_body(indicator="OC01", value="a\u0000"),
        "body.value",
        id="nul-in-value",
    ),
    # integers beyond what the database holds
    pytest.param(
        "POST",
        INSTRUMENTS,
        instrument_body(id="x-1", party_count=2**31),
        "body.party_count",
        id="party-count-beyond-int32",
    ),
    pytest.param(
        "POST",
        OBSERVATIONS,
        observation_body(indicator="OC01", value=10**20),
        "body.value",
        id="value-beyond-range",
    ),
    pytest.param(
        "POST",
        OBSERVATIONS,
        observation_body(indicator="OC01", value=1, supersedes=2**63),
        "body.supersedes",
        id="supersedes-beyond-int32",
    ),
    pytest.param("GET", f"{INSTRUMENTS}?offset={2**40}", None, "query.offset", id="offset-beyond-range"),
    # NaN and infinity
    pytest.param(
        "POST",
        OBSERVATIONS,
        '{"indicator": "OC01", "value": NaN, "as_of": "2020-01-01", "evidence": {"title": "t"}, "confidence": "high"}',
        "body.value",
        id="nan-value",
    ),
    pytest.param(
        "POST",
        OBSERVATIONS,
        '{"indicator": "OC01", "value": Infinity, "as_of": "2020-01-01", '
        '"evidence": {"title": "t"}, "confidence": "high"}',
        "body.value",
        id="infinite-value",
    ),
    pytest.param(
        "POST",
        "/v1/indicators",
        '{"key": "N1", "label": "n", "dimension": "d", "value_type": "number", "max": -Infinity}',
        "body.max",
        id="infinite-bound",
    ),
    pytest.param(
        "POST",
        OBSERVATIONS,
        observation_body(indicator="OC01", value=1e400),
        "body.value",
        id="overflowing-float",
    ),
    # malformed dates
    pytest.param("POST", INSTRUMENTS, instrument_body(id="x-1", signed="1998-13"), "body.signed", id="month-13"),
    pytest.param("POST", INSTRUMENTS, instrument_body(id="x-1", signed="98"), "body.signed", id="two-digit-year"),
    pytest.param(
        "POST",
        INSTRUMENTS,
        instrument_body(id="x-1", in_force="1999-02-29"),
        "body.in_force",
        id="not-a-leap-year",
    ),
    pytest.param("POST", OBSERVATIONS, observation_body(as_of="2020-02-30"), "body.as_of", id="as-of-not-a-day"),
    pytest.param("GET", f"{OBSERVATIONS}?as_of=yesterday", None, "query.as_of", id="as-of-query-malformed"),
    pytest.param("GET", f"{OBSERVATIONS}?as_of=2010", None, "query.as_of", id="as-of-query-year-only"),
    pytest.param("POST", OBSERVATIONS, observation_body(as_of=0), "body.as_of", id="as-of-a-number"),
    pytest.param(
        "POST", OBSERVATIONS, observation_body(as_of="2005-01-01T00:00:00Z"), "body.as_of", id="as-of-a-timestamp"
    ),
    pytest.param("POST", OBSERVATIONS, observation_body(as_of="0001-01-01"), "body.as_of", id="as-of-year-one"),
    pytest.param(
        "POST",
        INSTRUMENTS,
        instrument_body(id="x-1", parties=[{"code": "UZB"}, {"code": "UZB"}]),
        "body.parties",
        id="party-listed-twice",
    ),
    pytest.param(
        "POST", INSTRUMENTS, instrument_body(id="x-1", party_count="3"), "body.party_count", id="count-as-text"
    ),
    pytest.param("POST", INSTRUMENTS, instrument_body(id="x-1", binding="yes"), "body.binding", id="boolean-as-text"),
    pytest.param("POST", OBSERVATIONS, observation_body(supersedes="1"), "body.supersedes", id="id-as-text"),
    pytest.param("GET", f"{OBSERVATIONS}?as_of=2999-01-01", None, "query.as_of", id="as-of-query-in-future"),
    pytest.param("POST", OBSERVATIONS, observation_body(as_of="2999-01-01"), "body.as_of", id="observation-in-future"),
    # dates in the wrong order
    pytest.param(
        "POST",
        INSTRUMENTS,
        instrument_body(id="x-1", signed="2001-05-01", in_force="2001-04"),
        "body.in_force",
        id="in-force-before-signed",
    ),
    pytest.param(
        "POST",
        INSTRUMENTS,
        party(signed="2005", in_force="2004-12-31"),
        "body.parties[0].in_force",
        id="party-in-force-before-signed",
    ),
    pytest.param(
        "POST",
        OBSERVATIONS,
        observation_body(as_of=None, period_start="2021-01-01", period_end="2020-12-31"),
        "body.period_end",
        id="period-ends-before-it-starts",
    ),
    # unknown ISO 3166-1 alpha-3 codes
    pytest.param("POST", INSTRUMENTS, party(code="XXX"), "body.parties[0].code", id="unknown-country"),
    pytest.param("POST", INSTRUMENTS, party(code="uzb"), "body.parties[0].code", id="lowercase-country"),
    pytest.param("GET", f"{INSTRUMENTS}?party=ZZZ", None, "query.party", id="unknown-country-filter"),
    # oversized strings and pages
    pytest.param("POST", INSTRUMENTS, instrument_body(id="x-1", title="t" * 1001), "body.title", id="title-too-long"),
    pytest.param("GET", f"{INSTRUMENTS}?q={'q' * 301}", None, "query.q", id="query-too-long"),
    pytest.param("GET", f"{INSTRUMENTS}?limit=201", None, "query.limit", id="page-too-large"),
    pytest.param("GET", f"{INSTRUMENTS}?limit=0", None, "query.limit", id="page-empty"),
    # unknown fields and parameters
    pytest.param("POST", INSTRUMENTS, instrument_body(id="x-1", rating=5), "body.rating", id="unknown-body-field"),
    pytest.param(
        "PATCH",
        f"{INSTRUMENTS}/cis-illegal-migration-1998",
        {"id": "renamed"},
        "body.id",
        id="id-cannot-be-patched",
    ),
    pytest.param(
        "POST",
        INSTRUMENTS,
        instrument_body(id="x-1", created_at="2020-01-01T00:00:00Z"),
        "body.created_at",
        id="server-owned-created-at",
    ),
    pytest.param(
        "POST",
        OBSERVATIONS,
        observation_body(indicator="OC01", value=1, recorded_by="someone else"),
        "body.recorded_by",
        id="server-owned-recorded-by",
    ),
    pytest.param(
        "POST",
        OBSERVATIONS,
        observation_body(indicator="OC01", value=1, id=7),
        "body.id",
        id="server-owned-observation-id",
    ),
    pytest.param("GET", f"{INSTRUMENTS}?colour=blue", None, "query.colour", id="unknown-query-parameter"),
    pytest.param(
        "GET",
        f"{INSTRUMENTS}/cis-illegal-migration-1998?expand=all",
        None,
        "query.expand",
        id="unknown-query-parameter-on-read",
    ),
    # numbers no float can hold
    pytest.param(
        "POST",
        OBSERVATIONS,
        observation_body(indicator="OC01", value=10**400),
        "body.value",
        id="value-of-400-digits",
    ),
    pytest.param(
        "POST",
        OBSERVATIONS,
        [observation_body(indicator="OC01", value=-(10**4000))],
        "body[0].value",
        id="negative-value-of-4000-digits",
    ),
    # malformed bodies
    pytest.param("POST", INSTRUMENTS, '{"id": "x-1", ', "body", id="truncated-json"),
    pytest.param("POST", OBSERVATIONS, "[]", "body", id="empty-batch"),
    pytest.param("POST", OBSERVATIONS, '"just a string"', "body", id="body-not-an-object"),
]


@pytest.mark.parametrize(("method", "url", "body", "path"), CASES)
def test_bad_input_is_422_with_its_path(client: TestClient, method: str, url: str, body: Any, path: str) -> None:
    content = body if isinstance(body, str) or body is None else json.dumps(body)

    response = client.request(method, url, content=content, headers={"content-type": "application/json"})

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert path in [error["path"] for error in problem["errors"]]
    assert problem["detail"].startswith(f"{len(problem['errors'])} problem")


def test_unexpected_failure_is_500_problem_without_internals(client: TestClient) -> None:
    app = client.app
    assert isinstance(app, FastAPI)

    def explode() -> None:
        raise RuntimeError("secret /etc/passwd SELECT * FROM instrument")

    app.add_api_route("/explode", explode)

    response = client.get("/explode")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "The server failed; the error was logged.",
        "instance": "/explode",
    }


@pytest.mark.parametrize(
    ("content", "content_type", "status", "detail"),
    [
        pytest.param(b"{}", "text/plain", 415, f"{MUST_BE_JSON}, not text/plain.", id="text-plain"),
        pytest.param(b"{}", "", 415, f"{MUST_BE_JSON}, not no content type.", id="no-content-type"),
        pytest.param(b"[" * 100_000, "application/json", 422,
                     "1 problem in the request: body: the body could not be read as JSON (wrong encoding, or nested "
                     "too deeply)", id="nested-too-deeply"),
        pytest.param(b'"' + b"x" * (4 * 1024 * 1024) + b'"', "application/json", 413,
                     "The request body is larger than 4,194,304 bytes.", id="too-large"),
    ],
)  # fmt: skip
def test_unreadable_bodies_get_a_problem(
    client: TestClient, content: bytes, content_type: str, status: int, detail: str
) -> None:
    headers = {"content-type": content_type} if content_type else {}

    response = client.post(INSTRUMENTS, content=content, headers=headers)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == detail


def test_a_body_streamed_past_the_limit_is_cut_off_with_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'"'
        for _ in range(50):
            yield b"x" * 100_000

    response = client.post(INSTRUMENTS, content=chunks(), headers={"content-type": "application/json"})

    assert response.status_code == 413
    assert response.json()["title"] == "Content Too Large"


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        pytest.param("PUT", f"{INSTRUMENTS}/cis-illegal-migration-1998", "DELETE, GET, PATCH", id="put-on-instrument"),
        pytest.param("OPTIONS", INSTRUMENTS, "GET, POST", id="options-on-list"),
        pytest.param("DELETE", "/v1/indicators", "GET, POST", id="delete-on-catalogue"),
    ],
)
def test_wrong_method_is_405_naming_every_allowed_method(
    client: TestClient, method: str, url: str, allowed: str
) -> None:
    response = client.request(method, url)

    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.json()["detail"] == f"{method} is not allowed here; use {allowed}."


def test_a_query_parameter_given_twice_is_refused(client: TestClient) -> None:
    response = client.get(f"{INSTRUMENTS}?limit=1&limit=2")

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"path": "query.limit", "message": "is given more than once", "type": "repeated"}
    ]
