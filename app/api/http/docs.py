"""The documentation pages, ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), with every file they load served here.

FastAPI's own pages load their scripts, styles, fonts and favicon from CDNs: offline they stay blank, and each
visit is announced to those hosts. These pages load the builds that the ``fastapi-standalone-docs`` package ships
instead (Swagger UI, ReDoc and FastAPI's favicon), mounted under ``/docs/assets/<package version>/``. A new
version of the package serves them from a new path, so browsers may keep each file for a year. That package's
ReDoc build is patched to load its logo from beside the page rather than from Redocly's CDN: it is served there.
"""

import os
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path, PurePath

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse
from starlette.types import Scope

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS = Path(str(files("fastapi_standalone_docs") / "static"))
"""The package's folder of builds (a plain package on disk: its files have paths)."""
ASSETS_URL = f"{DOCS_URL}/assets/{version('fastapi-standalone-docs')}"
"""Where that folder is served; the version in the path lets the files be cached for good."""

SWAGGER_JS = "swagger/swagger-ui-bundle.js"
SWAGGER_CSS = "swagger/swagger-ui.css"
REDOC_JS = "redoc/redoc.standalone.js"
FAVICON = "fastapi/favicon.png"
REDOC_LOGO = "redoc/logo-mini.svg"
REDOC_LOGO_URL = f"{REDOC_URL}/logo-mini.svg"
"""The package's ReDoc build loads its logo from beside the page, where ReDoc itself would fetch it from its CDN."""

ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable"
REDOC_LOGO_CACHE_CONTROL = "public, max-age=86400"
"""A day: the logo's path names no version."""
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}
"""Named here rather than guessed from the host's ``/etc/mime.types``, which differs between machines."""

SWAGGER_UI_PARAMETERS = {"validatorUrl": None}
"""Swagger UI would otherwise show a badge fetched from validator.swagger.io, naming the document's URL to it."""


class DocsAssets(StaticFiles):
    """The package's asset files, with their media type named and a year's ``Cache-Control``."""

    def file_response(
        self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = FileResponse(
            full_path,
            status_code=status_code,
            stat_result=stat_result,
            media_type=MEDIA_TYPES.get(PurePath(full_path).suffix),
            headers={"Cache-Control": ASSET_CACHE_CONTROL},
        )
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            return NotModifiedResponse(response.headers)
        return response


router = APIRouter(include_in_schema=False)
PAGE_METHODS = ["GET", "HEAD"]
"""As the assets answer, and FastAPI's own pages did."""


def _asset(request: Request, name: str) -> str:
    return f"{_root_path(request)}{ASSETS_URL}/{name}"


def _root_path(request: Request) -> str:
    root_path: str = request.scope.get("root_path", "")
    return root_path.rstrip("/")


@router.api_route(DOCS_URL, methods=PAGE_METHODS, response_class=HTMLResponse)
async def read_swagger_ui(request: Request) -> HTMLResponse:
    """The interactive documentation (Swagger UI)."""
    return get_swagger_ui_html(
        openapi_url=_root_path(request) + request.app.openapi_url,
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=_asset(request, SWAGGER_JS),
        swagger_css_url=_asset(request, SWAGGER_CSS),
        swagger_favicon_url=_asset(request, FAVICON),
        swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
    )


@router.api_route(REDOC_LOGO_URL, methods=PAGE_METHODS, response_class=FileResponse)
async def read_redoc_logo() -> FileResponse:
    """The logo ReDoc shows under its menu."""
    return FileResponse(
        ASSETS / REDOC_LOGO, media_type=MEDIA_TYPES[".svg"], headers={"Cache-Control": REDOC_LOGO_CACHE_CONTROL}
    )


@router.api_route(REDOC_URL, methods=PAGE_METHODS, response_class=HTMLResponse)
async def read_redoc(request: Request) -> HTMLResponse:
    """The reference documentation (ReDoc)."""
    return get_redoc_html(
        openapi_url=_root_path(request) + request.app.openapi_url,
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=_asset(request, REDOC_JS),
        redoc_favicon_url=_asset(request, FAVICON),
        with_google_fonts=False,
    )


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs``, ``/redoc`` and their assets in place of FastAPI's pages, which must be turned off."""
    if app.docs_url is not None or app.redoc_url is not None or app.openapi_url is None:
        raise ValueError("install_docs needs an app made with docs_url=None, redoc_url=None and an openapi_url")
    app.mount(ASSETS_URL, DocsAssets(directory=ASSETS), name="docs-assets")
    app.include_router(router)
