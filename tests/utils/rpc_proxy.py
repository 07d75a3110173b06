"""An in-process JSON-RPC proxy in front of a real node that injects faults between calls.

Each request goes to `proxy.fault(method, params)` first: it may return a fault to send
instead of forwarding (a JSON-RPC error body, an HTTP status, a hang), or None to forward.
Then `proxy.after(method, params, response)` may act on the node (a reorg between two
calls of the indexer) or rewrite the response (a result cap). Both default to no-ops;
tests replace them.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests


@dataclass
class Fault:
    """What the proxy answers instead of the node."""

    error: dict[str, Any] | None = None
    """A JSON-RPC error object, sent with HTTP 200."""
    status: int | None = None
    """An HTTP status without a JSON-RPC body."""
    hang: float = 0.0
    """Seconds to wait before answering (longer than the client's timeout: a hang)."""


class RpcProxy:
    """Forwards JSON-RPC to `upstream`; see the module doc."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.calls: list[str] = []
        self.fault: Callable[[str, list[Any]], Fault | None] = lambda _m, _p: None
        self.after: Callable[[str, list[Any], dict[str, Any]], dict[str, Any]] = lambda _m, _p, r: r
        self._session = requests.Session()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                # A JSON-RPC batch is a list: each request meets the faults on its own.
                answers = [
                    proxy.handle(item) for item in (body if isinstance(body, list) else [body])
                ]
                status = next((a for a in answers if isinstance(a, int)), None)
                if status is not None:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = json.dumps(answers if isinstance(body, list) else answers[0]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def handle(self, body: dict[str, Any]) -> dict[str, Any] | int:
        """One request: its answer, or an HTTP status to send instead."""
        method, params = body.get("method", ""), body.get("params", [])
        self.calls.append(method)
        fault = self.fault(method, params)
        if fault is not None and fault.hang:
            time.sleep(fault.hang)
        if fault is not None and fault.status is not None:
            return fault.status
        if fault is not None and fault.error is not None:
            return {"jsonrpc": "2.0", "id": body.get("id"), "error": fault.error}
        return self.after(method, params, self.forward(body))

    def forward(self, body: dict[str, Any]) -> dict[str, Any]:
        """Sends one request to the node and returns its JSON answer."""
        answer: dict[str, Any] = self._session.post(self.upstream, json=body, timeout=30).json()
        return answer

    def node(self, method: str, params: list[Any]) -> Any:
        """Calls the node directly (not through the proxy); returns the result."""
        return self.forward({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})[
            "result"
        ]

    def start(self) -> None:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def rpc_proxy(upstream: str) -> Iterator[RpcProxy]:
    """A running proxy in front of `upstream`."""
    proxy = RpcProxy(upstream)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
