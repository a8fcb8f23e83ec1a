"""The OpenAPI document, told the truth about errors: every 4xx and 5xx is ``application/problem+json``."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.api.problems import PROBLEM_JSON, Problem, ProblemField

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _describe_errors(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    if "requestBody" in operation:
        responses.setdefault("413", {"description": "Content Too Large"})
        responses.setdefault("415", {"description": "Unsupported Media Type"})
    for status, response in responses.items():
        if status.isdigit() and int(status) >= 400:
            response["content"] = {PROBLEM_JSON: {"schema": _PROBLEM_REF}}


def install_openapi(app: FastAPI) -> None:
    """Generate the document once, with problem details in place of FastAPI's default error schema."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            for path in document.get("paths", {}).values():
                for operation in path.values():
                    _describe_errors(operation)
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
            schemas["ProblemField"] = ProblemField.model_json_schema()
            schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas["Problem"].pop("$defs", None)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
