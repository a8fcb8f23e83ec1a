"""The instrument catalogue over HTTP: create, read, update, soft delete, list."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import AuditEvent
from app.models.instrument import InstrumentPublic
from tests.conftest import TESTER
from tests.factories import instrument_body


def create(client: TestClient, **overrides: Any) -> dict[str, Any]:
    response = client.post("/v1/instruments", json=instrument_body(**overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_created_instrument_reads_back_with_parties_and_partial_dates(client: TestClient) -> None:
    create(client, adopted="1998", signed="1998-03", in_force="1999-05-12")

    body = client.get("/v1/instruments/cis-illegal-migration-1998").json()

    assert (body["adopted"], body["signed"], body["in_force"]) == ("1998", "1998-03", "1999-05-12")
    assert [party["code"] for party in body["parties"]] == ["RUS", "UZB"]
    assert body["parties"][1]["ratified"] == "1999-05"
    assert body["topics"] == ["information_exchange", "readmission"]


def test_create_answers_201_with_location(client: TestClient) -> None:
    response = client.post("/v1/instruments", json=instrument_body())

    assert response.status_code == 201
    assert response.headers["location"] == "/v1/instruments/cis-illegal-migration-1998"


def test_duplicate_id_is_a_conflict(client: TestClient) -> None:
    create(client)

    response = client.post("/v1/instruments", json=instrument_body())

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


def test_patch_changes_only_the_fields_given(client: TestClient) -> None:
    create(client, summary="Old summary.")

    response = client.patch("/v1/instruments/cis-illegal-migration-1998", json={"legal_status": "expired"})

    assert response.status_code == 200
    assert response.json()["legal_status"] == "expired"
    assert response.json()["summary"] == "Old summary."
    assert len(response.json()["parties"]) == 2


def test_patch_replaces_parties_and_can_clear_a_date(client: TestClient) -> None:
    create(client)

    response = client.patch(
        "/v1/instruments/cis-illegal-migration-1998",
        json={
            "parties": [{"code": "UZB", "reservations": "Art. 5 not applied."}, {"code": "KAZ"}],
            "in_force": None,
        },
    )

    assert response.status_code == 200, response.text
    assert [(party["code"], party["reservations"]) for party in response.json()["parties"]] == [
        ("KAZ", None),
        ("UZB", "Art. 5 not applied."),
    ]
    assert response.json()["in_force"] is None


def test_patch_cannot_null_a_required_field(client: TestClient) -> None:
    create(client)

    response = client.patch("/v1/instruments/cis-illegal-migration-1998", json={"title": None})

    assert response.status_code == 422
    assert [error["path"] for error in response.json()["errors"]] == ["body.title"]


def test_patch_refuses_dates_out_of_order_with_the_stored_ones(client: TestClient) -> None:
    create(client, signed="1998-03-06", in_force=None)

    response = client.patch("/v1/instruments/cis-illegal-migration-1998", json={"in_force": "1997"})

    assert response.status_code == 422
    assert "in_force (1997) is before signed (1998-03-06)" in response.json()["detail"]


def test_deleted_instrument_is_gone_from_reads_and_lists_and_audited(client: TestClient, session: Session) -> None:
    create(client)

    deleted = client.delete("/v1/instruments/cis-illegal-migration-1998")

    assert (deleted.status_code, deleted.content, "content-type" in deleted.headers) == (204, b"", False)

    assert client.get("/v1/instruments/cis-illegal-migration-1998").status_code == 404
    assert client.get("/v1/instruments").json()["total"] == 0
    assert client.delete("/v1/instruments/cis-illegal-migration-1998").status_code == 404
    instrument_events = select(AuditEvent.action).where(AuditEvent.entity == "instrument")
    actions = session.exec(instrument_events.order_by(AuditEvent.id)).all()
    assert actions == ["create", "delete"]


def test_every_change_is_audited_with_actor_and_fields(client: TestClient, session: Session) -> None:
    create(client)
    client.patch("/v1/instruments/cis-illegal-migration-1998", json={"summary": "Now summarised."})

    event = session.exec(select(AuditEvent).where(AuditEvent.action == "update")).one()

    assert (event.actor, event.entity, event.entity_key) == (
        TESTER,
        "instrument",
        "cis-illegal-migration-1998",
    )
    assert event.details == {"changed": ["summary"]}


def test_unknown_instrument_is_404_problem(client: TestClient) -> None:
    response = client.get("/v1/instruments/no-such-thing")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "No instrument has the id 'no-such-thing'."


@pytest.fixture
def catalogue(client: TestClient) -> None:
    create(
        client,
        id="un-smuggling-protocol-2000",
        title="Protocol against the Smuggling of Migrants",
        short_name="Smuggling Protocol",
        kind="protocol",
        scope="universal",
        organisation="UN",
        signed="2000-12-12",
        in_force="2004-01-28",
        topics=["criminalisation_smuggling"],
        parties=[{"code": "UZB"}, {"code": "EU"}],
    )
    create(
        client,
        id="eu-readmission-russia-2006",
        title="Agreement between the EC and Russia on readmission",
        short_name="EU-Russia readmission",
        kind="readmission_agreement",
        scope="bilateral",
        organisation="EU",
        signed="2006-05-25",
        in_force="2007-06-01",
        topics=["readmission"],
        parties=[{"code": "EU"}, {"code": "RUS"}],
    )
    create(client)


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("organisation=EU", ["eu-readmission-russia-2006"], id="organisation"),
        pytest.param("scope=universal", ["un-smuggling-protocol-2000"], id="scope"),
        pytest.param("kind=regional_agreement", ["cis-illegal-migration-1998"], id="kind"),
        pytest.param(
            "status=in_force",
            ["cis-illegal-migration-1998", "eu-readmission-russia-2006", "un-smuggling-protocol-2000"],
            id="status",
        ),
        pytest.param("party=UZB", ["cis-illegal-migration-1998", "un-smuggling-protocol-2000"], id="party"),
        pytest.param("topic=readmission", ["cis-illegal-migration-1998", "eu-readmission-russia-2006"], id="topic"),
        pytest.param("q=SMUGGLING", ["un-smuggling-protocol-2000"], id="text-any-case"),
        pytest.param("q=100%25", [], id="text-with-wildcard-is-literal"),
        pytest.param("party=RUS&organisation=EU", ["eu-readmission-russia-2006"], id="two-filters"),
    ],
)
def test_list_filters(client: TestClient, query: str, expected: list[str]) -> None:
    body = client.get(f"/v1/instruments?{query}").json()

    assert [item["id"] for item in body["items"]] == expected
    assert body["total"] == len(expected)


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        pytest.param(
            "signed",
            ["cis-illegal-migration-1998", "un-smuggling-protocol-2000", "eu-readmission-russia-2006"],
            id="signed",
        ),
        pytest.param(
            "-in_force",
            ["eu-readmission-russia-2006", "un-smuggling-protocol-2000", "cis-illegal-migration-1998"],
            id="in-force-descending",
        ),
        pytest.param(
            "-id",
            ["un-smuggling-protocol-2000", "eu-readmission-russia-2006", "cis-illegal-migration-1998"],
            id="id-descending",
        ),
    ],
)
def test_list_sorts_by_allowed_fields(client: TestClient, sort: str, expected: list[str]) -> None:
    body = client.get(f"/v1/instruments?sort={sort}").json()

    assert [item["id"] for item in body["items"]] == expected


@pytest.mark.usefixtures("catalogue")
def test_list_pages_with_total_and_link_to_next_page(client: TestClient) -> None:
    first = client.get("/v1/instruments?limit=2")
    last = client.get("/v1/instruments?limit=2&offset=2")

    assert [item["id"] for item in first.json()["items"]] == [
        "cis-illegal-migration-1998",
        "eu-readmission-russia-2006",
    ]
    assert first.json()["total"] == 3
    assert first.headers["link"] == '<http://testserver/v1/instruments?limit=2&offset=2>; rel="next"'
    assert [item["id"] for item in last.json()["items"]] == ["un-smuggling-protocol-2000"]
    assert "link" not in last.headers


def test_sort_outside_the_allow_list_is_refused(client: TestClient) -> None:
    response = client.get("/v1/instruments?sort=deleted_at")

    assert response.status_code == 422
    assert [error["path"] for error in response.json()["errors"]] == ["query.sort"]


@pytest.mark.usefixtures("catalogue")
def test_listed_items_are_exactly_what_single_reads_show(client: TestClient) -> None:
    listed = client.get("/v1/instruments").json()["items"]

    assert [item["id"] for item in listed] == [
        "cis-illegal-migration-1998",
        "eu-readmission-russia-2006",
        "un-smuggling-protocol-2000",
    ]
    for item in listed:
        assert item == client.get(f"/v1/instruments/{item['id']}").json()
        assert InstrumentPublic.model_validate(item).id == item["id"]


def test_stored_values_come_back_with_their_json_types(client: TestClient) -> None:
    create(client, binding=False, party_count=12, key_provisions=["Art. 5: readmission within 30 days."])

    body = client.get("/v1/instruments/cis-illegal-migration-1998").json()

    assert body["binding"] is False
    assert body["party_count"] == 12
    assert body["key_provisions"] == ["Art. 5: readmission within 30 days."]
    assert body["sources"] == [{"title": "CIS Legislation", "url": "https://cis-legislation.com/document.fwx?rgn=4726"}]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", body["created_at"])


@pytest.mark.parametrize("query", ["Соглашение", "СОГЛАШЕНИЕ", "соглашение", "école", "ÉCOLE"])
def test_text_search_ignores_case_beyond_ascii(client: TestClient, query: str) -> None:
    create(client, title="Соглашение о сотрудничестве: accord sur l'École")  # noqa: RUF001  (Cyrillic on purpose)

    body = client.get("/v1/instruments", params={"q": query}).json()

    assert [item["id"] for item in body["items"]] == ["cis-illegal-migration-1998"]


@pytest.mark.parametrize("field", ["parties", "topics", "sources", "key_provisions", "title", "kind"])
def test_patch_refuses_null_for_a_field_that_cannot_be_empty(client: TestClient, field: str) -> None:
    create(client)

    response = client.patch("/v1/instruments/cis-illegal-migration-1998", json={field: None})

    assert response.status_code == 422
    assert [error["path"] for error in response.json()["errors"]] == [f"body.{field}"]


def test_patch_reports_bad_list_items_at_their_own_path(client: TestClient) -> None:
    create(client)

    response = client.patch("/v1/instruments/cis-illegal-migration-1998", json={"parties": [{"code": "uz"}]})

    assert [error["path"] for error in response.json()["errors"]] == ["body.parties[0].code"]
