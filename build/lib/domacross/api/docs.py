"""The interactive docs (Swagger UI at /docs, ReDoc at /redoc) with their scripts and
styles served by this API: FastAPI's defaults load them from a CDN, which leaves the pages
blank on an offline machine and widens the pages' CSP to a third party.

The assets come from the `fastapi-offline` wheel (pinned in pyproject.toml: Swagger UI's
bundle and CSS, ReDoc's standalone bundle); only its static folder is used.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).with_name("static")
ASSETS_URL = "/docs-assets"
DOCS_URL = "/docs"
REDOC_URL = "/redoc"
DOCS_PATHS = frozenset({DOCS_URL, REDOC_URL})


def install_docs(app: FastAPI) -> None:
    """Adds /docs, /redoc and their assets to an app built with `docs_url=None` and
    `redoc_url=None`."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
        )

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
