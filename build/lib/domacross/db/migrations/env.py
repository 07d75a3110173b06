"""Alembic environment: the URL comes from the caller or from DOMACROSS_DATABASE_URL."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, Engine, event

from domacross.db import basket_models  # noqa: F401 - registers the basket tables
from domacross.db.engine import make_engine
from domacross.db.models import Base
from domacross.settings import Settings

config = context.config
url = config.get_main_option("sqlalchemy.url") or Settings().database_url


def _transactional_sqlite(engine: Engine) -> None:
    """Runs SQLite DDL inside one real transaction, as PostgreSQL does: Python's sqlite3
    commits before each CREATE by itself, so a kill during the first migration left some
    tables and no alembic_version, and every later start failed on "table already exists".
    With BEGIN issued here, an interrupted upgrade leaves the database as it was."""

    @event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver's own BEGINs off

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


def run() -> None:
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        _transactional_sqlite(engine)
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=Base.metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
