"""Rubrics over HTTP: drafts guarded by ETags, immutable published versions, the default, diffs, the audit trail."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from app.models import AuditEvent
from tests.factories import indicator_body, rubric_body, rubric_definition

URL = "/v1/rubrics"


@pytest.fixture(autouse=True)
def catalogue(client: TestClient) -> None:
    assert client.post("/v1/indicators", json=indicator_body()).status_code == 201
    boolean = indicator_body(
        key="SG01", label="Non-refoulement", dimension="safeguards", value_type="boolean", levels=[]
    )
    assert client.post("/v1/indicators", json=boolean).status_code == 201


def create(client: TestClient, **overrides: Any) -> str:
    response = client.post(URL, json=rubric_body(**overrides))
    assert response.status_code == 201, response.text
    return str(response.headers["etag"])


def publish(client: TestClient, etag: str, note: str = "First version.", **extra: Any) -> Any:
    response = client.post(f"{URL}/balanced/publish", json={"note": note, **extra}, headers={"If-Match": etag})
    assert response.status_code == 201, response.text
    return response


def reweighted(weight: float) -> dict[str, Any]:
    definition = rubric_definition()
    definition["dimensions"][1]["weight"] = weight
    return definition


def test_created_rubric_reads_back_with_its_draft_and_etag(client: TestClient) -> None:
    etag = create(client)

    response = client.get(f"{URL}/balanced")

    assert response.headers["etag"] == etag == '"draft-1"'
    body = response.json()
    assert (body["draft"]["dimensions"][0]["key"], body["versions"], body["latest_version"]) == (
        "legal_design",
        [],
        None,
    )


def test_a_rubric_is_named_by_its_drafts_label(client: TestClient) -> None:
    etag = create(client)
    relabelled = rubric_definition(label="Balanced, revised")

    before = client.get(f"{URL}/balanced").json()
    after = client.put(f"{URL}/balanced/draft", json={"definition": relabelled}, headers={"If-Match": etag}).json()

    assert (before["label"], after["label"]) == ("Balanced", "Balanced, revised")
    assert "name" not in before


def test_a_rubric_is_described_by_its_drafts_description(client: TestClient) -> None:
    etag = create(client)
    redescribed = rubric_definition(description="Safeguards count as much as legal design.")
    undescribed = {key: value for key, value in rubric_definition().items() if key != "description"}

    before = client.get(f"{URL}/balanced").json()
    response = client.put(f"{URL}/balanced/draft", json={"definition": redescribed}, headers={"If-Match": etag})
    after = response.json()
    emptied = client.put(
        f"{URL}/balanced/draft", json={"definition": undescribed}, headers={"If-Match": response.headers["etag"]}
    ).json()

    assert [body["description"] for body in (before, after, emptied)] == [
        "Legal design counts twice as much as safeguards.",
        "Safeguards count as much as legal design.",
        "",
    ]
    assert [body["draft"]["description"] for body in (before, after, emptied)] == [
        body["description"] for body in (before, after, emptied)
    ]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        pytest.param("POST", URL, rubric_body(name="Balanced rubric"), "name", id="create-name"),
        pytest.param(
            "PUT", f"{URL}/balanced/draft", {"definition": rubric_definition(), "name": "B"}, "name", id="draft-name"
        ),
        pytest.param("POST", URL, rubric_body(description="Equal weights."), "description", id="create-description"),
        pytest.param(
            "PUT",
            f"{URL}/balanced/draft",
            {"definition": rubric_definition(), "description": "Equal weights."},
            "description",
            id="draft-description",
        ),
    ],
)
def test_a_rubric_name_or_description_beside_its_definition_is_refused(
    client: TestClient, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    etag = create(client)

    response = client.request(method, path, json=body, headers={"If-Match": etag})

    assert response.status_code == 422
    assert [(problem["path"], problem["message"]) for problem in response.json()["errors"]] == [
        (f"body.{field}", "is not a field this body accepts")
    ]
    assert client.get(f"{URL}/balanced").headers["etag"] == etag


def test_publishing_freezes_the_draft_as_version_one(client: TestClient) -> None:
    etag = create(client)

    version = publish(client, etag, author="Policy team").json()

    assert (version["rubric"]["version"], version["author"], version["note"]) == (1, "Policy team", "First version.")
    assert client.get(f"{URL}/balanced/versions/1").json()["definition"] == version["definition"]
    assert [item["version"] for item in client.get(f"{URL}/balanced/versions").json()] == [1]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({}, 428, id="without-if-match"),
        pytest.param({"If-Match": '"draft-7"'}, 412, id="stale-etag"),
        pytest.param({"If-Match": '"something-else"'}, 412, id="foreign-etag"),
    ],
)
def test_draft_edits_need_the_current_etag(client: TestClient, headers: dict[str, str], status: int) -> None:
    create(client)

    response = client.put(f"{URL}/balanced/draft", json={"definition": reweighted(3)}, headers=headers)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get(f"{URL}/balanced").json()["draft"]["dimensions"][1]["weight"] == 1.0


def test_two_editors_with_one_etag_the_second_gets_412(client: TestClient) -> None:
    etag = create(client)
    first = client.put(f"{URL}/balanced/draft", json={"definition": reweighted(3)}, headers={"If-Match": etag})

    second = client.put(f"{URL}/balanced/draft", json={"definition": reweighted(5)}, headers={"If-Match": etag})

    assert (first.status_code, first.headers["etag"]) == (200, '"draft-2"')
    assert second.status_code == 412
    assert client.get(f"{URL}/balanced").json()["draft"]["dimensions"][1]["weight"] == 3.0


def test_a_bad_draft_lists_every_problem_with_its_path(client: TestClient) -> None:
    definition = rubric_definition()
    definition["dimensions"][0]["weight"] = -1
    definition["dimensions"][1]["criteria"][0]["indicator"] = "NOPE"

    response = client.post(URL, json=rubric_body(definition=definition))

    assert response.status_code == 422
    assert [error["path"] for error in response.json()["errors"]] == [
        "body.definition.dimensions[0].weight",
        "body.definition.dimensions[1].criteria[0].indicator",
    ]


def test_definition_key_must_match_the_rubric(client: TestClient) -> None:
    response = client.post(URL, json=rubric_body(definition=rubric_definition(key="other")))

    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "body.definition.key"


def test_published_versions_cannot_be_changed_even_by_sql(client: TestClient, session: Session) -> None:
    publish(client, create(client))

    for statement in ("UPDATE rubric_version SET note = 'rewritten'", "DELETE FROM rubric_version"):
        with pytest.raises(DBAPIError, match="published rubric versions are immutable"), session.begin_nested():
            session.execute(text(statement))

    assert client.get(f"{URL}/balanced/versions/1").json()["note"] == "First version."


def test_publishing_again_gives_version_two_and_the_diff_names_the_change(client: TestClient) -> None:
    etag = publish(client, create(client)).headers["etag"]
    etag = client.put(f"{URL}/balanced/draft", json={"definition": reweighted(3)}, headers={"If-Match": etag})
    publish(client, etag.headers["etag"], note="Safeguards weigh more.")

    diff = client.get(f"{URL}/balanced/diff", params={"from": 1, "to": 2}).json()

    assert diff["from"] == "1"
    assert diff["changes"] == [
        {"kind": "reweighted", "key": "safeguards", "path": "dimensions[1]", "field": None, "before": 1.0, "after": 3.0}
    ]


def test_default_version_is_marked(client: TestClient) -> None:
    publish(client, create(client))

    response = client.put(f"{URL}/balanced/default", json={"version": 1})

    assert response.json()["is_default"] is True
    assert client.get(f"{URL}/balanced/versions").json()[0]["is_default"] is True


def test_every_change_is_audited(client: TestClient, session: Session) -> None:
    etag = create(client)
    publish(client, etag, make_default=True)

    events = session.exec(select(AuditEvent.action, AuditEvent.details).where(AuditEvent.entity == "rubric")).all()

    assert [tuple(event) for event in events] == [
        ("create", {}),
        ("publish", {"version": 1, "note": "First version.", "default": True}),
    ]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        pytest.param(f"{URL}/nope", 404, id="unknown-rubric"),
        pytest.param(f"{URL}/balanced/versions/9", 404, id="unknown-version"),
        pytest.param(f"{URL}/balanced/diff?from=1&to=x", 422, id="malformed-version"),
        pytest.param(f"{URL}/balanced/diff?from=1&to=9", 404, id="diff-to-unknown-version"),
    ],
)
def test_unknown_rubrics_and_versions(client: TestClient, path: str, status: int) -> None:
    publish(client, create(client))

    assert client.get(path).status_code == status


def test_an_indicator_a_rubric_reads_keeps_its_shape(client: TestClient) -> None:
    publish(client, create(client))

    response = client.patch("/v1/indicators/SG01", json={"value_type": "number"})

    assert response.status_code == 409
    assert response.json()["detail"].startswith("'SG01' is used by the rubrics balanced, balanced@1; its value_type")
    assert client.get("/v1/scores?rubric=balanced").status_code == 200


def _deep(levels: int) -> dict[str, Any]:
    criterion = {"key": "binding", "label": "B", "indicator": "LD01", "normalisation": {"method": "rank"}}
    node: dict[str, Any] = {"key": f"n{levels}", "label": "N", "criteria": [criterion]}
    for level in range(levels - 1, 0, -1):
        node = {"key": f"n{level}", "label": "N", "nodes": [node]}
    return rubric_definition(dimensions=[node])


def _wide(dimensions: int) -> dict[str, Any]:
    criterion = {"label": "C", "indicator": "LD01", "normalisation": {"method": "rank"}}
    nodes = [{"key": f"d{n}", "label": "D", "criteria": [{**criterion, "key": f"c{n}"}]} for n in range(dimensions)]
    return rubric_definition(dimensions=nodes)


@pytest.mark.parametrize(
    ("definition", "path", "kind"),
    [
        pytest.param(_deep(8), "body.definition.dimensions[0].nodes[0]", "depth", id="too-deep"),
        pytest.param(rubric_definition(label="x" * 5001), "body.definition.label", "text", id="label-too-long"),
        pytest.param(rubric_definition(description="a\x00b"), "body.definition.description", "text", id="nul"),
        pytest.param(_wide(250), "body.definition", "size", id="too-many-nodes"),
    ],
)
def test_rubrics_are_bounded_in_depth_size_and_text(
    client: TestClient, definition: dict[str, Any], path: str, kind: str
) -> None:
    response = client.post(URL, json=rubric_body(definition=definition))

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [error["type"] for error in errors] == [kind]
    assert errors[0]["path"].startswith(path)
