"""Guards that run before a request body is parsed: its size, and that it is JSON."""

from typing import Any

import orjson
from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.http.problems import PROBLEM_JSON

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` with a 413 problem, counting what actually arrives.

    A declared ``Content-Length`` over the limit is refused before anything is read; a body that grows past
    the limit while streaming is cut off by raising an HTTP 413 from ``receive``.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise HTTPException(413, self._detail())
            return message

        await self.app(scope, counted, send)

    def _detail(self) -> str:
        return f"The request body is larger than {self.max_bytes:,} bytes."

    async def _refuse(self, scope: Scope, send: Send) -> None:
        problem: dict[str, Any] = {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": self._detail(),
            "instance": scope.get("path", ""),
        }
        body = orjson.dumps(problem)
        headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


async def require_json_body(request: Request) -> None:
    """Answer 415 when a request carries a body that does not say it is JSON."""
    if request.method not in BODY_METHODS:
        return
    has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
    content_type = request.headers.get("content-type", "")
    if has_body and not _is_json(content_type):
        shown = content_type or "no content type"
        raise HTTPException(415, f"The body must be JSON (Content-Type: application/json), not {shown}.")
