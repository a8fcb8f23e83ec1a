"""Every error leaves the service as ``application/problem+json`` (RFC 9457), rendered here and only here."""

import logging
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from app.errors import AppError, FieldProblem, InvalidInput, problems_from_errors
from app.models.observation import UNION_TAGS
from scoring.validation import RubricError

log = logging.getLogger("coopscore.errors")

PROBLEM_JSON = "application/problem+json"


def problem_response(
    request: Request,
    *,
    status: int,
    title: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Render one problem document."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body["instance"] = request.url.path
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {}))


def _without_union_tags(location: Sequence[int | str]) -> tuple[int | str, ...]:
    # The tag telling a single observation from a batch is not part of the body the client sent.
    parts = tuple(location)
    if len(parts) > 1 and parts[0] == "body" and parts[1] in UNION_TAGS:
        return (parts[0], *parts[2:])
    return parts


_UNKNOWN = {"body": "is not a field this body accepts", "query": "is not a parameter of this operation"}
"""How an unknown field is reported, by where it was sent (pydantic says "Extra inputs are not permitted")."""


def _readable(error: dict[str, Any]) -> dict[str, Any]:
    if error.get("type") == "json_invalid":
        position = error.get("loc", ("body", 0))[-1]
        reason = (error.get("ctx") or {}).get("error", "invalid JSON")
        return {
            **error,
            "loc": ("body",),
            "msg": f"the body is not valid JSON ({reason} at character {position})",
        }
    location = _without_union_tags(error.get("loc", ()))
    if error.get("type") == "extra_forbidden":
        return {**error, "loc": location, "msg": _UNKNOWN.get(str(location[0]) if location else "", "is unknown here")}
    return {**error, "loc": location}


def _problems_response(request: Request, problems: list[FieldProblem]) -> JSONResponse:
    error = InvalidInput(problems)
    return problem_response(
        request,
        status=error.status,
        title=error.title,
        detail=error.detail,
        errors=[problem.as_dict() for problem in problems],
    )


async def _on_request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_readable(error) for error in exc.errors()]
    return _problems_response(request, problems_from_errors(errors))


async def _on_app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    if isinstance(exc, InvalidInput):
        return _problems_response(request, exc.problems)
    return problem_response(
        request, status=exc.status, title=exc.title, detail=exc.detail, headers=exc.headers, **exc.extra
    )


UNPARSEABLE_BODY = "There was an error parsing the body"
"""FastAPI's 400 detail when a body cannot be decoded at all (bad encoding, nesting too deep)."""


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and exc.detail == UNPARSEABLE_BODY:
        message = "the body could not be read as JSON (wrong encoding, or nested too deeply)"
        return _problems_response(request, [FieldProblem("body", message, "json_invalid")])
    if exc.status_code == 405:
        allowed = allowed_methods(request)
        return problem_response(
            request,
            status=405,
            title=_title(405),
            detail=f"{request.method} is not allowed here; use {', '.join(allowed)}.",
            headers={"Allow": ", ".join(allowed)},
        )
    detail = exc.detail if isinstance(exc.detail, str) else "The request failed."
    return problem_response(
        request, status=exc.status_code, title=_title(exc.status_code), detail=detail, headers=exc.headers
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method the API documents for this path (Starlette's own 405 names only one route's)."""
    document = request.app.openapi()
    methods: set[str] = set()
    for template, operations in document.get("paths", {}).items():
        if _path_pattern(template).fullmatch(request.url.path):
            methods.update(method.upper() for method in operations)
    return sorted(methods)


@lru_cache(maxsize=256)
def _path_pattern(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request, status=500, title="Internal Server Error", detail="The server failed; the error was logged."
    )


_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}  # RFC 9110 names


def _title(status: int) -> str:
    if status in _TITLES:
        return _TITLES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


async def _on_rubric_error(request: Request, exc: Exception) -> JSONResponse:
    # A stored rubric that no longer fits the catalogue: the request was fine, the state is the problem.
    return problem_response(
        request, status=409, title=_title(409), detail=f"The rubric does not fit the indicator catalogue: {exc}"
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a problem document."""
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(AppError, _on_app_error)
    app.add_exception_handler(RubricError, _on_rubric_error)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldProblem] | None = None


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Document the problem responses an operation can give, for the OpenAPI description."""
    return {status: {"description": _title(status)} for status in statuses}
