"""A JSON-RPC provider with retries, jittered backoff and failover to a fallback URL.

Retries only what cannot have two effects: transport failures, timeouts, HTTP 429 and
5xx answers. A JSON-RPC error answer (HTTP 200) of the node itself (-32000 "header not
found", -32603 internal error, ...) fails over too; an error that any node would give
the same request (a revert, invalid parameters, a nonce or fee refusal, a range or result
limit of eth_getLogs) is returned to the caller at once. After a failover the primary is
tried first again once `primary_retry` seconds have passed. Every request the SDK sends
is idempotent at this level (reads, and `eth_sendRawTransaction` of one signed
transaction, which a node accepts at most once). URLs are logged without their path or
query, where providers put API keys.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, cast
from urllib.parse import urlsplit

import requests
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)
from web3.providers.base import JSONBaseProvider
from web3.providers.rpc import HTTPProvider
from web3.types import RPCEndpoint, RPCResponse

from domacross_sdk.errors import ConfigurationError, DomaCrossError, RpcUnavailableError

log = logging.getLogger(__name__)


def redact(url: str) -> str:
    """The scheme and host of a URL only: paths and queries often carry API keys."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}{f':{parts.port}' if parts.port else ''}"


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return exc.response.status_code == 429 or exc.response.status_code >= 500
    return isinstance(exc, (requests.ConnectionError, requests.Timeout))


CALLER_ERRORS = (
    "revert",
    "invalid",
    "nonce too low",
    "already known",
    "insufficient funds",
    "underpriced",
    "query returned more than",
    "range",
    "results",
    "limit",
    "exceed",
    "too many",
    "response size",
)
"""Pieces of JSON-RPC error messages that another node would repeat: not failed over."""
CALLER_CODES = frozenset({3, -32600, -32602, -32005, -32614})


class NodeError(DomaCrossError):
    """A JSON-RPC error answer of the node itself (see the module doc)."""

    def __init__(self, response: RPCResponse) -> None:
        super().__init__(str(response.get("error")))
        self.response = response


def _node_error(response: RPCResponse) -> bool:
    error = response.get("error")
    if not isinstance(error, dict):
        return False
    message = str(error.get("message", "")).lower()
    return error.get("code") not in CALLER_CODES and not any(m in message for m in CALLER_ERRORS)


class FailoverHTTPProvider(JSONBaseProvider):
    """Sends each request to the first healthy URL, retrying and then failing over.

    Args:
        urls: Primary URL first, then fallbacks.
        attempts: Tries per URL before moving to the next one.
        timeout: Seconds per HTTP request.
        max_backoff: Cap of the jittered exponential wait between tries, in seconds.
        primary_retry: Seconds after a failover before the primary is tried first again.
    """

    def __init__(
        self,
        urls: Sequence[str],
        *,
        attempts: int = 3,
        timeout: float = 10.0,
        max_backoff: float = 2.0,
        primary_retry: float = 30.0,
    ) -> None:
        super().__init__()
        if not urls:
            raise ConfigurationError("FailoverHTTPProvider needs at least one URL")
        self._providers = [
            HTTPProvider(u, request_kwargs={"timeout": timeout}, exception_retry_configuration=None)
            for u in urls
        ]
        self._labels = [redact(u) for u in urls]
        self._attempts = attempts
        self._max_backoff = max_backoff
        self.active = 0
        """Index of the URL that answered last."""
        self._primary_retry = primary_retry
        self._failed_over_at = 0.0

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        """Sends one request, trying the URLs in order from the active one (from the
        primary again once `primary_retry` has passed since the failover)."""
        response: RPCResponse = self._failover(
            str(method), lambda index: self._with_retries(index, method, params)
        )
        return response

    def make_batch_request(self, requests: list[tuple[RPCEndpoint, Any]]) -> list[RPCResponse]:
        """Sends a JSON-RPC batch, with the retries and failover of single requests (an
        answer that is not a list, or holds a node's own error, moves to the next URL).
        Returns the answers in the order of `requests`."""

        def send(index: int) -> Any:
            retrying = Retrying(
                retry=retry_if_exception(_transient),
                stop=stop_after_attempt(self._attempts),
                wait=wait_random_exponential(multiplier=0.1, max=self._max_backoff),
                reraise=True,
            )
            answer = retrying(self._providers[index].make_batch_request, requests)
            if not isinstance(answer, list):
                raise NodeError(answer)
            for item in answer:
                if _node_error(item):
                    raise NodeError(item)
            return answer

        answers: list[RPCResponse] = self._failover("batch", send)
        if isinstance(answers, dict):  # every node answered an error
            raise RpcUnavailableError(f"every RPC URL refused a batch: {answers.get('error')}")
        return answers

    def _failover(self, method: str, send: Callable[[int], Any]) -> Any:
        if self.active and time.monotonic() - self._failed_over_at >= self._primary_retry:
            self._failed_over_at = time.monotonic()  # one probe of the primary per period
            order = list(range(len(self._providers)))
        else:
            order = [*range(self.active, len(self._providers)), *range(self.active)]
        last: BaseException | None = None
        for index in order:
            try:
                response = send(index)
                if isinstance(response, dict) and _node_error(cast("RPCResponse", response)):
                    raise NodeError(cast("RPCResponse", response))
            except Exception as exc:
                if not (_transient(exc) or isinstance(exc, NodeError)):
                    raise
                last = exc
                log.warning(
                    "rpc %s failed on %s (%s); trying the next URL",
                    method,
                    self._labels[index],
                    type(exc).__name__,
                )
                continue
            if index != self.active:
                log.warning("rpc failover: now using %s", self._labels[index])
                if index > 0:
                    self._failed_over_at = time.monotonic()
                self.active = index
            return response
        if isinstance(last, NodeError):
            return last.response  # every node answered an error: the caller decides
        raise RpcUnavailableError(
            f"every RPC URL failed for {method} ({', '.join(self._labels)}): "
            f"{type(last).__name__ if last else 'no answer'}; check the node or the URLs"
        ) from last

    def _with_retries(self, index: int, method: RPCEndpoint, params: Any) -> RPCResponse:
        retrying = Retrying(
            retry=retry_if_exception(_transient),
            stop=stop_after_attempt(self._attempts),
            wait=wait_random_exponential(multiplier=0.1, max=self._max_backoff),
            reraise=True,
        )
        response: RPCResponse = retrying(self._providers[index].make_request, method, params)
        return response

    def is_connected(self, show_traceback: bool = False) -> bool:
        """True when any URL answers."""
        return any(p.is_connected(show_traceback) for p in self._providers)
