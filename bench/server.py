"""A real `domacross serve` for the HTTP benchmarks: a subprocess on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A running server: where it listens and its process id (for its peak memory)."""

    base: str
    port: int
    pid: int


@contextmanager
def served(
    env: Mapping[str, str],
    *,
    ready: str = "/health",
    ready_statuses: tuple[int, ...] = (200,),
    workers: int | None = None,
    timeout: float = 60,
) -> Iterator[Server]:
    """Starts `domacross serve` with `env` on top of this process's environment, waits until
    `GET ready` answers one of `ready_statuses`, yields it and stops it afterwards.

    Raises:
        SystemExit: the server did not answer within `timeout` seconds.
    """
    port = free_port()
    command = [str(Path(sys.executable).with_name("domacross")), "serve", "--port", str(port)]
    command += ["--log-level", "warning"]
    if workers is not None:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(command, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(base + ready, timeout=5).status_code in ready_statuses:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("domacross serve did not start")
            time.sleep(0.1)
        yield Server(base, port, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)
