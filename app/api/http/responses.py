"""Cacheable responses: exact bytes, a strong ETag derived from them, and 304 on a matching If-None-Match."""

import hashlib

from fastapi import Request, Response

from app.errors import PreconditionFailed


def cached_bytes(
    request: Request, content: bytes, headers: dict[str, str] | None = None, media_type: str = "application/json"
) -> Response:
    """A body already encoded, with an ETag; 304 when the client already holds these exact bytes."""
    return _cached(request, content, media_type, headers)


def prefers_csv(accept: str) -> bool:
    """Whether an Accept header ranks text/csv above JSON (``text/csv``; not ``application/json, text/csv;q=0.1``)."""
    weights: dict[str, float] = {}
    for part in accept.split(","):
        media, _, parameters = part.strip().partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        weights[media.strip().lower()] = quality
    return weights.get("text/csv", 0.0) > weights.get("application/json", 0.0)


def _cached(request: Request, content: bytes, media_type: str, headers: dict[str, str] | None) -> Response:
    tag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    all_headers = {"ETag": tag, "Cache-Control": "no-cache", **(headers or {})}
    held = _tags(request.headers.get("if-none-match", ""))
    if tag in held or "*" in held:
        # RFC 9110 13.1.2: a GET or HEAD the client already holds is 304; any other method fails its condition.
        if request.method in ("GET", "HEAD"):
            return Response(status_code=304, headers=all_headers)
        raise PreconditionFailed("If-None-Match names the result this request would give; nothing to send.")
    return Response(content, media_type=media_type, headers=all_headers)


def _tags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",")} if header else set()
