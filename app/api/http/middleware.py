"""Headers on every response: the request id, security headers, a cache policy, and CORS for listed origins.

These middlewares wrap the whole application, Starlette's ``ServerErrorMiddleware`` included: an unexpected
error's 500 is sent by that middleware, outside anything ``add_middleware`` installs, and must carry the
headers too.
"""

import base64
import hashlib
import re
import uuid
from collections.abc import Mapping, Sequence

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.http.docs import DOCS_URL, REDOC_URL
from app.logging import current_request_id
from app.settings import Settings

REQUEST_ID = "X-Request-ID"
_WELL_FORMED_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
"""The Content-Security-Policy of everything but the documentation pages: JSON and CSV never load anything."""

_DOCS_POLICY = (
    "default-src 'none'; script-src 'self'{{inline}}; {sources}; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
SWAGGER_UI_POLICY = _DOCS_POLICY.format(sources="style-src 'self'")
"""``/docs``: Swagger UI's bundle and stylesheet, served by the app (``app.api.http.docs``), its one inline script
(allowed by hash), data: icons, the favicon, and fetching the OpenAPI document and the operations tried out.
Swagger UI sets its styles through the DOM, which ``style-src`` does not govern: it needs no inline styles."""
REDOC_POLICY = _DOCS_POLICY.format(sources="style-src 'unsafe-inline'; worker-src blob:")
"""``/redoc``: the ReDoc bundle and its logo, served by the app, the ``<style>`` elements it writes (it renders
nothing without them), and its search worker, which it starts from a blob: URL."""

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

CORS_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
CORS_REQUEST_HEADERS = ("Content-Type", "If-Match", "If-None-Match", "X-API-Key", REQUEST_ID, "Idempotency-Key")
CORS_EXPOSED_HEADERS = (
    "ETag", "Link", REQUEST_ID, "Location", "Retry-After", "X-Rubric", "X-As-Of", "X-Data-Revision",
    "Content-Disposition",
)  # fmt: skip

_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
_READS = frozenset({"GET", "HEAD"})


class RequestId:
    """Take the client's ``X-Request-ID`` when well-formed (else make one), log with it, and echo it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        supplied = Headers(scope=scope).get(REQUEST_ID, "")
        request_id = supplied if _WELL_FORMED_ID.fullmatch(supplied) else uuid.uuid4().hex
        # Not reset afterwards: the value belongs to this request's task, and the server's own line about an
        # unhandled error, written after the application returns, should name the request too.
        current_request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


def cache_control(method: str, path: str, status: int) -> str | None:
    """The ``Cache-Control`` of a response that set none: errors and writes are never stored, reads revalidate."""
    if status >= 400:
        return "no-store"
    if path == "/v1" or path.startswith("/v1/"):
        return "no-cache" if method in _READS else "no-store"
    return None


class SecurityHeaders:
    """Add the security headers and the cache policy to every response.

    ``docs_policies`` maps the documentation pages to their Content-Security-Policy; each policy's ``{inline}``
    becomes the hashes of the page's inline scripts, so only the scripts FastAPI wrote may run.
    """

    def __init__(self, app: ASGIApp, docs_policies: Mapping[str, str]) -> None:
        self.app = app
        self.docs_policies = dict(docs_policies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs_policy = self.docs_policies.get(scope["path"])
        if docs_policy is None:

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    _add_headers(scope, message, API_POLICY)
                await send(message)

            await self.app(scope, receive, send_with_headers)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def send_page(message: Message) -> None:
            # A documentation page is held back until complete, so that its policy can name its inline scripts.
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            page = b"".join(chunks)
            _add_headers(scope, start, _allow_inline_scripts(docs_policy, page))
            await send(start)
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, send_page)


def _add_headers(scope: Scope, start: Message, policy: str) -> None:
    headers = MutableHeaders(scope=start)
    headers.update(SECURITY_HEADERS)
    headers["Content-Security-Policy"] = policy
    cache = cache_control(scope["method"], scope["path"], start["status"])
    if cache is not None and "cache-control" not in headers:
        headers["Cache-Control"] = cache


def _allow_inline_scripts(policy: str, page: bytes) -> str:
    scripts = _INLINE_SCRIPT.findall(page)
    hashes = (base64.b64encode(hashlib.sha256(script).digest()).decode() for script in scripts)
    return policy.format(inline="".join(f" 'sha256-{digest}'" for digest in hashes))


class ListedOriginsCORS:
    """Starlette's ``CORSMiddleware`` for requests from the listed origins; any other origin gets no CORS header.

    Starlette would answer an unlisted origin's preflight with its allowed methods and headers, and add
    ``Access-Control-Expose-Headers`` to its other requests; here they pass straight to the application.
    """

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app = app
        self.origins = frozenset(origins)
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=CORS_METHODS,
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_EXPOSED_HEADERS,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and Headers(scope=scope).get("origin") in self.origins:
            await self.cors(scope, receive, send)
            return

        async def send_varying(message: Message) -> None:
            # The answer depends on the Origin: a shared cache must not hand this one to a listed dashboard.
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, send_varying)


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Wrap the application (its error handling included) in the request id, security headers and CORS."""
    docs_policies = {DOCS_URL: SWAGGER_UI_POLICY, REDOC_URL: REDOC_POLICY}
    build = app.build_middleware_stack

    def build_wrapped() -> ASGIApp:
        stack = build()
        if settings.cors_origins:
            stack = ListedOriginsCORS(stack, settings.cors_origins)
        return RequestId(SecurityHeaders(stack, docs_policies))

    app.build_middleware_stack = build_wrapped  # type: ignore[method-assign]
