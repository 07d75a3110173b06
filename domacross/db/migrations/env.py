"""Alembic environment: the URL comes from the caller or from DOMACROSS_DATABASE_URL."""

from __future__ import annotations

from alembic import context

from domacross.db import basket_models  # noqa: F401 - registers the basket tables
from domacross.db.engine import make_engine
from domacross.db.models import Base
from domacross.settings import Settings

config = context.config
url = config.get_main_option("sqlalchemy.url") or Settings().database_url


def run() -> None:
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=Base.metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
