"""Builds the FastAPI app of the read API."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from sqlalchemy import Engine, make_url

from domacross import __doc__ as _package_doc  # noqa: F401 - keeps the layering visible
from domacross.api.cache import PageCache
from domacross.api.docs import DOCS_PATHS, install_docs
from domacross.api.errors import install_error_handlers
from domacross.api.metrics import ApiMetrics
from domacross.api.middleware import (
    BodySizeLimitMiddleware,
    EdgeMiddleware,
    EnvelopeCORSMiddleware,
    RateLimitMiddleware,
)
from domacross.api.reads import Reader
from domacross.api.routes import (
    auth,
    baskets,
    competitions,
    contracts,
    health,
    portfolio,
    trades,
    users,
)
from domacross.api.security import load_keys
from domacross.db.engine import make_engine, session_factory
from domacross.db.readonly import make_read_engine
from domacross.settings import Settings
from domacross.web import install_pages

log = logging.getLogger("domacross.api")
VERSION = "1.0.0"
ERROR_REF = {"$ref": "#/components/schemas/ErrorPublic"}
POOL_SIZE = 10
"""Connections each engine keeps open; the hot routes' PostgreSQL reads (`reads.Reader`)
run in as many threads."""


def _engine_options(url: str, *, read: bool = False) -> dict[str, Any]:
    # NOTE: hide_parameters: a logged error must not carry what a client sent (or a nonce).
    options: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if read:
        # NOTE: each read statement is its own transaction: no BEGIN and ROLLBACK round
        # trips around every request on PostgreSQL. Nothing is lost: READ COMMITTED (the
        # default) takes a new snapshot per statement anyway, and pysqlite never opened a
        # transaction for a SELECT. The sessions stay READ ONLY (make_read_engine).
        # Nothing to roll back either when a connection goes back to the pool.
        options |= {"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None}
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        return options  # in memory: one database per connection, no queue pool
    # NOTE: sync routes run in Starlette's thread pool (40 threads). SQLite's default pool
    # (5) made every request beyond 5 at once open, set up and close a connection.
    return options | {"pool_size": POOL_SIZE, "max_overflow": 30}


def create_app(
    settings: Settings | None = None,
    *,
    write_engine: Engine | None = None,
    read_engine: Engine | None = None,
) -> FastAPI:
    """The app over the settings' databases (or the engines given, e.g. by tests)."""
    settings = settings or Settings()
    write_engine = write_engine or make_engine(
        settings.database_url, **_engine_options(settings.database_url)
    )
    read_engine = read_engine or make_read_engine(
        settings.read_url(), **_engine_options(settings.read_url(), read=True)
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        live = getattr(app.state, "live", None)  # live leaderboards, made on first stream
        if live is not None:
            await live.close()
        reader.close()
        write_engine.dispose()
        read_engine.dispose()

    app = FastAPI(
        title="DomaCross API",
        version=VERSION,
        summary="Competitions, leaderboards, portfolios and wallet sign-in, read from the "
        "indexer's database.",
        lifespan=lifespan,
        docs_url=None,  # served by install_docs, with local assets
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.jwt_keys = keys = load_keys(settings)
    app.state.write_sessions = session_factory(write_engine)
    app.state.reader = reader = Reader(read_engine, threads=POOL_SIZE)
    app.state.read_sessions = read_sessions = session_factory(read_engine)
    app.state.metrics = metrics = ApiMetrics(read_sessions)
    app.state.page_cache = PageCache(
        settings.api_cache_entries, settings.api_cache_seconds, settings.api_version_check_seconds
    )

    for module in (competitions, portfolio, users, baskets, auth, health, trades, contracts):
        app.include_router(module.router)
    install_pages(app)
    install_error_handlers(app)
    install_docs(app)

    # Added innermost first: a request meets them in the reverse order.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.rate_limit_enabled:
        app.add_middleware(RateLimitMiddleware, settings=settings, keys=keys)
    if settings.cors_origins:
        app.add_middleware(
            EnvelopeCORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
            max_age=600,
        )
    app.add_middleware(EdgeMiddleware, settings=settings, docs_paths=DOCS_PATHS, metrics=metrics)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, with the errors as this API answers them: validation errors are
    400 (not 422) in the envelope, and every operation may answer 429 and 500."""
    from domacross.api.schemas import ErrorPublic

    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components.setdefault(
        "ErrorPublic", ErrorPublic.model_json_schema(ref_template="#/components/schemas/{model}")
    )

    def error(description: str) -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}

    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses.setdefault("400", error("Invalid request (`validation_error`)"))
            if "requestBody" in operation:
                responses.setdefault("413", error("Body too large (`validation_error`)"))
            responses.setdefault("429", error("Rate limited (`rate_limited`)"))
            responses.setdefault("500", error("Internal error (`internal`)"))
    return schema
