"""Pure ASGI middleware (streaming responses pass through untouched): metrics, security
headers and the last-resort envelope in one layer (`EdgeMiddleware`), rate limits, CORS
and the request size limit."""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

from limits import parse
from limits.aio.storage import Storage as AsyncStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from domacross.api.errors import code_for_status, envelope
from domacross.api.security import JwtKeys, decode_token
from domacross.settings import Settings

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from domacross.api.metrics import ApiMetrics

log = logging.getLogger("domacross.api")

JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The interactive docs: their scripts and styles come from this API (domacross.api.docs);
# Swagger UI and ReDoc start from an inline script and use inline styles, ReDoc a worker.
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'"
)
# The competition pages (domacross.web): script and CSS from this origin only, no inline
# code; the page's script reads the leaderboard stream from the same origin.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
UNLIMITED_PATHS = frozenset({"/health", "/metrics"})


async def send_envelope(
    send: Send,
    status: int,
    message: str,
    details: Any = None,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Answers with the error envelope from inside a middleware."""
    body = json.dumps(
        {"code": code_for_status(status), "message": message, "details": details}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class EdgeMiddleware:
    """The outermost of ours, one send wrapper for what every HTTP response gets: counted
    and timed per route template (not per raw path); the security headers (HSTS, no
    sniffing, no framing, no referrer, a CSP that lets JSON do nothing and HTML pages only
    this origin's script and CSS); and, when the app raised, the envelope instead of a
    stack trace: 413 for a body over the limit noticed outside a route, else 500 (logged
    here, never sent), unless the response had already started."""

    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        docs_paths: frozenset[str],
        metrics: ApiMetrics,
    ) -> None:
        self.app = app
        self.docs_paths = docs_paths
        self.metrics = metrics
        headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"cross-origin-resource-policy", b"same-site"),
        ]
        if settings.hsts_max_age:
            headers.append(
                (
                    b"strict-transport-security",
                    f"max-age={settings.hsts_max_age}; includeSubDomains".encode(),
                )
            )
        self.headers = headers

    def _secured(self, headers: list[tuple[bytes, bytes]], docs: bool) -> list[tuple[bytes, bytes]]:
        html = any(
            name == b"content-type" and value.startswith(b"text/html") for name, value in headers
        )
        csp = DOCS_CSP if docs else PAGE_CSP if html else JSON_CSP
        return [*headers, *self.headers, (b"content-security-policy", csp.encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        docs = scope["path"] in self.docs_paths
        status = 0  # until the response starts

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = self._secured(list(message.get("headers", [])), docs)
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except BodyTooLargeError as exc:
            if not status:
                details = {"max_bytes": exc.max_bytes}
                await send_envelope(send_wrapper, 413, "request body too large", details)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if not status:
                await send_envelope(send_wrapper, 500, "internal error")
        finally:
            template = getattr(scope.get("route"), "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            self.metrics.observe(scope["method"], template, status or 500, elapsed)


def client_ip(scope: Scope, proxy_hops: int) -> str:
    """The client's IP: the socket peer, or behind `proxy_hops` proxies that each append
    the address they saw, the `X-Forwarded-For` entry that many hops from the right.

    Entries to the left of it are whatever the client sent: trusting them would let any
    client pick its own rate-limit key.
    """
    client = scope.get("client")
    peer = str(client[0]) if client else "unknown"
    if proxy_hops <= 0:
        return peer
    hops: list[str] = []
    for name, value in scope.get("headers", []):
        if name == b"x-forwarded-for":  # several headers are one list, in order
            hops.extend(part.strip() for part in value.decode("latin-1").split(","))
    hops = [hop for hop in hops if hop]
    if len(hops) < proxy_hops:
        return peer  # fewer entries than proxies: not through the expected chain
    return hops[-proxy_hops]


def rate_limit_storage(uri: str, key_prefix: str) -> AsyncStorage:
    """`limits` async storage for a configured URI (`memory://`, `redis://host:port`)."""
    if not uri.startswith("async+"):
        uri = f"async+{uri}"
    options: dict[str, str] = {}
    if uri.startswith("async+redis"):
        options = {"implementation": "redispy", "key_prefix": key_prefix}
    storage = storage_from_string(uri, **options)
    if not isinstance(storage, AsyncStorage):
        raise ValueError(f"rate_limit_storage_uri {uri!r} has no async storage")
    return storage


class RateLimitMiddleware:
    """Per-IP, and per-wallet for requests with a valid session token (`limits.aio` moving
    windows, so no counter call blocks the event loop; in memory per process, or shared
    by every worker through `rate_limit_storage_uri`)."""

    def __init__(self, app: ASGIApp, settings: Settings, keys: JwtKeys) -> None:
        self.app = app
        self.settings = settings
        self.keys = keys
        self.limiter = MovingWindowRateLimiter(
            rate_limit_storage(settings.rate_limit_storage_uri, settings.rate_limit_key_prefix)
        )
        self.ip_limit = parse(settings.rate_limit_ip)
        self.wallet_limit = parse(settings.rate_limit_wallet)

    def _wallet(self, scope: Scope) -> str | None:
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() != "bearer" or not token:
                    return None
                try:
                    return decode_token(self.keys, self.settings, token.strip()).wallet
                except Exception:
                    return None  # the route answers 401; only the IP limit applies here
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        checks = [(self.ip_limit, "ip", client_ip(scope, self.settings.trusted_proxy_hops))]
        wallet = self._wallet(scope)
        if wallet is not None:
            checks.append((self.wallet_limit, "wallet", wallet))
        for limit, kind, key in checks:
            if not await self.limiter.hit(limit, kind, key):
                reset_at, _ = await self.limiter.get_window_stats(limit, kind, key)
                retry = max(1, int(reset_at - time.time()) + 1)
                await send_envelope(
                    send,
                    429,
                    f"too many requests per {kind}",
                    {"limit": str(limit), "retry_after": retry},
                    [(b"retry-after", str(retry).encode())],
                )
                return
        await self.app(scope, receive, send)


class BodyTooLargeError(HTTPException):
    """Raised while reading a body; an `HTTPException` so that FastAPI's body parsing lets
    it through (it turns other errors into 400) and the envelope handler answers it;
    `EdgeMiddleware` answers it when it surfaces outside a route."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, "request body too large")
        self.max_bytes = max_bytes


class BodySizeLimitMiddleware:
    """413 for bodies over `max_bytes`: by `Content-Length` before reading, and by
    counting for chunked bodies."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_large = int(value) > self.max_bytes
                except ValueError:
                    await send_envelope(send, 400, "invalid Content-Length")
                    return
                if too_large:
                    details = {"max_bytes": self.max_bytes}
                    await send_envelope(send, 413, "request body too large", details)
                    return
        received = 0

        async def receive_wrapper() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLargeError(self.max_bytes)
            return message

        await self.app(scope, receive_wrapper, send)


class EnvelopeCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered in the error envelope (its own
    answer is text/plain, which a client reading every error as JSON cannot parse)."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        headers = {
            name: value
            for name, value in response.headers.items()
            if name not in ("content-type", "content-length")
        }
        reason = bytes(response.body).decode("utf-8", "replace")
        message = f"{reason}: this API does not allow it"
        return envelope(response.status_code, message, None, headers)
