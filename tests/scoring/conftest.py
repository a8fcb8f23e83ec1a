"""Shared fixtures for the engine tests: the TAI reference data and small rubric builders."""

import csv
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from scoring.engine import EngineInput
from scoring.rubric import Rubric

REPOSITORY = Path(__file__).resolve().parents[2]


def _shared_directory() -> Path:
    """Where the read-only ``shared`` folder is: ``COOPSCORE_SHARED_DIR``, else beside the checkout.

    CI may clone the repository anywhere, so the checkout's ancestors are searched, then the workplace's
    own location; the first that holds the TAI reference wins.
    """
    given = os.environ.get("COOPSCORE_SHARED_DIR")
    if given:
        return Path(given)
    candidates = [ancestor / "shared" for ancestor in REPOSITORY.parents] + [Path("/work/shared")]
    found = [candidate for candidate in candidates if (candidate / "reference" / "tai").is_dir()]
    return found[0] if found else REPOSITORY.parent / "shared"


TAI = _shared_directory() / "reference" / "tai"


def read_tai(name: str) -> list[dict[str, str]]:
    """Rows of one TAI reference file; the suite fails (never skips) when the shared data is absent."""
    path = TAI / name
    if not path.is_file():
        pytest.fail(f"the TAI reference data is missing: {path} (set COOPSCORE_SHARED_DIR to the shared folder)")
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def tai_meta() -> list[dict[str, str]]:
    """The 8 TAI indicators with their dimension and HDR goalposts."""
    return read_tai("tai_indicator_meta.csv")


@pytest.fixture(scope="session")
def tai_data(tai_meta: list[dict[str, str]]) -> EngineInput:
    """The 23 countries x 8 indicators of the Handbook's case study."""
    rows = read_tai("tai_indicators_raw_23.csv")
    codes = tuple(row["code"] for row in tai_meta)
    values = np.array([[float(row[code]) for code in codes] for row in rows])
    return EngineInput(tuple(row["country"] for row in rows), codes, values)


@pytest.fixture(scope="session")
def tai_weights() -> dict[str, dict[str, float]]:
    """Table 22 weight sets (EW, FA, BAP, AHP) per indicator, as printed."""
    return {
        row["scheme"]: {code: float(value) for code, value in row.items() if code not in ("scheme", "note")}
        for row in read_tai("tai_weights_handbook_table22.csv")
    }


@pytest.fixture(scope="session")
def table_15() -> list[dict[str, str]]:
    """Table 15: SCHOOLING normalised eleven ways."""
    return read_tai("tai_expected_table15_schooling_normalisation.csv")


@pytest.fixture(scope="session")
def tai_expected() -> dict[str, dict[str, str]]:
    """Published ranks per country and method."""
    return {row["country"]: row for row in read_tai("tai_expected_ranks_handbook.csv")}


@pytest.fixture(scope="session")
def tai_derived() -> dict[str, dict[str, str]]:
    """The HDR-method recomputation with every normalised value, beside the published values."""
    return {row["country"]: row for row in read_tai("tai_reference_scores_hdr_method_DERIVED.csv")}


def criterion(key: str, normalisation: dict[str, Any], weight: float = 1.0, **extra: Any) -> dict[str, Any]:
    """A raw criterion reading the indicator of the same key in upper case."""
    return {
        "key": key,
        "label": key.upper(),
        "indicator": key.upper(),
        "weight": weight,
        "normalisation": normalisation,
        **extra,
    }


def goalposts(low: float = 0.0, high: float = 100.0, **extra: Any) -> dict[str, Any]:
    """A goalposts normalisation."""
    return {"method": "goalposts", "min": low, "max": high, **extra}


def rubric_of(dimensions: list[dict[str, Any]], **extra: Any) -> Rubric:
    """A rubric over the given raw dimensions."""
    return Rubric.model_validate({"key": "test", "label": "Test index", "dimensions": dimensions, **extra})


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The builders above, for test modules (conftest is not importable under --import-mode=importlib)."""
    return SimpleNamespace(criterion=criterion, goalposts=goalposts, rubric=rubric_of)


@pytest.fixture
def rubric(kit: SimpleNamespace) -> Rubric:
    """Two dimensions, legal (criteria a, b) and outcomes (c), all on goalposts: for what-if and sensitivity."""
    return kit.rubric(
        [
            {
                "key": "legal",
                "label": "Legal",
                "criteria": [kit.criterion("a", kit.goalposts()), kit.criterion("b", kit.goalposts())],
            },
            {"key": "outcomes", "label": "Outcomes", "criteria": [kit.criterion("c", kit.goalposts())]},
        ]
    )
