"""`domacross`: the services' command line (click)."""

from __future__ import annotations

import click

from domacross.settings import Settings


@click.group()
def main() -> None:
    """DomaCross services: the indexer and the read API, over DOMACROSS_DATABASE_URL."""


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(revision: str) -> None:
    """Migrates the database to the latest schema (idempotent)."""
    from domacross.db.migrate import upgrade

    settings = Settings()
    upgrade(settings.database_url, revision)
    click.echo(f"database at revision {revision}")
