"""The indicator catalogue over HTTP."""

import pytest
from fastapi.testclient import TestClient

from tests.factories import indicator_body, instrument_body, observation_body


def test_indicator_round_trips_with_levels_and_sources(client: TestClient) -> None:
    sources = [{"title": "Koremenos, The Continent of International Law (2016)", "url": None}]
    assert client.post("/v1/indicators", json=indicator_body(sources=sources)).status_code == 201

    body = client.get("/v1/indicators/LD01").json()

    assert body["levels"] == ["political declaration", "binding with implementing acts", "binding treaty"]
    assert (body["value_type"], body["direction"], body["sources"]) == ("ordinal", "higher", sources)


def test_list_filters_by_dimension(client: TestClient) -> None:
    client.post("/v1/indicators", json=indicator_body())
    client.post(
        "/v1/indicators",
        json=indicator_body(key="OC01", dimension="outcomes", value_type="number", levels=[]),
    )

    body = client.get("/v1/indicators?dimension=outcomes").json()

    assert [item["key"] for item in body["items"]] == ["OC01"]
    assert body["total"] == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"levels": ["only one"]}, "an ordinal indicator needs at least two levels", id="one-level"),
        pytest.param({"levels": ["a", "a"]}, "levels must be distinct", id="repeated-levels"),
        pytest.param(
            {"value_type": "boolean", "levels": ["no", "yes"]},
            "only ordinal indicators have levels",
            id="levels-on-boolean",
        ),
        pytest.param(
            {"value_type": "number", "levels": [], "min": 5, "max": 5},
            "min (5.0) must be below max (5.0)",
            id="empty-range",
        ),
        pytest.param(
            {"value_type": "category", "levels": [], "categories": ["a"]},
            "a category indicator needs at least two categories",
            id="one-category",
        ),
    ],
)
def test_inconsistent_indicator_is_refused(client: TestClient, overrides: dict[str, object], message: str) -> None:
    response = client.post("/v1/indicators", json=indicator_body(**overrides))

    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == message


def test_duplicate_key_is_a_conflict(client: TestClient) -> None:
    client.post("/v1/indicators", json=indicator_body())

    assert client.post("/v1/indicators", json=indicator_body()).status_code == 409


def test_patch_renames_and_keeps_the_rest(client: TestClient) -> None:
    client.post("/v1/indicators", json=indicator_body())

    response = client.patch("/v1/indicators/LD01", json={"label": "Bindingness"})

    assert response.status_code == 200
    assert (response.json()["label"], response.json()["value_type"]) == ("Bindingness", "ordinal")


def test_levels_are_fixed_once_values_are_recorded(client: TestClient) -> None:
    client.post("/v1/indicators", json=indicator_body())
    client.post("/v1/instruments", json=instrument_body())
    client.post("/v1/instruments/cis-illegal-migration-1998/observations", json=observation_body())

    response = client.patch("/v1/indicators/LD01", json={"levels": ["no", "yes"]})

    assert response.status_code == 409
    assert response.json()["detail"] == "1 values are recorded for 'LD01'; its levels can no longer change."


def test_range_may_narrow_only_around_recorded_values(client: TestClient) -> None:
    client.post("/v1/indicators", json=indicator_body(key="OC01", value_type="number", levels=[]))
    client.post("/v1/instruments", json=instrument_body())
    client.post(
        "/v1/instruments/cis-illegal-migration-1998/observations",
        json=observation_body(indicator="OC01", value=50),
    )

    assert client.patch("/v1/indicators/OC01", json={"max": 40}).status_code == 409
    assert client.patch("/v1/indicators/OC01", json={"max": 60}).status_code == 200


def test_a_range_problem_points_at_the_bound_the_patch_changed(client: TestClient) -> None:
    client.post("/v1/indicators", json=indicator_body(key="OC01", value_type="number", levels=[], min=0, max=100))

    response = client.patch("/v1/indicators/OC01", json={"min": 200})

    assert response.status_code == 422
    assert [error["path"] for error in response.json()["errors"]] == ["body.min"]


def test_unknown_indicator_is_404(client: TestClient) -> None:
    assert client.get("/v1/indicators/NOPE").status_code == 404


@pytest.mark.parametrize("field", ["levels", "sources", "label"])
def test_patch_refuses_null_lists_and_labels(client: TestClient, field: str) -> None:
    client.post("/v1/indicators", json=indicator_body())

    response = client.patch("/v1/indicators/LD01", json={field: None})

    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == f"body.{field}"


@pytest.mark.parametrize(
    ("old", "error"),
    [
        pytest.param({"name": "Returns"}, ("body.name", "is not a field this body accepts"), id="name"),
        pytest.param({"min_value": 0}, ("body.min_value", "is not a field this body accepts"), id="min_value"),
        pytest.param({"max_value": 9}, ("body.max_value", "is not a field this body accepts"), id="max_value"),
        pytest.param(
            {"direction": "higher_better"},
            ("body.direction", "Input should be 'higher', 'lower' or 'neutral'"),
            id="higher_better",
        ),
    ],
)
def test_old_field_names_are_refused_naming_the_field(
    client: TestClient, old: dict[str, object], error: tuple[str, str]
) -> None:
    client.post("/v1/indicators", json=indicator_body(key="OC01", value_type="number", levels=[]))

    created = client.post("/v1/indicators", json=indicator_body(key="OC02", value_type="number", levels=[]) | old)
    patched = client.patch("/v1/indicators/OC01", json=old)

    for response in (created, patched):
        assert response.status_code == 422
        assert [(problem["path"], problem["message"]) for problem in response.json()["errors"]] == [error]
