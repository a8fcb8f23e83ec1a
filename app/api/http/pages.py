"""Pages of a list: the envelope with the total, and the ``Link`` header to the next page."""

from collections.abc import Sequence
from typing import Any

import orjson
from fastapi.responses import JSONResponse
from starlette.datastructures import URL

from app.models.filters import Pagination


def next_page_link(url: URL, page: Pagination, total: int) -> dict[str, str]:
    """``Link: <...>; rel="next"`` when more items follow this page, else nothing."""
    following = page.offset + page.limit
    if following >= total:
        return {}
    return {"Link": f'<{url.include_query_params(offset=following)}>; rel="next"'}


class FastJSONResponse(JSONResponse):
    """A JSON response encoded by orjson, for bodies that are already plain JSON-ready data."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def page_response(items: Sequence[Any], total: int, page: Pagination, url: URL) -> JSONResponse:
    """A page of JSON-ready items, sent as it is (the items were built in their public shape)."""
    body = {"items": items, "total": total, "limit": page.limit, "offset": page.offset}
    return FastJSONResponse(body, headers=next_page_link(url, page, total))
