"""The OpenAPI document, told the truth about errors: every 4xx and 5xx is ``application/problem+json``.

The one exception is a route that documents its own error body: ``/readyz`` answers 503 with its ``Health``.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from app.api.http.problems import PROBLEM_JSON, Problem
from app.models.rubric import RUBRIC_SCHEMA_MARK
from scoring.rubric import Rubric as RubricDefinition

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_RUBRIC_REF = {"$ref": "#/components/schemas/Rubric"}
_GENERIC_ERROR_REFS = [_PROBLEM_REF, {"$ref": "#/components/schemas/HTTPValidationError"}]


def operation_id(route: APIRoute) -> str:
    """Name an operation after its route function (``read_ranking``): short, and stable when a path moves."""
    return route.name


def _describe_errors(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    if "security" in operation:
        responses.setdefault("401", {"description": "Unauthorized: no API key, or not a live one"})
        responses.setdefault("403", {"description": "Forbidden: the key's role does not allow this"})
        responses.setdefault("429", {"description": "Too Many Requests: see Retry-After"})
    if "requestBody" in operation:
        responses.setdefault("413", {"description": "Content Too Large"})
        responses.setdefault("415", {"description": "Unsupported Media Type"})
    for status, response in responses.items():
        if status.isdigit() and int(status) >= 400 and not _has_own_body(response):
            response["content"] = {PROBLEM_JSON: {"schema": _PROBLEM_REF}}


def _has_own_body(response: dict[str, Any]) -> bool:
    """Whether a route documented a body of its own for this error, neither a problem nor FastAPI's 422."""
    schemas = [media.get("schema") for media in response.get("content", {}).values()]
    return any(schema and schema not in _GENERIC_ERROR_REFS for schema in schemas)


def _point_at_rubric_schema(node: Any) -> Any:
    """Replace every schema marked as a rubric definition with a reference to the engine's own schema."""
    if isinstance(node, dict):
        if node.get(RUBRIC_SCHEMA_MARK):
            return {key: value for key, value in node.items() if key not in {"type", RUBRIC_SCHEMA_MARK}} | _RUBRIC_REF
        return {key: _point_at_rubric_schema(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_point_at_rubric_schema(item) for item in node]
    return node


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
            rubric = RubricDefinition.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(rubric.pop("$defs", {}))
            schemas["Rubric"] = rubric
            problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(problem.pop("$defs", {}))
            schemas["Problem"] = problem
            app.openapi_schema = _point_at_rubric_schema(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
