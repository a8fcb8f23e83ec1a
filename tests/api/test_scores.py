"""Scores over HTTP: rankings, explanations with evidence, comparisons, summaries, what-if and sensitivity."""

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Rubric, RubricVersion
from app.services.scores import previews
from tests.factories import indicator_body, instrument_body, observation_body, rubric_body, rubric_definition

INSTRUMENTS = {"cis-1998": "CIS", "eu-russia-2006": "EU", "un-smuggling-2000": "UN"}


@pytest.fixture(autouse=True)
def scored(client: TestClient) -> None:
    """Three instruments (one without values), two indicators, a published default rubric."""
    client.post("/v1/indicators", json=indicator_body())
    client.post("/v1/indicators", json=indicator_body(key="SG01", label="Non-refoulement", value_type="boolean"))
    for number, (slug, organisation) in enumerate(INSTRUMENTS.items()):
        client.post("/v1/instruments", json=instrument_body(id=slug, organisation=organisation))
        if number < 2:
            values = [observation_body(value=number + 1), observation_body(indicator="SG01", value=bool(number))]
            assert client.post(f"/v1/instruments/{slug}/observations", json=values).status_code == 201
    etag = client.post("/v1/rubrics", json=rubric_body()).headers["etag"]
    published = client.post(
        "/v1/rubrics/balanced/publish", json={"note": "v1", "make_default": True}, headers={"If-Match": etag}
    )
    assert published.status_code == 201


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["instrument"] for item in items]


def test_ranking_lists_every_instrument_with_insufficient_data_explicit(client: TestClient) -> None:
    body = client.get("/v1/scores").json()

    assert body["rubric"] == {"key": "balanced", "version": 1, "label": "Balanced"}
    assert [(item["instrument"], item["rank"], item["grade"]) for item in body["items"]] == [
        ("eu-russia-2006", 1, "High"),
        ("cis-1998", 2, "Moderate"),
        ("un-smuggling-2000", None, None),
    ]
    assert body["items"][0]["score"] == 100.0
    assert body["items"][1]["score"] == pytest.approx(100 / 3)
    reason = "No score: Legal design has no value and 1 more part lacks data; 2 of 2 criteria have no value."
    assert body["items"][2]["insufficient_data"] == reason
    assert body["items"][2]["missing"] == ["bindingness", "non_refoulement"]
    assert body["items"][1]["missing"] is None


def test_a_score_on_too_little_of_the_rubric_is_provisional_with_its_range_and_no_grade(client: TestClient) -> None:
    client.post("/v1/instruments", json=instrument_body(id="partial-2001", organisation="SCO"))
    client.post("/v1/instruments/partial-2001/observations", json=observation_body(value=2))
    definition = rubric_definition(key="graded", grading={"min_coverage": 0.75})
    etag = client.post("/v1/rubrics", json=rubric_body(key="graded", definition=definition)).headers["etag"]
    client.post("/v1/rubrics/graded/publish", json={"note": "v1"}, headers={"If-Match": etag})
    params = {"rubric": "graded"}

    rows = {item["instrument"]: item for item in client.get("/v1/scores", params=params).json()["items"]}
    graded = ids(client.get("/v1/scores", params={**params, "provisional": "false"}).json()["items"])
    provisional = ids(client.get("/v1/scores", params={**params, "provisional": "true"}).json()["items"])
    explained = client.get("/v1/instruments/partial-2001/score", params=params).json()

    partial = rows["partial-2001"]
    assert (partial["score"], partial["provisional"], partial["grade"]) == (100.0, True, None)
    assert partial["score_range"] == {"low": pytest.approx(200 / 3), "high": 100.0}
    assert rows["cis-1998"]["score_range"] == {"low": pytest.approx(100 / 3), "high": pytest.approx(100 / 3)}
    assert (rows["cis-1998"]["provisional"], rows["cis-1998"]["grade"]) == (False, "Moderate")
    assert rows["un-smuggling-2000"]["score_range"] == {"low": 0.0, "high": 100.0}
    assert (graded, provisional) == (["eu-russia-2006", "cis-1998"], ["partial-2001"])
    assert (explained["provisional"], explained["needed_coverage"], explained["grade"]) == (True, 0.75, None)
    assert explained["lines"][0].startswith("Balanced: 100.0 points (could be 66.7 to 100.0), provisional")


def test_filters_keep_the_rank_among_all_instruments(client: TestClient) -> None:
    body = client.get("/v1/scores", params={"organisation": "CIS"}).json()

    assert [(item["instrument"], item["rank"]) for item in body["items"]] == [("cis-1998", 2)]
    assert body["total"] == 1


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        pytest.param("-rank", ["cis-1998", "eu-russia-2006", "un-smuggling-2000"], id="rank-descending"),
        pytest.param("score", ["cis-1998", "eu-russia-2006", "un-smuggling-2000"], id="score-ascending"),
        pytest.param("instrument", ["cis-1998", "eu-russia-2006", "un-smuggling-2000"], id="instrument"),
        pytest.param("-instrument", ["un-smuggling-2000", "eu-russia-2006", "cis-1998"], id="instrument-descending"),
    ],
)
def test_ranking_sorts(client: TestClient, sort: str, expected: list[str]) -> None:
    assert ids(client.get("/v1/scores", params={"sort": sort}).json()["items"]) == expected


def test_ties_are_broken_by_instrument_id_in_both_directions(client: TestClient) -> None:
    client.post("/v1/instruments", json=instrument_body(id="aaa-twin-2001", organisation="CIS"))
    values = [observation_body(value=1), observation_body(indicator="SG01", value=False)]
    client.post("/v1/instruments/aaa-twin-2001/observations", json=values)

    ascending = ids(client.get("/v1/scores", params={"sort": "rank"}).json()["items"])
    descending = ids(client.get("/v1/scores", params={"sort": "-score"}).json()["items"])

    assert ascending == ["eu-russia-2006", "aaa-twin-2001", "cis-1998", "un-smuggling-2000"]
    assert descending == ["eu-russia-2006", "aaa-twin-2001", "cis-1998", "un-smuggling-2000"]
    assert ids(client.get("/v1/scores", params={"sort": "-rank"}).json()["items"])[:2] == ["aaa-twin-2001", "cis-1998"]


def test_ranking_pages_with_a_link_to_the_next(client: TestClient) -> None:
    response = client.get("/v1/scores", params={"limit": 2})

    assert ids(response.json()["items"]) == ["eu-russia-2006", "cis-1998"]
    assert response.headers["link"] == '<http://testserver/v1/scores?limit=2&offset=2>; rel="next"'


def test_same_data_gives_the_same_bytes_and_an_etag_that_answers_304(client: TestClient) -> None:
    first, second = client.get("/v1/scores"), client.get("/v1/scores")

    assert first.content == second.content
    assert first.headers["etag"] == second.headers["etag"]
    assert client.get("/v1/scores", headers={"If-None-Match": first.headers["etag"]}).status_code == 304


def test_if_none_match_star_answers_304_and_a_post_that_would_repeat_itself_fails_its_condition(
    client: TestClient,
) -> None:
    preview = client.post("/v1/scores/preview", json={"weights": {"legal_design": 2}})
    repeated = client.post(
        "/v1/scores/preview", json={"weights": {"legal_design": 2}}, headers={"If-None-Match": preview.headers["etag"]}
    )

    assert client.get("/v1/scores", headers={"If-None-Match": "*"}).status_code == 304
    assert (repeated.status_code, repeated.headers["content-type"]) == (412, "application/problem+json")


def test_a_version_published_under_looser_rules_is_a_conflict_not_a_failure(
    client: TestClient, session: Session
) -> None:
    definition = rubric_definition()
    definition["dimensions"][0]["weight"] = 1e9  # accepted before weights were bounded
    rubric = session.exec(select(Rubric).where(Rubric.key == "balanced")).one()
    session.add(RubricVersion(rubric_id=rubric.id, number=2, definition=definition, author="then", note="old rules"))
    session.commit()

    response = client.get("/v1/scores", params={"rubric": "balanced@2"})

    assert (response.status_code, response.headers["content-type"]) == (409, "application/problem+json")
    assert "dimensions[0].weight: a weight must be at most 1e+06" in response.json()["detail"]


def test_a_write_moves_the_data_revision_and_the_scores(client: TestClient) -> None:
    before = client.get("/v1/scores").json()
    correction = observation_body(indicator="SG01", value=True, as_of="2020-01-02")
    client.post("/v1/instruments/cis-1998/observations", json=correction)

    after = client.get("/v1/scores").json()

    assert after["data_revision"] == before["data_revision"] + 1
    assert [item["score"] for item in after["items"][:2]] == [100.0, pytest.approx(200 / 3)]


def test_csv_ranking_neutralises_formula_cells(client: TestClient) -> None:
    definition = rubric_definition(key="formulas", grades=[{"label": "=HYPERLINK(1)", "min": 0}])
    etag = client.post("/v1/rubrics", json=rubric_body(key="formulas", definition=definition)).headers["etag"]
    client.post("/v1/rubrics/formulas/publish", json={"note": "v1"}, headers={"If-Match": etag})

    response = client.get("/v1/scores", params={"rubric": "formulas"}, headers={"Accept": "text/csv"})

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(row["instrument"], row["grade"]) for row in rows[:2]] == [
        ("eu-russia-2006", "'=HYPERLINK(1)"),
        ("cis-1998", "'=HYPERLINK(1)"),
    ]


def test_explained_score_names_its_evidence_and_improvement_potential(client: TestClient) -> None:
    body = client.get("/v1/instruments/cis-1998/score").json()

    assert (body["score"], body["rank"], body["grade"]) == (pytest.approx(100 / 3), 2, "Moderate")
    binding = next(item for item in body["criteria"] if item["key"] == "bindingness")
    assert binding["observations"]["LD01"]["evidence"]["title"] == "Agreement text, Art. 1"
    assert binding["observations"]["LD01"]["confidence"] == "high"
    assert binding["improvement_potential"] == pytest.approx(100 / 3)
    assert sum(item["contribution"] for item in body["criteria"]) == pytest.approx(body["score"], abs=1e-9)
    assert body["lines"][0].startswith("Balanced: 33.3 points")


def test_an_instrument_without_values_gets_insufficient_data_not_a_number(client: TestClient) -> None:
    body = client.get("/v1/instruments/un-smuggling-2000/score").json()

    assert (body["score"], body["rank"]) == (None, None)
    assert body["missing"] == ["bindingness", "non_refoulement"]
    assert len(body["insufficient_data"]) < 200
    assert "missing: Bindingness, Non-refoulement clause" in body["lines"][0]


def test_a_deleted_instrument_has_no_score_and_leaves_the_ranking(client: TestClient) -> None:
    client.delete("/v1/instruments/eu-russia-2006")

    assert client.get("/v1/instruments/eu-russia-2006/score").status_code == 404
    assert ids(client.get("/v1/scores").json()["items"]) == ["cis-1998", "un-smuggling-2000"]
    assert client.get("/v1/scores/compare", params={"ids": "cis-1998,eu-russia-2006"}).status_code == 404
    assert "eu-russia-2006" not in client.get("/v1/scores", params={"format": "csv"}).text
    groups = client.get("/v1/scores/summary", params={"group_by": "organisation"}).json()["groups"]
    assert "EU" not in {group["group"] for group in groups}


def test_score_history_has_a_point_per_date_the_data_changed(client: TestClient) -> None:
    client.post("/v1/instruments/cis-1998/observations", json=observation_body(value=2, as_of="2022-06-30"))

    history = client.get("/v1/instruments/cis-1998/score-history").json()
    points = history["points"]

    assert [(point["as_of"], point["score"]) for point in points] == [
        ("2020-01-01", pytest.approx(100 / 3)),
        ("2022-06-30", pytest.approx(200 / 3)),
    ]
    assert history["data_revision"] == client.get("/v1/scores").json()["data_revision"]


def test_compare_puts_instruments_side_by_side_node_by_node(client: TestClient) -> None:
    body = client.get("/v1/scores/compare", params={"ids": "cis-1998,eu-russia-2006"}).json()

    assert [column["instrument"] for column in body["instruments"]] == ["cis-1998", "eu-russia-2006"]
    assert body["instruments"][0]["nodes"]["legal_design"] == 50.0
    assert body["instruments"][1]["nodes"]["safeguards"] == 100.0


def test_a_dimension_that_shares_the_rubrics_key_keeps_its_own_points(client: TestClient) -> None:
    etag = client.post("/v1/rubrics", json=rubric_body(key="legal_design")).headers["etag"]
    client.post("/v1/rubrics/legal_design/publish", json={"note": "v1"}, headers={"If-Match": etag})
    params = {"rubric": "legal_design"}

    body = client.get("/v1/scores/compare", params={**params, "ids": "cis-1998,eu-russia-2006"}).json()
    rows = list(csv.DictReader(io.StringIO(client.get("/v1/scores", params={**params, "format": "csv"}).text)))

    assert [node["key"] for node in body["nodes"]] == ["legal_design", "safeguards"]
    assert (body["instruments"][0]["score"], body["instruments"][0]["nodes"]["legal_design"]) == (
        pytest.approx(100 / 3),
        50.0,
    )
    assert rows[1]["score_legal_design"] == "50.0"


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        pytest.param("organisation", {"CIS": (1, 1), "EU": (1, 1), "UN": (1, 0)}, id="organisation"),
        pytest.param("party", {"RUS": (3, 2), "UZB": (3, 2)}, id="party"),
    ],
)
def test_summary_counts_and_scores_each_group(
    client: TestClient, group_by: str, expected: dict[str, tuple[int, int]]
) -> None:
    groups = client.get("/v1/scores/summary", params={"group_by": group_by}).json()["groups"]

    assert {group["group"]: (group["count"], group["scored"]) for group in groups} == expected
    eu = next(group for group in groups if group["group"] in {"EU", "RUS"})
    assert eu["best"]["instrument"] == "eu-russia-2006"


def test_preview_of_a_reweighting_reports_score_and_rank_changes(client: TestClient) -> None:
    body = client.post("/v1/scores/preview", json={"weights": {"legal_design": 0}}).json()

    assert [(item["instrument"], item["score"], item["rank_change"]) for item in body["items"][:2]] == [
        ("eu-russia-2006", 100.0, 0),
        ("cis-1998", 0.0, 0),
    ]
    assert body["items"][1]["score_change"] == pytest.approx(-100 / 3)
    assert body["moved"] == 0
    assert client.get("/v1/rubrics/balanced").json()["latest_version"] == 1


def test_preview_of_a_whole_draft_definition(client: TestClient) -> None:
    definition = rubric_definition(key="safeguards-only")
    definition["dimensions"] = definition["dimensions"][1:]

    body = client.post("/v1/scores/preview", json={"definition": definition}).json()

    assert [(item["instrument"], item["score"]) for item in body["items"][:2]] == [
        ("eu-russia-2006", 100.0),
        ("cis-1998", 0.0),
    ]
    assert body["alternative"] == {"key": "safeguards-only", "version": None, "label": "Balanced"}
    assert body["alternative_digest"].startswith("draft-")


def test_a_preview_counts_instruments_that_lose_their_score_as_moved(client: TestClient) -> None:
    definition = rubric_definition(key="demanding", missing={"policy": "renormalise", "min_coverage": 1.0})
    definition["dimensions"][1]["criteria"][0]["indicator"] = "OC01"
    client.post("/v1/indicators", json=indicator_body(key="OC01", label="Returns", value_type="boolean"))

    body = client.post("/v1/scores/preview", json={"definition": definition}).json()

    assert [(item["instrument"], item["rank"], item["baseline_rank"]) for item in body["items"]] == [
        ("cis-1998", None, 2),
        ("eu-russia-2006", None, 1),
        ("un-smuggling-2000", None, None),
    ]
    assert body["moved"] == 2


def test_sensitivity_is_reproducible_with_a_seed(client: TestClient) -> None:
    params = {"samples": 50, "spread": 0.5, "seed": 7}
    first = client.get("/v1/rubrics/balanced/sensitivity", params=params).json()
    second = client.get("/v1/rubrics/balanced/sensitivity", params=params).json()

    assert first == second
    assert [(item["instrument"], item["median_rank"]) for item in first["items"]] == [
        ("eu-russia-2006", 1.0),
        ("cis-1998", 2.0),
        ("un-smuggling-2000", None),
    ]
    assert {item["key"] for item in first["influence"]} == {"legal_design", "safeguards", "bindingness",
                                                            "non_refoulement"}  # fmt: skip


@pytest.mark.parametrize(
    ("method", "url", "body", "status", "path"),
    [
        pytest.param("GET", "/v1/scores?rubric=nope", None, 404, None, id="unknown-rubric"),
        pytest.param("GET", "/v1/scores?rubric=balanced@9", None, 404, None, id="unknown-version"),
        pytest.param("GET", "/v1/scores?rubric=Balanced@@1", None, 422, "query.rubric", id="malformed-rubric"),
        pytest.param("GET", "/v1/scores?as_of=2999-01-01", None, 422, "query.as_of", id="as-of-in-future"),
        pytest.param("GET", "/v1/scores?as_of=01/02/2020", None, 422, "query.as_of", id="as-of-malformed"),
        pytest.param("GET", "/v1/scores/compare?ids=cis-1998", None, 422, "query.ids", id="compare-one"),
        pytest.param("GET", "/v1/scores/summary?group_by=colour", None, 422, "query.group_by", id="bad-group"),
        pytest.param("POST", "/v1/scores/preview", {"weights": {"nope": 1}}, 422, "body.weights.nope",
                     id="override-unknown-node"),
        pytest.param("POST", "/v1/scores/preview", {"weights": {"safeguards": -1}}, 422, "body.weights.safeguards",
                     id="negative-weight"),
        pytest.param("POST", "/v1/scores/preview", {}, 422, "body", id="nothing-to-preview"),
        pytest.param("GET", "/v1/rubrics/balanced/sensitivity?samples=100000", None, 422, "query.samples",
                     id="too-many-samples"),
    ],
)  # fmt: skip
def test_bad_score_requests_are_clear_problems(
    client: TestClient, method: str, url: str, body: Any, status: int, path: str | None
) -> None:
    response = client.request(method, url, json=body)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if path is not None:
        assert path in [error["path"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    "weight",
    [
        pytest.param("Infinity", id="infinite"),
        pytest.param("1e307", id="huge"),
        pytest.param("1" + "0" * 400, id="400-digits"),
        pytest.param('"2"', id="string"),
        pytest.param("true", id="boolean"),
    ],
)
def test_a_weight_that_is_not_a_bounded_number_is_refused_at_its_path(client: TestClient, weight: str) -> None:
    for body, path in (
        (f'{{"weights": {{"safeguards": {weight}}}}}', "body.weights.safeguards"),
        (
            f'{{"definition": {{"key": "r", "label": "R", "dimensions": [{{"key": "d", "label": "D", '
            f'"weight": {weight}, "criteria": [{{"key": "c", "label": "C", "indicator": "LD01", '
            '"normalisation": {"method": "rank"}}]}]}}',
            "body.definition.dimensions[0].weight",
        ),
    ):
        response = client.post("/v1/scores/preview", content=body, headers={"content-type": "application/json"})

        assert response.status_code == 422, response.text
        assert path in [error["path"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    ("accept", "is_csv"),
    [
        pytest.param("text/csv", True, id="csv"),
        pytest.param("application/json, text/csv;q=0.1", False, id="json-preferred"),
        pytest.param("text/csv, application/json;q=0.5", True, id="csv-preferred"),
        pytest.param("*/*", False, id="anything"),
    ],
)
def test_csv_is_sent_when_preferred_and_names_what_it_was_computed_on(
    client: TestClient, accept: str, is_csv: bool
) -> None:
    response = client.get("/v1/scores", headers={"Accept": accept})
    again = client.get("/v1/scores", headers={"Accept": accept, "If-None-Match": response.headers["etag"]})

    assert response.headers["content-type"].startswith("text/csv") is is_csv
    assert "Accept" in response.headers["vary"]
    assert again.status_code == 304
    if is_csv:
        assert response.headers["x-rubric"] == "balanced@1"
        assert response.headers["content-disposition"].startswith('attachment; filename="scores-balanced-v1-')


def test_compare_refuses_an_empty_id(client: TestClient) -> None:
    response = client.get("/v1/scores/compare", params={"ids": "cis-1998,,eu-russia-2006"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "query.ids"


def test_sensitivity_work_is_bounded_by_samples_times_instruments(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(previews, "MAX_SENSITIVITY_WORK", 150)

    allowed = client.get("/v1/rubrics/balanced/sensitivity", params={"samples": 50})
    refused = client.get("/v1/rubrics/balanced/sensitivity", params={"samples": 51})

    assert allowed.status_code == 200
    assert refused.status_code == 422
    assert refused.json()["errors"][0] == {
        "path": "query.samples",
        "message": "51 samples of 3 instruments is too much work; ask for 50 at most",
        "type": "value_error",
    }
