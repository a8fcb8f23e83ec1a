"""Paging helpers: the ``Link`` header to the next page."""

from fastapi import Response
from starlette.datastructures import URL

from app.models.filters import Pagination


def link_next_page(response: Response, url: URL, page: Pagination, total: int) -> None:
    """Set ``Link: <...>; rel="next"`` when more items follow this page."""
    following = page.offset + page.limit
    if following < total:
        response.headers["Link"] = f'<{url.include_query_params(offset=following)}>; rel="next"'
