"""The seed files read, and every body passes the API's own request models."""

import json
from pathlib import Path

import pytest

from app.models.indicator import IndicatorCreate
from app.models.instrument import InstrumentCreate
from app.models.observation import ObservationIn
from app.models.rubric import PublishRequest, RubricCreate
from seeds.files import DEFAULT_PATH, SeedError, read_seeds


def raw(name: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((DEFAULT_PATH / name).read_text(encoding="utf-8"))
    return loaded


def test_the_shipped_seed_files_read_whole() -> None:
    data = read_seeds(DEFAULT_PATH)
    assert (len(data.instruments), len(data.indicators), len(data.rubrics)) == (39, 40, 3)
    document = raw("observations.json")
    groups = [*document["observations"].values(), *document["countries"].values()]  # type: ignore[call-overload]
    assert data.observation_count() == sum(len(rows) for rows in groups)
    assert {code: len(rows) for code, rows in data.countries.items()} == {"UZB": 3, "EU": 1}


@pytest.mark.parametrize(
    ("name", "member", "model"),
    [
        pytest.param("instruments.json", "instruments", InstrumentCreate, id="instruments"),
        pytest.param("indicators.json", "indicators", IndicatorCreate, id="indicators"),
    ],
)
def test_every_body_validates_with_the_api_model(name: str, member: str, model: type) -> None:
    for body in raw(name)[member]:  # type: ignore[attr-defined]
        model.model_validate(body)


def test_every_observation_validates_with_the_api_model() -> None:
    for rows in raw("observations.json")["observations"].values():  # type: ignore[attr-defined]
        for row in rows:
            ObservationIn.model_validate(row)


def test_every_rubric_file_is_a_rubric_and_a_publish_request() -> None:
    files = sorted((DEFAULT_PATH / "rubrics").glob("*.json"))
    assert [path.stem for path in files] == ["balanced", "legal-design-and-safeguards", "outcomes-first"]
    for path in files:
        document = json.loads(path.read_text(encoding="utf-8"))
        assert RubricCreate.model_validate(document["rubric"]).key == path.stem
        PublishRequest.model_validate(document["publish"])


def test_the_study_instruments_have_evidence_backed_values() -> None:
    data = read_seeds(DEFAULT_PATH)
    for slug in ("cis-illegal-migration-agreement-1998", "un-som-protocol-2000"):
        rows = data.observations[slug]
        assert rows
        assert all(row.evidence.url for row in rows)


def test_a_bad_seed_file_is_refused_with_every_problem_named(tmp_path: Path) -> None:
    (tmp_path / "rubrics").mkdir()
    instruments = raw("instruments.json")
    first = dict(instruments["instruments"][0])  # type: ignore[index]
    first["parties"] = [{"code": "XXX"}]
    (tmp_path / "instruments.json").write_text(json.dumps({"instruments": [first]}), encoding="utf-8")
    (tmp_path / "indicators.json").write_text(json.dumps({"indicators": []}), encoding="utf-8")
    observation = {
        "indicator": "LD01",
        "value": 2,
        "as_of": "2003-09-29",
        "evidence": {"title": "x"},
        "confidence": "high",
    }
    (tmp_path / "observations.json").write_text(
        json.dumps({"observations": {"un-untoc-2000": [observation]}}), encoding="utf-8"
    )
    with pytest.raises(SeedError) as raised:
        read_seeds(tmp_path)
    assert raised.value.problems == [
        "instruments.json: instruments[0].parties[0].code: Value error, 'XXX' is not an ISO 3166-1 alpha-3 code "
        "(or one of EU, UNODC)"
    ]
