"""The competition pages served beside the read API (`domacross serve`): HTML over the same
queries, static script and CSS from this package, no build step, no CDN."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from domacross.settings import Settings
from domacross.web.pages import STATIC_DIR, router
from domacross.web.standings import StandingsCache


def install_pages(app: FastAPI) -> None:
    """Adds `/`, `/competitions/{id}`, `/traders/{wallet}` and `/static/` to the app (none of
    them in the OpenAPI schema)."""
    settings: Settings = app.state.settings
    app.state.standings_cache = StandingsCache(
        settings.api_cache_entries, settings.api_cache_seconds
    )
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
