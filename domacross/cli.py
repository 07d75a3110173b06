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


@db.command("create-readonly-role")
@click.option("--name", required=True, help="Role to create or update (e.g. domacross_api).")
@click.option(
    "--password",
    envvar="DOMACROSS_READONLY_PASSWORD",
    default=None,
    help="Its password (or DOMACROSS_READONLY_PASSWORD); omit for trust/peer auth.",
)
@click.option("--print-sql", is_flag=True, help="Print the SQL instead of running it.")
def db_create_readonly_role(name: str, password: str | None, print_sql: bool) -> None:
    """Creates a PostgreSQL login role that can only read the database (for the API's
    DOMACROSS_READ_DATABASE_URL). Runs as DOMACROSS_DATABASE_URL's role, after `db upgrade`."""
    from sqlalchemy import make_url

    from domacross.db.engine import make_engine
    from domacross.db.readonly import create_readonly_role, readonly_role_sql

    settings = Settings()
    url = make_url(settings.database_url)
    if not url.drivername.startswith("postgresql"):
        raise click.ClickException("read-only roles exist on PostgreSQL only")
    if print_sql:
        for statement in readonly_role_sql(name, url.database or "postgres", password):
            click.echo(statement + ";")
        return
    engine = make_engine(settings.database_url)
    try:
        create_readonly_role(engine, name, password)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()
    click.echo(f"role {name} can read {url.database}; set DOMACROSS_READ_DATABASE_URL to use it")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65_535))
@click.option("--reload", is_flag=True, help="Restart on code changes (development only).")
@click.option("--log-level", default="info", show_default=True)
def serve(host: str, port: int, reload: bool, log_level: str) -> None:
    """Runs the read API (uvicorn) over DOMACROSS_DATABASE_URL / _READ_DATABASE_URL."""
    import uvicorn

    uvicorn.run(
        "domacross.api.main:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        log_level=log_level,
        proxy_headers=False,
        server_header=False,
    )
