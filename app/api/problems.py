"""Every error leaves the service as ``application/problem+json`` (RFC 9457), rendered here and only here."""

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from app.errors import AppError, FieldProblem, InvalidInput, problems_from_errors
from app.models.observation import UNION_TAGS

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


def _readable(error: dict[str, Any]) -> dict[str, Any]:
    if error.get("type") == "json_invalid":
        position = error.get("loc", ("body", 0))[-1]
        reason = (error.get("ctx") or {}).get("error", "invalid JSON")
        return {
            **error,
            "loc": ("body",),
            "msg": f"the body is not valid JSON ({reason} at character {position})",
        }
    return {**error, "loc": _without_union_tags(error.get("loc", ()))}


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
    return problem_response(request, status=exc.status, title=exc.title, detail=exc.detail, **exc.extra)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "The request failed."
    return problem_response(
        request, status=exc.status_code, title=_title(exc.status_code), detail=detail, headers=exc.headers
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request, status=500, title="Internal Server Error", detail="The server failed; the error was logged."
    )


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install_problem_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a problem document."""
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(AppError, _on_app_error)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)


class ProblemField(BaseModel):
    """One bad field of a request."""

    path: str
    message: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str
    errors: list[ProblemField] | None = None


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Document the problem responses an operation can give, for the OpenAPI description."""
    return {
        status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": _title(status)} for status in statuses
    }
