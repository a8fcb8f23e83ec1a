"""Schemathesis against the app in-process, every operation, positive and negative data, on every database."""

import os
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from sqlmodel import Session

from app.models.access import Role
from seeds.files import DEFAULT_PATH, read_seeds
from seeds.loader import load_seeds
from tests.conftest import key_for

EXAMPLES = int(os.environ.get("COOPSCORE_FUZZ_EXAMPLES", "12"))
"""Hypothesis examples per operation: a dozen in ``make test``; ``make fuzz`` asks for many more."""

NOT_DEFECTS = [positive_data_acceptance]
"""Checks whose failures are not defects here, and why:

* ``positive_data_acceptance``: many rules cannot be written in JSON Schema (dates in order, a party code
  that ISO 3166-1 knows, a value that fits its indicator, a rubric that fits the catalogue, a body naming
  stored things); a schema-valid request breaking one gets the documented 422 with the path of the field.
"""


@pytest.fixture
def api_schema(app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture
def admin_headers(session: Session) -> dict[str, str]:
    return {"X-API-Key": key_for(session, Role.admin, "fuzzer")}


@pytest.fixture
def seeded_schema(session: Session, api_schema: Any) -> Any:
    """The schema of an app whose database holds the study's seed data, so score operations answer 200."""
    load_seeds(session, read_seeds(DEFAULT_PATH))
    return api_schema


schema = schemathesis.pytest.from_fixture("api_schema")
seeded = schemathesis.pytest.from_fixture("seeded_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_holds_to_its_contract(case: Any, admin_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=admin_headers, excluded_checks=NOT_DEFECTS)


@seeded.include(tag="scores").parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_score_operations_answer_the_bodies_they_document(case: Any, admin_headers: dict[str, str]) -> None:
    """On seeded data the score operations answer 200, and each body must match its response schema."""
    case.call_and_validate(headers=admin_headers, excluded_checks=NOT_DEFECTS)
