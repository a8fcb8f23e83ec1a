"""The OpenAPI document of an application, built once for the contract tests (no database is touched)."""

from typing import Any

import pytest
from fastapi import FastAPI

from app.main import create_app


@pytest.fixture(scope="session")
def application() -> FastAPI:
    """An application as ``create_app`` builds it; its OpenAPI document needs no database."""
    return create_app()


@pytest.fixture(scope="session")
def document(application: FastAPI) -> dict[str, Any]:
    """The application's OpenAPI document, as ``/openapi.json`` serves it."""
    return application.openapi()
