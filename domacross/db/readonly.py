"""Read-only access: the API's read engine, and the PostgreSQL role behind it."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, event, text

from domacross.db.engine import make_engine

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
SQLITE_READ_MMAP_BYTES = 256 * 2**20
"""SQLite reads through a memory map of up to this much of the file (`PRAGMA mmap_size`).

NOTE: with SQLite's default 2 MiB page cache per connection, the leaderboard's pages of a
10,000-entrant board missed it and each read copied B-tree pages in from the OS cache:
a fifth of a page read's time. Mapped pages are the OS's shared cache, read in place,
not a copy per connection (they count in the API's RSS as file-backed, reclaimable pages)."""


def make_read_engine(url: str, **kwargs: Any) -> Engine:
    """An engine whose sessions cannot write, whatever role the URL names: every
    PostgreSQL session is `READ ONLY`, every SQLite connection `query_only` (and reading
    through a memory map). Point the URL at a role of `create_readonly_role` on
    PostgreSQL, so privileges enforce it too."""
    engine = make_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _read_only(dbapi_connection: Any, _: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "postgresql":
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_connection.commit()
        elif engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA query_only=ON")
            cursor.execute(f"PRAGMA mmap_size={SQLITE_READ_MMAP_BYTES}")
        cursor.close()

    return engine


def readonly_role_sql(name: str, database: str, password: str | None = None) -> list[str]:
    """The statements that create (or update) a login role that can only read `database`'s
    `public` schema, including tables that migrations add later."""
    if not ROLE_NAME.match(name):
        raise ValueError(f"role name must match {ROLE_NAME.pattern}: {name!r}")
    login = "LOGIN"
    if password is not None:
        login += " PASSWORD '" + password.replace("'", "''") + "'"
    quoted_db = '"' + database.replace('"', '""') + '"'
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') "
        f"THEN CREATE ROLE {name} {login}; END IF; END $$",
        f"ALTER ROLE {name} {login} NOSUPERUSER NOCREATEDB NOCREATEROLE",
        f"ALTER ROLE {name} SET default_transaction_read_only = on",
        f"GRANT CONNECT ON DATABASE {quoted_db} TO {name}",
        f"GRANT USAGE ON SCHEMA public TO {name}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {name}",
        # Tables created later by the role running the migrations (the one running this).
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {name}",
    ]


def create_readonly_role(engine: Engine, name: str, password: str | None = None) -> None:
    """Runs `readonly_role_sql` on a PostgreSQL engine with enough privileges."""
    if engine.dialect.name != "postgresql":
        raise ValueError("read-only roles exist on PostgreSQL only")
    database = engine.url.database or "postgres"
    with engine.begin() as connection:
        for statement in readonly_role_sql(name, database, password):
            connection.execute(text(statement))
