"""Database reads of the hot routes (the leaderboard, `/health`), run where they cost least.

A sync route costs FastAPI a worker-thread hop (three with a session dependency), and under
load each hop waits twice for the GIL: a worker that gave it up for I/O gets it back only
when the busy event loop lets go, after up to the interpreter's switch interval (5 ms),
and again for every statement, every row SQLite steps and every round trip. That wait,
not the queries, was most of the leaderboard's p95 with the page cache off. So:

* SQLite: the read runs on the event loop. A page is an index range scan of tens of rows
  (~0.1-0.3 ms), cheaper than the hop around it, and no other thread wants the GIL.
* PostgreSQL: a network round trip must not stall the loop, so the read runs in a small
  pool of threads of its own, handed over with `run_in_executor` (cheaper than anyio's
  `to_thread`), as one job: statement and rows.

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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

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
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            kept, self._kept = self._kept, set()
        for connection in kept:
            connection.close()
