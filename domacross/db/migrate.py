"""Runs the Alembic migrations programmatically (`domacross db upgrade` and at start-up)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


class MigrationRefusedError(RuntimeError):
    """A migration found data it cannot carry over safely; it changed nothing, and its
    message says what to do."""


def alembic_config(url: str) -> Config:
    """An Alembic config for the packaged migrations and a database URL."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrates the database at `url` to `revision` (idempotent)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Migrates the database at `url` down to `revision`."""
    command.downgrade(alembic_config(url), revision)
