"""Database reads of the hot routes (the leaderboard, `/health`), run where they cost least.

A sync route costs FastAPI a worker-thread hop (three with a session dependency), and under
load each hop waits twice for the GIL: a worker that gave it up for I/O gets it back only
when the busy event loop lets go, after up to the interpreter's switch interval (5 ms),
and again for every statement, every row SQLite steps and every round trip. That wait,
not the queries, was most of the leaderboard's p95 with the page cache off. So:

* SQLite: the read runs on the event loop. A page is an index range scan of tens of rows
  (~0.1-0.3 ms), cheaper than the hop around it, and no other thread wants the GIL.
* PostgreSQL: a network round trip must not stall the loop. A single statement whose rows
  are all the route needs (`rows`: the leaderboard's page) runs on an async psycopg
  connection of the loop's own, awaited on the loop: no thread, so no GIL hand-over at
  all. Anything else runs in a small pool of threads of its own, handed over with
  `run_in_executor` (cheaper than anyio's `to_thread`), as one job: statements and rows.

Each thread (the loop's, or each of the pool's) keeps one connection for its reads: a pool
checkout, its liveness ping (`pool_pre_ping`, a round trip on PostgreSQL) and its return
cost a fifth of a page's read on SQLite and a second round trip on PostgreSQL. What the
ping gave is kept: a read that fails because the server dropped the connection is run
once more on a new one (reads change nothing, so running one again is safe).
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from domacross.api.queries import driver_rows

if TYPE_CHECKING:
    from psycopg import AsyncConnection

P = ParamSpec("P")
T = TypeVar("T")


class Reader:
    """Runs `work(connection, ...)` on a read connection, on the loop or in its pool."""

    def __init__(self, engine: Engine, threads: int) -> None:
        self.engine = engine
        self._executor = (
            None
            if engine.dialect.name == "sqlite"
            else ThreadPoolExecutor(threads, thread_name_prefix="domacross-read")
        )
        self._local = threading.local()
        self._kept: set[Connection] = set()
        """Every thread's connection, closed by `close`."""
        self._lock = threading.Lock()
        self._threads = threads
        self._loop: asyncio.AbstractEventLoop | None = None
        self._idle: list[AsyncConnection[Any]] = []
        """PostgreSQL: the loop's connections not in use (at most `threads` in all)."""
        self._slots: asyncio.Semaphore | None = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def rows(self, sql: str, values: Any) -> Sequence[Sequence[Any]]:
        """One statement's rows as the driver returns them (`sql` in the engine's driver's
        paramstyle): on SQLite on the loop, on PostgreSQL on one of the loop's async
        connections (a connection the server dropped is replaced, and the read run again)."""
        if self._executor is None:
            return self._run(driver_rows, sql, values)
        from psycopg import OperationalError

        slots = self._loop_slots()
        async with slots:
            for retry in (False, True):
                connection = self._idle.pop() if self._idle else await self._connect()
                try:
                    async with connection.cursor() as cursor:
                        await cursor.execute(sql, values)
                        found = await cursor.fetchall()
                except BaseException as error:
                    await connection.close()
                    if retry or not isinstance(error, OperationalError) or not connection.broken:
                        raise
                    continue
                self._idle.append(connection)
                return found
        raise AssertionError("unreachable")

    def _loop_slots(self) -> asyncio.Semaphore:
        """The running loop's semaphore; a new loop (a test's new client) starts afresh:
        another loop's connections cannot be awaited here, so they are closed unawaited."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            for stale in self._idle:
                stale.pgconn.finish()
            self._idle, self._loop = [], loop
            self._slots = asyncio.Semaphore(self._threads)
        return self._slots

    async def _connect(self) -> AsyncConnection[Any]:
        from psycopg import AsyncConnection
        from psycopg.types.string import TextLoader

        url = self.engine.url.set(drivername="postgresql")
        # Autocommit: a read needs no transaction of its own (no BEGIN/ROLLBACK round
        # trips); read-only as the engine's sessions are (`make_read_engine`).
        # NOTE: generic plans: psycopg prepares a statement run often, but PostgreSQL's
        # default (`auto`) kept planning the page statement afresh on every run (its custom
        # plans looked cheaper than the generic one), which was 0.4 ms of a 0.6 ms read.
        # The one generic plan is the board index's range scan, right for any competition.
        connection = await AsyncConnection.connect(
            url.render_as_string(hide_password=False),
            autocommit=True,
            options="-c default_transaction_read_only=on -c plan_cache_mode=force_generic_plan",
        )
        # NOTE: NUMERIC as its text: the callers make ints of it (uint256 and int256 are
        # NUMERIC(78) here), and a Decimal in between cost a third of a page's CPU.
        connection.adapters.register_loader("numeric", TextLoader)
        return connection

    async def __call__(
        self,
        work: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        if self._executor is None:
            return self._run(work, *args, **kwargs)
        job = functools.partial(self._run, work, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, job)

    def _run(
        self,
        work: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """`work` on this thread's connection; again on a new one if the server had
        dropped it."""
        for retry in (False, True):
            connection = self._connection()
            try:
                return work(connection, *args, **kwargs)
            except Exception as error:
                dropped = connection.invalidated or (
                    isinstance(error, DBAPIError) and error.connection_invalidated
                )
                self._drop(connection)
                if retry or not dropped:
                    raise
        raise AssertionError("unreachable")

    def _connection(self) -> Connection:
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is None or connection.closed or connection.invalidated:
            connection = self.engine.connect()
            self._local.connection = connection
            with self._lock:
                self._kept.add(connection)
        return connection

    def _drop(self, connection: Connection) -> None:
        self._local.connection = None
        with self._lock:
            self._kept.discard(connection)
        connection.close()

    def close(self) -> None:
        idle, self._idle = self._idle, []
        for stale in idle:
            stale.pgconn.finish()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            kept, self._kept = self._kept, set()
        for connection in kept:
            connection.close()
