"""The documentation pages load everything from the app itself: no script, style, icon or document from elsewhere."""

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import PurePath
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api.http.docs import (
    ASSET_CACHE_CONTROL,
    ASSETS_URL,
    FAVICON,
    REDOC_JS,
    REDOC_LOGO_CACHE_CONTROL,
    SWAGGER_CSS,
    SWAGGER_JS,
    install_docs,
)

PAGES = [pytest.param("/docs", id="swagger-ui"), pytest.param("/redoc", id="redoc")]
MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
    ".json": "application/json",
}
SOURCE_KEYWORD = re.compile(r"'(self|none|unsafe-inline|sha256-[A-Za-z0-9+/]+=*)'")
"""What a source of the pages' policies may be, besides the ``data:`` and ``blob:`` schemes: never a host."""


class References(HTMLParser):
    """Every URL a page names: in its tags' attributes, and the document its inline Swagger UI script fetches."""

    URL_ATTRIBUTES = frozenset({"src", "href", "spec-url"})
    SCRIPT_URL = re.compile(r"\burl: '([^']*)'")

    def __init__(self, page: str) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_script = False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(value for name, value in attrs if name in self.URL_ATTRIBUTES and value is not None)
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.urls.extend(self.SCRIPT_URL.findall(data))


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """A client sending no API key, as a reader's browser does."""
    with TestClient(app, raise_server_exceptions=False) as bare:
        yield bare


def references(browser: TestClient, page: str) -> list[str]:
    response = browser.get(page)
    assert response.status_code == 200
    return References(response.text).urls


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        pytest.param(
            "/docs",
            [f"{ASSETS_URL}/{SWAGGER_CSS}", f"{ASSETS_URL}/{FAVICON}", f"{ASSETS_URL}/{SWAGGER_JS}", "/openapi.json"],
            id="swagger-ui",
        ),
        pytest.param("/redoc", [f"{ASSETS_URL}/{FAVICON}", "/openapi.json", f"{ASSETS_URL}/{REDOC_JS}"], id="redoc"),
    ],
)
def test_each_page_references_its_own_assets_and_the_openapi_document(
    browser: TestClient, page: str, expected: list[str]
) -> None:
    assert references(browser, page) == expected


@pytest.mark.parametrize("page", PAGES)
def test_every_url_of_a_page_is_a_path_on_this_app(browser: TestClient, page: str) -> None:
    urls = references(browser, page)

    assert [url for url in urls if urlsplit(url).scheme or urlsplit(url).netloc or not url.startswith("/")] == []
    assert "://" not in browser.get(page).text


@pytest.mark.parametrize("page", PAGES)
def test_every_url_of_a_page_loads_from_the_app_with_its_media_type(browser: TestClient, page: str) -> None:
    for url in references(browser, page):
        response = browser.get(url)

        assert response.status_code == 200, url
        assert response.content != b"", url
        assert response.headers["content-type"] == MEDIA_TYPES[PurePath(url).suffix], url


@pytest.mark.parametrize("page", PAGES)
def test_behind_a_path_prefix_a_page_names_its_urls_under_it(app: FastAPI, page: str) -> None:
    with TestClient(app, root_path="/coopscore") as proxied:
        urls = references(proxied, page)

        assert [url for url in urls if not url.startswith("/coopscore/")] == []
        assert [proxied.get(url).status_code for url in urls] == [200] * len(urls)


@pytest.mark.parametrize("page", PAGES)
def test_the_policy_of_each_page_names_no_host(browser: TestClient, page: str) -> None:
    policy = browser.get(page).headers["content-security-policy"]
    directives = [directive.split() for directive in policy.split(";")]

    sources = [source for _name, *values in directives for source in values]
    assert [
        source for source in sources if not SOURCE_KEYWORD.fullmatch(source) and source not in {"data:", "blob:"}
    ] == []
    assert "'unsafe-eval'" not in sources


@pytest.mark.parametrize("asset", [SWAGGER_JS, SWAGGER_CSS, REDOC_JS, FAVICON])
def test_assets_are_kept_for_a_year_and_carry_the_security_headers(browser: TestClient, asset: str) -> None:
    response = browser.get(f"{ASSETS_URL}/{asset}")

    assert response.status_code == 200
    assert response.headers["cache-control"] == ASSET_CACHE_CONTROL
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_the_logo_redoc_loads_from_beside_its_page_is_served(browser: TestClient) -> None:
    response = browser.get("/redoc/logo-mini.svg")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    assert response.headers["cache-control"] == REDOC_LOGO_CACHE_CONTROL
    assert response.headers["x-content-type-options"] == "nosniff"


def test_an_asset_revalidates_with_its_etag(browser: TestClient) -> None:
    first = browser.get(f"{ASSETS_URL}/{REDOC_JS}")
    again = browser.get(f"{ASSETS_URL}/{REDOC_JS}", headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["cache-control"] == ASSET_CACHE_CONTROL


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(f"{ASSETS_URL}/swagger/missing.js", id="missing"),
        pytest.param(f"{ASSETS_URL}/%2e%2e/__init__.py", id="outside"),
        pytest.param("/docs/assets/0.0.0/fastapi/favicon.png", id="other-version"),
    ],
)
def test_a_path_outside_the_assets_is_not_found(browser: TestClient, path: str) -> None:
    response = browser.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"


def test_the_documentation_is_not_in_the_openapi_document(app: FastAPI) -> None:
    paths = app.openapi()["paths"]

    assert [path for path in paths if path.startswith(("/docs", "/redoc"))] == []


def test_install_docs_refuses_an_app_that_serves_fastapis_own_pages() -> None:
    with pytest.raises(ValueError, match="docs_url=None, redoc_url=None"):
        install_docs(FastAPI())
