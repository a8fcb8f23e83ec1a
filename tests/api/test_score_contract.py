"""The score contract on the study's seed data: each operation's body is its documented model, nothing more."""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlmodel import Session

from app.main import create_app
from app.models.score_results import (
    Comparison,
    InstrumentSensitivity,
    Preview,
    PreviewedInstrument,
    RankedInstrument,
    Ranking,
    ScoreExplanation,
    ScoreHistory,
    ScoreSummary,
    Sensitivity,
)
from seeds.files import DEFAULT_PATH, read_seeds
from seeds.loader import load_seeds

SCORED = "un-tip-protocol-2000"
UNSCORED = "uzb-kor-eps-mou"


@pytest.fixture(autouse=True)
def seeded(session: Session) -> None:
    load_seeds(session, read_seeds(DEFAULT_PATH))


OPERATIONS = [
    pytest.param("GET", "/v1/scores", None, Ranking, id="ranking"),
    pytest.param("GET", "/v1/scores?rubric=legal-design-and-safeguards&sort=-score", None, Ranking, id="ranking-2"),
    pytest.param("GET", f"/v1/instruments/{SCORED}/score", None, ScoreExplanation, id="explained"),
    pytest.param("GET", f"/v1/instruments/{UNSCORED}/score", None, ScoreExplanation, id="explained-unscored"),
    pytest.param("GET", f"/v1/instruments/{SCORED}/score-history", None, ScoreHistory, id="history"),
    pytest.param("GET", f"/v1/scores/compare?ids={SCORED},{UNSCORED}", None, Comparison, id="compare"),
    pytest.param("GET", "/v1/scores/summary?group_by=organisation", None, ScoreSummary, id="summary-organisation"),
    pytest.param("GET", "/v1/scores/summary?group_by=party", None, ScoreSummary, id="summary-party"),
    pytest.param("POST", "/v1/scores/preview", {"weights": {"safeguards": 3}}, Preview, id="preview"),
    pytest.param("GET", "/v1/rubrics/balanced/sensitivity?samples=20", None, Sensitivity, id="sensitivity"),
]


@pytest.mark.parametrize(("method", "url", "body", "model"), OPERATIONS)
def test_every_score_body_is_its_model_exactly(
    client: TestClient, method: str, url: str, body: Any, model: type[BaseModel]
) -> None:
    response = client.request(method, url, json=body)

    assert response.status_code == 200, response.text
    parsed = model.model_validate_json(response.content)  # the models forbid extra fields
    assert set(response.json()) == set(model.model_fields)
    assert parsed.model_dump(mode="json") == response.json()


@pytest.mark.parametrize(
    ("url", "body", "row"),
    [
        pytest.param("/v1/scores", None, RankedInstrument, id="ranking"),
        pytest.param("/v1/scores/preview", {"weights": {"outcomes": 0}}, PreviewedInstrument, id="preview"),
        pytest.param("/v1/rubrics/balanced/sensitivity?samples=20", None, InstrumentSensitivity, id="sensitivity"),
    ],
)
def test_rows_built_in_bulk_have_their_model_fields_in_order(
    client: TestClient, url: str, body: Any, row: type[BaseModel]
) -> None:
    response = client.post(url, json=body) if body else client.get(url)

    items = response.json()["items"]
    assert items
    assert {tuple(item) for item in items} == {tuple(row.model_fields)}


def test_every_score_operation_documents_its_success_body(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    documented = {
        (path, method): operation["responses"]["200"]["content"]["application/json"]["schema"]
        for path, methods in paths.items()
        for method, operation in methods.items()
        if "scores" in operation.get("tags", [])
    }

    assert documented == {
        ("/v1/scores", "get"): {"$ref": "#/components/schemas/Ranking"},
        ("/v1/instruments/{id}/score", "get"): {"$ref": "#/components/schemas/ScoreExplanation"},
        ("/v1/instruments/{id}/score-history", "get"): {"$ref": "#/components/schemas/ScoreHistory"},
        ("/v1/scores/compare", "get"): {"$ref": "#/components/schemas/Comparison"},
        ("/v1/scores/summary", "get"): {"$ref": "#/components/schemas/ScoreSummary"},
        ("/v1/scores/preview", "post"): {"$ref": "#/components/schemas/Preview"},
        ("/v1/rubrics/{key}/sensitivity", "get"): {"$ref": "#/components/schemas/Sensitivity"},
    }


def test_the_csv_has_the_instrument_its_dimension_scores_and_integer_ranks(client: TestClient) -> None:
    lines = client.get("/v1/scores", params={"format": "csv"}).text.splitlines()

    assert lines[0] == (
        "rank,instrument,title,organisation,scope,kind,score,score_low,score_high,provisional,grade,coverage,"
        "score_legal_design,"
        "score_institutional,score_implementation,score_outcomes,score_safeguards,insufficient_data"
    )
    first = lines[1].split(",")
    assert first[0] == "1"
    assert len(lines) == 40


def test_unscored_instruments_say_why_in_one_sentence_and_list_the_missing_criteria(client: TestClient) -> None:
    items = client.get("/v1/scores", params={"limit": 200}).json()["items"]
    unscored = [item for item in items if item["score"] is None]

    assert unscored
    assert all(len(item["insufficient_data"]) < 200 for item in unscored)
    assert all(item["insufficient_data"].count(".") == 1 for item in unscored)
    explained = client.get(f"/v1/instruments/{unscored[0]['instrument']}/score").json()
    assert explained["missing"] == unscored[0]["missing"]
    assert {criterion["key"] for criterion in explained["criteria"] if "missing" in criterion["flags"]} == set(
        unscored[0]["missing"]
    )


def test_each_application_owns_its_score_caches(session: Session) -> None:
    first, second = create_app(), create_app()

    assert first.state.score_caches is not second.state.score_caches
    assert len(first.state.score_caches.runs) == 0
