"""Domain errors that carry their HTTP status, and their rendering as RFC 9457 problem details.

AppError                  500, the base; never raised bare
 +-- Unauthorised         401, no API key, or one that is unknown, revoked or expired
 +-- Forbidden            403, a key whose role does not allow the operation
 +-- NotFound             404, an instrument, indicator, rubric or observation that does not exist
 +-- Conflict             409, a duplicate key or a change the stored data forbids
 +-- PreconditionFailed   412, an If-Match tag that is no longer current (someone else changed it)
 +-- InvalidInput         422, input that is well-formed but wrong for the stored data;
                          carries every problem with its path
 +-- PreconditionRequired 428, a change sent without If-Match
 (and app.api.http.rate_limits.TooManyRequests, 429, with Retry-After)
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with the input, at one path (``body[3].value``)."""

    path: str
    message: str
    type: str = "value_error"

    def as_dict(self) -> dict[str, str]:
        """Render for the ``errors`` member of a problem document."""
        return {"path": self.path, "message": self.message, "type": self.type}


class AppError(Exception):
    """Base of the service's own errors; each subclass fixes the HTTP status and problem title."""

    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal Server Error"
    default_headers: ClassVar[dict[str, str]] = {}

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
        self.headers = dict(self.default_headers)


class Unauthorised(AppError):
    """No key, or a key that is not a live one: the same answer whatever the reason."""

    status = 401
    title = "Unauthorized"
    default_headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'ApiKey header="X-API-Key"'}


class Forbidden(AppError):
    """A live key whose role does not allow the operation."""

    status = 403
    title = "Forbidden"


class NotFound(AppError):
    """The thing named in the path does not exist (or was deleted)."""

    status = 404
    title = "Not Found"


class Conflict(AppError):
    """The request clashes with what is stored."""

    status = 409
    title = "Conflict"


class InvalidInput(AppError):
    """Input that parses but is wrong for the stored data; lists every problem with its path."""

    status = 422
    title = "Unprocessable Content"

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        summary = "; ".join(f"{problem.path}: {problem.message}" for problem in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"{count} in the request: {summary}{more}")


def format_location(location: Sequence[int | str]) -> str:
    """Turn an error location into a path.

    >>> format_location(("body", "parties", 0, "code"))
    'body.parties[0].code'
    """
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def problems_from_errors(
    errors: Iterable[Mapping[str, Any]], *, prefix: Sequence[int | str] = ()
) -> list[FieldProblem]:
    """Convert pydantic validation errors into field problems, one per error, paths under ``prefix``."""
    return [
        FieldProblem(
            path=format_location((*prefix, *error.get("loc", ()))),
            message=str(error.get("msg", "is invalid")).removeprefix("Value error, "),
            type=str(error.get("type", "value_error")),
        )
        for error in errors
    ]


class PreconditionFailed(AppError):
    """The ``If-Match`` tag names a version of the resource that is no longer current."""

    status = 412
    title = "Precondition Failed"


class PreconditionRequired(AppError):
    """The change needs an ``If-Match`` header naming the version it was made against."""

    status = 428
    title = "Precondition Required"
