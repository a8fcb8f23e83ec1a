"""Facts at three levels: about an instrument, about one of its parties, and about a country."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import indicator_body, instrument_body, observation_body, rubric_body

INSTRUMENT = "/v1/instruments/cis-illegal-migration-1998/observations"
COUNTRY = "/v1/countries/UZB/observations"


@pytest.fixture(autouse=True)
def catalogue(client: TestClient) -> None:
    """LD01 about instruments, IM02 about parties, HR05 about countries; an instrument of UZB and RUS."""
    client.post("/v1/indicators", json=indicator_body())
    client.post(
        "/v1/indicators", json=indicator_body(key="IM02", label="In force", value_type="boolean", level="party")
    )
    tier = indicator_body(key="HR05", label="TIP tier", value_type="number", min=1, max=4, level="country")
    client.post("/v1/indicators", json=tier)
    client.post("/v1/instruments", json=instrument_body())


def in_force(**overrides: Any) -> dict[str, Any]:
    return observation_body(**{"indicator": "IM02", "value": True, **overrides})


def tier(**overrides: Any) -> dict[str, Any]:
    return observation_body(**{"indicator": "HR05", "value": 2, "evidence": {"title": "TIP Report 2024"}, **overrides})


def test_indicators_say_what_their_facts_are_about(client: TestClient) -> None:
    levels = {item["key"]: item["level"] for item in client.get("/v1/indicators").json()["items"]}

    assert levels == {"LD01": "instrument", "IM02": "party", "HR05": "country"}


def test_a_party_fact_is_recorded_on_its_instrument_and_read_with_its_party(client: TestClient) -> None:
    created = client.post(INSTRUMENT, json=[in_force(party="UZB"), in_force(party="RUS", value=False)])
    items = client.get(INSTRUMENT).json()["items"]

    assert created.status_code == 201, created.text
    assert [(item["indicator"], item["party"], item["value"]) for item in items] == [
        ("IM02", "RUS", False),
        ("IM02", "UZB", True),
    ]
    assert {item["instrument"] for item in items} == {"cis-illegal-migration-1998"}


def test_a_country_fact_is_recorded_and_read_for_its_country(client: TestClient) -> None:
    first = client.post(COUNTRY, json=tier(as_of="2023-06-01"))
    client.post(COUNTRY, json=tier(value=3, as_of="2024-06-01"))

    latest = client.get(COUNTRY).json()
    earlier = client.get(COUNTRY, params={"as_of": "2023-12-31"}).json()
    history = client.get(COUNTRY, params={"indicator": "HR05"}).json()

    assert first.status_code == 201, first.text
    assert first.json()["country"] == "UZB"
    assert first.json()["instrument"] is None
    assert (latest["country"], [item["value"] for item in latest["items"]]) == ("UZB", [3])
    assert [item["value"] for item in earlier["items"]] == [2]
    assert [item["as_of"] for item in history["items"]] == ["2023-06-01", "2024-06-01"]
    assert client.get("/v1/countries/KAZ/observations").json()["items"] == []


def test_a_correction_of_a_party_fact_keeps_its_party(client: TestClient) -> None:
    original = client.post(INSTRUMENT, json=in_force(party="UZB")).json()

    elsewhere = client.post(INSTRUMENT, json=in_force(party="RUS", supersedes=original["id"]))
    corrected = client.post(INSTRUMENT, json=in_force(party="UZB", value=False, supersedes=original["id"]))

    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"][0]["path"] == "body.supersedes"
    assert corrected.status_code == 201
    assert [item["value"] for item in client.get(INSTRUMENT).json()["items"]] == [False]


@pytest.mark.parametrize(
    ("url", "body", "path", "message"),
    [
        pytest.param(INSTRUMENT, in_force(), "body.party", "IM02 is about one party of the instrument: name it",
                     id="party-fact-without-party"),
        pytest.param(INSTRUMENT, in_force(party="KAZ"), "body.party",
                     "KAZ is not a party of cis-illegal-migration-1998", id="not-a-party"),
        pytest.param(INSTRUMENT, in_force(party="XXX"), "body.party", None, id="unknown-code"),
        pytest.param(INSTRUMENT, observation_body(party="UZB"), "body.party",
                     "LD01 is a fact about the instrument itself: it takes no party", id="instrument-fact-with-party"),
        pytest.param(INSTRUMENT, tier(), "body.indicator",
                     "HR05 is about a country: record it at /v1/countries/{code}/observations",
                     id="country-fact-on-an-instrument"),
        pytest.param(COUNTRY, observation_body(), "body.indicator",
                     "LD01 is about an instrument: record it on the instrument", id="instrument-fact-on-a-country"),
        pytest.param(COUNTRY, in_force(party="UZB"), "body.indicator",
                     "IM02 is about an instrument: record it on the instrument", id="party-fact-on-a-country"),
        pytest.param(COUNTRY, tier(party="UZB"), "body.party",
                     "HR05 is a fact about the country itself: it takes no party", id="country-fact-with-party"),
        pytest.param("/v1/countries/XXX/observations", tier(), "path.code", None, id="unknown-country"),
        pytest.param(COUNTRY, [tier(), tier(value=9, as_of="2021-01-01")], "body[1].value", None,
                     id="batch-with-a-bad-row"),
    ],
)  # fmt: skip
def test_a_fact_recorded_where_its_level_does_not_say_is_refused_and_nothing_is_stored(
    client: TestClient, url: str, body: Any, path: str, message: str | None
) -> None:
    response = client.post(url, json=body)

    assert response.status_code == 422, response.text
    errors = {error["path"]: error["message"] for error in response.json()["errors"]}
    assert path in errors
    if message is not None:
        assert errors[path] == message
    assert client.get(INSTRUMENT).json()["items"] == []
    assert client.get(COUNTRY).json()["items"] == []


def test_a_level_no_longer_changes_once_facts_are_recorded(client: TestClient) -> None:
    client.post(COUNTRY, json=tier())

    assert client.patch("/v1/indicators/HR05", json={"level": "instrument"}).status_code == 409
    assert client.patch("/v1/indicators/LD01", json={"level": "party"}).status_code == 200


def test_party_and_country_facts_stay_out_of_an_instruments_own_score(client: TestClient) -> None:
    client.post("/v1/indicators", json=indicator_body(key="SG01", label="Non-refoulement", value_type="boolean"))
    client.post(INSTRUMENT, json=observation_body())
    etag = client.post("/v1/rubrics", json=rubric_body()).headers["etag"]
    client.post("/v1/rubrics/balanced/publish", json={"note": "v1", "make_default": True}, headers={"If-Match": etag})
    before = client.get("/v1/instruments/cis-illegal-migration-1998/score").json()

    client.post(INSTRUMENT, json=in_force(party="UZB"))
    client.post(COUNTRY, json=tier())
    after = client.get("/v1/instruments/cis-illegal-migration-1998/score").json()

    assert (after["score"], after["coverage"]) == (before["score"], before["coverage"])
    assert after["data_revision"] == before["data_revision"] + 2


def test_party_and_country_facts_roll_up_over_the_parties_into_a_criterion(client: TestClient) -> None:
    client.post(INSTRUMENT, json=[in_force(party="UZB"), in_force(party="RUS", value=False)])
    client.post(COUNTRY, json=tier())
    client.post("/v1/countries/KAZ/observations", json=tier(value=4))  # KAZ is no party: it does not count
    criteria = [
        {"key": "in_force", "label": "In force", "indicator": "IM02", "rollup": {"method": "share"},
         "normalisation": {"method": "goalposts", "min": 0, "max": 1}},
        {"key": "tier", "label": "TIP tier", "indicator": "HR05", "rollup": {"method": "mean"}, "context": True,
         "normalisation": {"method": "goalposts", "min": 1, "max": 4, "direction": "lower"}},
    ]  # fmt: skip
    definition = {
        "key": "parties",
        "label": "Parties",
        "dimensions": [{"key": "d", "label": "D", "criteria": criteria}],
    }
    etag = client.post("/v1/rubrics", json={"key": "parties", "definition": definition}).headers["etag"]
    client.post("/v1/rubrics/parties/publish", json={"note": "v1"}, headers={"If-Match": etag})

    body = client.get("/v1/instruments/cis-illegal-migration-1998/score", params={"rubric": "parties"}).json()

    assert body["score"] == pytest.approx((50.0 + 200 / 3) / 2)
    assert body["coverage"] == pytest.approx(0.75)
    in_force_criterion, tier_criterion = body["criteria"]
    assert [(fact["code"], fact["value"]) for fact in in_force_criterion["parties"]] == [("RUS", "no"), ("UZB", "yes")]
    assert tier_criterion["context"] is True
    assert [fact["code"] for fact in tier_criterion["parties"] if fact["raw"] is not None] == ["UZB"]
    assert tier_criterion["parties"][-1]["observation"]["evidence"]["title"] == "TIP Report 2024"


def test_a_perspective_reads_its_partys_facts_on_every_score_operation(client: TestClient) -> None:
    client.post(INSTRUMENT, json=[in_force(party="UZB"), in_force(party="RUS", value=False)])
    criterion = {"key": "in_force", "label": "In force", "indicator": "IM02",
                 "rollup": {"method": "share", "over": "perspective"},
                 "normalisation": {"method": "goalposts", "min": 0, "max": 1}}  # fmt: skip
    definition = {"key": "seen", "label": "Seen", "dimensions": [{"key": "d", "label": "D", "criteria": [criterion]}]}
    etag = client.post("/v1/rubrics", json={"key": "seen", "definition": definition}).headers["etag"]
    client.post("/v1/rubrics/seen/publish", json={"note": "v1"}, headers={"If-Match": etag})
    score = "/v1/instruments/cis-illegal-migration-1998/score"

    def scored(perspective: str | None) -> Any:
        params = {"rubric": "seen", **({"perspective": perspective} if perspective else {})}
        return client.get(score, params=params).json()

    assert [scored(party)["score"] for party in (None, "UZB", "RUS", "KAZ")] == [50.0, 100.0, 0.0, None]
    assert scored("UZB")["perspective"] == "UZB"
    ranking = client.get("/v1/scores", params={"rubric": "seen", "perspective": "RUS"}).json()
    assert (ranking["perspective"], ranking["items"][0]["score"]) == ("RUS", 0.0)
    preview = client.post("/v1/scores/preview", json={"baseline": "seen", "weights": {"d": 2}, "perspective": "UZB"})
    assert preview.json()["items"][0]["score"] == 100.0
    history = client.get(f"{score}-history", params={"rubric": "seen", "perspective": "UZB"}).json()
    assert [point["score"] for point in history["points"]] == [100.0]
    refused = client.get(score, params={"rubric": "seen", "perspective": "XXX"})
    assert (refused.status_code, refused.json()["errors"][0]["path"]) == (422, "query.perspective")
