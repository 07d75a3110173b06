"""uvicorn's HTTP protocol with each response's head and first body chunk in one send.

uvicorn writes a response's status line and headers, then its body, as two socket sends
(two system calls and, with `TCP_NODELAY`, two packets). Under load these sends were a
quarter of the API's CPU on the leaderboard. `HeadWithBodyProtocol` holds the head until
the next write, normally the body from the same task step, and sends both at once; a
head with no write after it (a 204, a stream not yet started) goes out on the event
loop's next turn. Nothing else changes: every other write goes straight through.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_PREFIX = b"HTTP/"
"""How each of uvicorn's response heads starts (status line), and no body write does
unless a body chunk happens to: then it is only held until the next write or turn."""


class HeadWithBodyTransport(asyncio.Transport):
    """A transport that holds a response head for the write that follows it."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._transport = transport
        self._loop = loop
        self._head: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            self._transport.write(head + bytes(data))
        elif bytes(data[: len(HEAD_PREFIX)]) == HEAD_PREFIX:
            self._head = bytes(data)
            self._loop.call_soon(self.flush)
        else:
            self._transport.write(data)

    def flush(self) -> None:
        """Sends a held head now."""
        if self._head is not None:
            head, self._head = self._head, None
            if not self._transport.is_closing():
                self._transport.write(head)

    def writelines(self, list_of_data: Any) -> None:
        self.write(b"".join(list_of_data))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._head = None
        self._transport.abort()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.flush()  # an upgrade (WebSocket) takes the connection over from here
        self._transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._transport.get_protocol()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._transport.set_write_buffer_limits(high, low)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + len(self._head or b"")

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._transport.get_write_buffer_limits()

    def can_write_eof(self) -> bool:
        return self._transport.can_write_eof()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()


class HeadWithBodyProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a `HeadWithBodyTransport` (`domacross serve`)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(HeadWithBodyTransport(transport, self.loop))
