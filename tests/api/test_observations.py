"""Observations over HTTP: atomic batches, values that must fit their indicator, as-of reads, history."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.models import AuditEvent, Observation
from tests.conftest import TESTER
from tests.factories import indicator_body, instrument_body, observation_body

URL = "/v1/instruments/cis-illegal-migration-1998/observations"


@pytest.fixture(autouse=True)
def catalogue(client: TestClient) -> None:
    assert client.post("/v1/instruments", json=instrument_body()).status_code == 201
    indicators = [
        indicator_body(),
        indicator_body(
            key="OC01",
            label="Returns effected",
            dimension="outcomes",
            value_type="number",
            levels=[],
            min=0,
            unit="persons",
        ),
        indicator_body(key="OC02", label="Return rate", dimension="outcomes", value_type="percent", levels=[]),
        indicator_body(
            key="SG01", label="Non-refoulement clause", dimension="safeguards", value_type="boolean", levels=[]
        ),
        indicator_body(
            key="IM01",
            label="Review body",
            dimension="institutional",
            value_type="category",
            levels=[],
            categories=["none", "secretariat", "committee"],
        ),
    ]
    for body in indicators:
        assert client.post("/v1/indicators", json=body).status_code == 201, body


def record(client: TestClient, body: Any) -> Any:
    response = client.post(URL, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def stored_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Observation)).one()


def test_single_observation_is_recorded_with_evidence_and_recorder(client: TestClient) -> None:
    body = record(client, observation_body(note="Art. 1 binds the parties."))

    assert body["value"] == 2
    assert body["value_label"] == "binding treaty"
    assert body["evidence"]["title"] == "Agreement text, Art. 1"
    assert (body["confidence"], body["recorded_by"], body["note"]) == (
        "high",
        TESTER,
        "Art. 1 binds the parties.",
    )


@pytest.mark.parametrize(
    ("indicator", "value", "shown"),
    [
        pytest.param("LD01", "binding treaty", 2, id="ordinal-by-label"),
        pytest.param("OC01", 1250, 1250, id="number"),
        pytest.param("OC02", 37.5, 37.5, id="percent"),
        pytest.param("SG01", True, True, id="boolean"),
        pytest.param("IM01", "committee", "committee", id="category"),
    ],
)
def test_values_of_each_type_round_trip(client: TestClient, indicator: str, value: Any, shown: Any) -> None:
    record(client, observation_body(indicator=indicator, value=value))

    items = client.get(URL).json()["items"]

    assert [(item["indicator"], item["value"]) for item in items] == [(indicator, shown)]


@pytest.mark.parametrize(
    ("indicator", "value", "message"),
    [
        pytest.param(
            "LD01",
            3,
            "LD01 takes a level position from 0 to 2 or one of its level labels, not 3",
            id="ordinal-beyond-levels",
        ),
        pytest.param(
            "LD01",
            "binding",
            "LD01 takes a level position from 0 to 2 or one of its level labels, not 'binding'",
            id="ordinal-unknown-label",
        ),
        pytest.param(
            "LD01",
            1.5,
            "LD01 takes a level position from 0 to 2 or one of its level labels, not 1.5",
            id="ordinal-fraction",
        ),
        pytest.param("OC01", -1, "OC01 takes values from 0 to any, not -1", id="number-below-range"),
        pytest.param("OC01", True, "OC01 takes a number, not True", id="number-given-boolean"),
        pytest.param("OC02", 101, "OC02 takes values from 0 to 100, not 101", id="percent-above-100"),
        pytest.param("SG01", 1, "SG01 takes true or false, not 1", id="boolean-given-number"),
        pytest.param(
            "IM01",
            "board",
            "IM01 takes one of none, secretariat, committee, not 'board'",
            id="category-unknown",
        ),
    ],
)
def test_value_must_fit_its_indicator(client: TestClient, indicator: str, value: Any, message: str) -> None:
    response = client.post(URL, json=observation_body(indicator=indicator, value=value))

    assert response.status_code == 422
    assert response.json()["errors"] == [{"path": "body.value", "message": message, "type": "value_mismatch"}]


def test_batch_with_bad_rows_stores_nothing_and_names_every_bad_row(client: TestClient, session: Session) -> None:
    batch = [
        observation_body(),
        observation_body(indicator="OC02", value=140),
        observation_body(indicator="XX99"),
        observation_body(indicator="SG01", value=True),
    ]

    response = client.post(URL, json=batch)

    assert response.status_code == 422
    assert [(error["path"], error["type"]) for error in response.json()["errors"]] == [
        ("body[1].value", "value_mismatch"),
        ("body[2].indicator", "not_found"),
    ]
    assert stored_count(session) == 0


def test_batch_with_malformed_rows_names_each_path(client: TestClient, session: Session) -> None:
    batch = [observation_body(confidence="certain"), observation_body(), observation_body(as_of="2020-02-30")]

    response = client.post(URL, json=batch)

    assert response.status_code == 422
    assert [error["path"] for error in response.json()["errors"]] == ["body[0].confidence", "body[2].as_of"]
    assert stored_count(session) == 0


def test_valid_batch_is_stored_whole_and_audited_once(client: TestClient, session: Session) -> None:
    body = record(client, [observation_body(), observation_body(indicator="SG01", value=False)])

    assert [item["indicator"] for item in body] == ["LD01", "SG01"]
    assert stored_count(session) == 2
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "record_observations")).one()
    assert event.details == {"indicators": ["LD01", "SG01"], "count": 2}


def test_latest_values_as_of_a_past_date(client: TestClient) -> None:
    record(
        client,
        [
            observation_body(value=0, as_of="2001-01-01"),
            observation_body(value=1, as_of="2010-06-30"),
            observation_body(value=2, as_of="2020-01-01"),
        ],
    )

    def value_on(day: str) -> list[int]:
        return [item["value"] for item in client.get(f"{URL}?as_of={day}").json()["items"]]

    assert value_on("2000-12-31") == []
    assert value_on("2010-06-29") == [0]
    assert value_on("2010-06-30") == [1]
    assert value_on("2024-01-01") == [2]


def test_period_values_hold_from_the_end_of_their_period(client: TestClient) -> None:
    record(
        client,
        observation_body(indicator="OC01", value=900, as_of=None, period_start="2022-01-01", period_end="2022-12-31"),
    )

    before = client.get(f"{URL}?as_of=2022-12-30").json()["items"]
    after = client.get(f"{URL}?as_of=2023-01-01").json()["items"]

    assert before == []
    assert [(item["period_start"], item["period_end"], item["as_of"]) for item in after] == [
        ("2022-01-01", "2022-12-31", None)
    ]


def test_correction_supersedes_the_old_value_and_history_keeps_both(client: TestClient) -> None:
    first = record(client, observation_body(value=1))
    correction = record(client, observation_body(value=2, supersedes=first["id"], note="Misread Art. 1."))

    latest = client.get(URL).json()["items"]
    history = client.get(f"{URL}?indicator=LD01").json()["items"]

    assert [item["id"] for item in latest] == [correction["id"]]
    assert [(item["value"], item["supersedes"], item["superseded_by"]) for item in history] == [
        (1, None, correction["id"]),
        (2, first["id"], None),
    ]


def test_an_observation_can_be_superseded_once(client: TestClient) -> None:
    first = record(client, observation_body(value=1))
    second = record(client, observation_body(value=2, supersedes=first["id"]))

    response = client.post(URL, json=observation_body(value=0, supersedes=first["id"]))

    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == (
        f"observation {first['id']} is already superseded by {second['id']}; supersede that"
    )


@pytest.mark.parametrize(
    ("supersedes", "indicator", "value", "message"),
    [
        pytest.param(999999, "LD01", 2, "no observation has the id 999999", id="unknown"),
        pytest.param(
            "first",
            "SG01",
            True,
            "observation {first} is of another instrument, party, country or indicator",
            id="other-indicator",
        ),
    ],
)
def test_supersedes_must_name_an_observation_of_the_same_indicator(
    client: TestClient, supersedes: Any, indicator: str, value: Any, message: str
) -> None:
    first = record(client, observation_body(value=1))
    target = first["id"] if supersedes == "first" else supersedes

    response = client.post(URL, json=observation_body(indicator=indicator, value=value, supersedes=target))

    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == message.format(first=first["id"])


def test_a_correction_keeps_the_date_of_what_it_corrects(client: TestClient) -> None:
    first = record(client, observation_body(value=1, as_of="2005-01-01"))

    response = client.post(URL, json=observation_body(value=2, as_of="2003-01-01", supersedes=first["id"]))

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "path": "body.supersedes",
            "message": f"a correction keeps the date of what it corrects: observation {first['id']} holds for "
            "2005-01-01",
            "type": "supersedes",
        }
    ]


def test_history_of_an_unknown_indicator_is_404(client: TestClient) -> None:
    assert client.get(f"{URL}?indicator=NOPE").status_code == 404


def test_observations_of_an_unknown_instrument_are_404(client: TestClient) -> None:
    assert client.post("/v1/instruments/nope/observations", json=observation_body()).status_code == 404
