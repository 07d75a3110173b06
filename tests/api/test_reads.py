"""The hot routes' reader keeps one connection per thread, and a read whose connection the
server dropped runs again on a new one (what `pool_pre_ping` gave per checkout)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, text

from domacross.api.queries import board_page_sql
from domacross.api.reads import Reader
from domacross.db.readonly import SQLITE_READ_MMAP_BYTES, make_read_engine


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


PID = "SELECT pg_backend_pid()"


def test_reader_rows__reads__one_connection_reused_and_numeric_as_text(database_url):
    engine = make_read_engine(database_url)
    reader = Reader(engine, threads=2)
    postgres = engine.dialect.name == "postgresql"
    which = PID if postgres else "SELECT 1"
    wide = "SELECT CAST(CAST(2 AS NUMERIC) ^ 255 AS NUMERIC(78, 0))" if postgres else "SELECT '7'"

    async def reads() -> tuple[list[object], object]:
        backends = [(await reader.rows(which, ()))[0][0] for _ in range(3)]
        return backends, (await reader.rows(wide, ()))[0][0]

    try:
        backends, value = asyncio.run(reads())
    finally:
        reader.close()
        engine.dispose()
    assert len(set(backends)) == 1
    # NUMERIC arrives as its exact text (uint256 columns), never a float or a Decimal.
    assert value == (str(2**255) if postgres else "7")


def test_reader_rows__server_dropped_connection__read_runs_on_a_new_one(postgresql_url):
    engine = make_read_engine(postgresql_url)
    admin = create_engine(postgresql_url, isolation_level="AUTOCOMMIT")
    reader = Reader(engine, threads=1)

    async def reads() -> tuple[object, object]:
        first = (await reader.rows(PID, ()))[0][0]
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        return first, (await reader.rows(PID, ()))[0][0]

    try:
        first, second = asyncio.run(reads())
        # Not a drop: no retry, the error as it is; and the reader still reads after it.
        with pytest.raises(Exception, match="division by zero"):
            asyncio.run(reader.rows("SELECT 1/0", ()))
        # Read-only like the engine's sessions, whatever the role may do.
        with pytest.raises(Exception, match="read-only transaction"):
            asyncio.run(reader.rows("CREATE TABLE reader_must_not_write (x int)", ()))
        # A new event loop (another client of the same app) gets connections of its own.
        third = asyncio.run(reader.rows(PID, ()))[0][0]
    finally:
        reader.close()
        engine.dispose()
        admin.dispose()
    assert first != second
    assert third not in (first, second)


def test_reader_rows__page_statement_run_often__planned_once_generic(postgresql_url):
    # PostgreSQL's default plan choice kept planning the page statement on every run
    # (custom plans), more work than running it; the reader's connections keep the one
    # generic plan of the board index instead.
    engine = make_read_engine(postgresql_url)
    reader = Reader(engine, threads=1)
    after = (10**18, "0x" + "ab" * 20)
    sql, values = board_page_sql(engine.dialect, 1, 50, after)
    # psycopg sends the statement with $n placeholders: found by its table instead.
    plans = (
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
        "WHERE statement LIKE '%%FROM participants%%'"
    )

    async def reads() -> Sequence[Sequence[Any]]:
        for _ in range(8):  # psycopg prepares a statement on its fifth run
            await reader.rows(sql, values)
        return await reader.rows(plans, ())

    try:
        found = asyncio.run(reads())
    finally:
        reader.close()
        engine.dispose()
    assert len(found) == 1, "the page statement was not prepared"
    generic, custom = found[0]
    assert generic >= 3
    assert custom == 0


def test_read_engine__sqlite__reads_through_a_memory_map(sqlite_url):
    engine = make_read_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            mapped = connection.exec_driver_sql("PRAGMA mmap_size").scalar_one()
    finally:
        engine.dispose()
    assert mapped == SQLITE_READ_MMAP_BYTES > 0


@pytest.mark.parametrize(
    "score",
    [0, 1, -1, 10**18, -(3 * 10**18) // 2, 2**255 - 1, -(2**255)],
)
def test_page_from_rows__every_driver_form__same_entries(score):
    # A page's wide integers arrive as NUMERIC text (the async reader), as Decimal (the
    # sync driver) or as SQLite's offset digits; the entries must not depend on which.
    from decimal import Decimal

    from domacross.api.queries import page_from_rows
    from domacross.db.types import INT256_OFFSET, UINT256_DIGITS

    value, realised, unrealised = 2**256 - 1, score - 7, -score

    def row(signed, unsigned) -> tuple[object, ...]:
        wide = (signed(score), unsigned(value), signed(realised), signed(unrealised))
        return (3, 9, "t", "0x" + "ab" * 20, None, *wide, 1)

    def digits(v: int) -> str:
        return f"{v:0{UINT256_DIGITS}d}"

    text = page_from_rows([row(str, str)], 50, "postgresql")
    decimal = page_from_rows([row(Decimal, Decimal)], 50, "postgresql")
    sqlite = page_from_rows([row(lambda v: digits(v + INT256_OFFSET), digits)], 50, "sqlite")
    assert text == decimal == sqlite
    entry = text.entries[0]
    assert entry["score_e18"] == str(score) and entry["score"] == str(score // 10**18)
    assert (entry["value"], entry["realised_pnl"]) == (str(value), str(realised))
