"""Who is calling: the API key in ``X-API-Key``, its role, and what each operation needs.

Reads need ``reader`` (or nothing, when anonymous reads are allowed); instruments, indicators and
observations need ``analyst``; rubrics ``editor``; keys and the audit log ``admin``. Keys are read from the
header only, never from the query string or a cookie. A missing, malformed, unknown, revoked or expired key
gets the same 401; a live key without the role gets 403.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Request, Security
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from app.api.deps import SessionDep
from app.api.http.rate_limits import RateLimits, TooManyRequests
from app.errors import Forbidden, Unauthorised
from app.models.access import Role
from app.services.keys import verify_key
from app.settings import get_settings

API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key; `coopscore keys create` makes one.")
NEED_A_KEY = "A valid API key is required in the X-API-Key header."


@dataclass(frozen=True)
class Caller:
    """Whoever sent the request: a key's name and role, or an anonymous reader."""

    name: str
    role: Role | None


def caller_with(role: Role) -> Callable[..., Awaitable[Caller]]:
    """A dependency admitting callers whose key has ``role`` or a higher one."""

    async def authorise(request: Request, session: SessionDep, key: Annotated[str | None, Security(API_KEY)]) -> Caller:
        limits: RateLimits = request.app.state.rate_limits
        address = request.client.host if request.client else "unknown"
        if key is None:
            if role == Role.reader and get_settings().allow_anonymous_reads:
                limits.requests.take(f"address:{address}")
                return Caller("anonymous", None)
            raise Unauthorised(NEED_A_KEY)
        if wait := limits.failures.wait(address):
            raise TooManyRequests(wait)
        row = await run_in_threadpool(verify_key, session, key)
        if row is None:
            limits.failures.take(address)
            raise Unauthorised(NEED_A_KEY)
        limits.requests.take(f"key:{row.name}")
        held = Role(row.role)
        if held.rank < role.rank:
            raise Forbidden(f"The key {row.name!r} has the role {held.value}; this operation needs {role.value}.")
        return Caller(row.name, held)

    return authorise


READ = Security(caller_with(Role.reader))
"""Route dependency of every read."""

ReaderDep = Annotated[Caller, Security(caller_with(Role.reader))]
AnalystDep = Annotated[Caller, Security(caller_with(Role.analyst))]
EditorDep = Annotated[Caller, Security(caller_with(Role.editor))]
AdminDep = Annotated[Caller, Security(caller_with(Role.admin))]
