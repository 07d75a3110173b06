"""The hot routes' reader keeps one connection per thread, and a read whose connection the
server dropped runs again on a new one (what `pool_pre_ping` gave per checkout)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Connection, create_engine, text

from domacross.api.reads import Reader
from domacross.db.readonly import make_read_engine


def _backend(connection: Connection) -> object:
    if connection.dialect.name == "postgresql":
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    return id(connection.connection.driver_connection)


def test_reader__reads__one_connection_reused(database_url):
    engine = make_read_engine(database_url, isolation_level="AUTOCOMMIT")
    reader = Reader(engine, threads=1)

    async def reads() -> list[object]:
        return [await reader(_backend) for _ in range(3)]

    try:
        backends = asyncio.run(reads())
    finally:
        reader.close()
        engine.dispose()
    assert len(set(backends)) == 1


def test_reader__server_dropped_connection__read_runs_on_a_new_one(postgresql_url):
    # PostgreSQL only: a SQLite file has no server to drop the connection.
    engine = make_read_engine(postgresql_url, isolation_level="AUTOCOMMIT")
    admin = create_engine(postgresql_url, isolation_level="AUTOCOMMIT")
    reader = Reader(engine, threads=1)

    def failing(connection: Connection) -> None:
        connection.exec_driver_sql("SELECT 1/0")

    async def reads() -> tuple[object, object]:
        first = await reader(_backend)
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        return first, await reader(_backend)

    try:
        first, second = asyncio.run(reads())
        with pytest.raises(Exception, match="division by zero"):  # not a drop: no retry
            asyncio.run(reader(failing))
    finally:
        reader.close()
        engine.dispose()
        admin.dispose()
    assert first != second
