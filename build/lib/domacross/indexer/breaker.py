"""A circuit breaker around a chain's RPC: healthy, degraded, open, recovering.

* healthy: calls succeed.
* degraded: some recent calls failed (retries and the fallback URL still get through).
* open: `failure_threshold` consecutive failures; calls are refused for `cooldown` seconds,
  sparing a struggling node.
* recovering: after the cooldown one trial call goes through; success closes the circuit
  (healthy), failure opens it again.
Every transition is logged as structured JSON.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Literal, TypeVar

from domacross_sdk.errors import DomaCrossError

State = Literal["healthy", "degraded", "open", "recovering"]
T = TypeVar("T")
log = logging.getLogger("domacross.indexer.breaker")


class CircuitOpenError(DomaCrossError, ConnectionError):
    """The breaker is open: the call was not attempted."""


class CircuitBreaker:
    """Tracks an RPC's health and refuses calls while it is down."""

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 5,
        cooldown: float = 10.0,
        degraded_window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self.degraded_window = degraded_window
        self._clock = clock
        self._lock = threading.Lock()
        self._state: State = "healthy"
        self._failures = 0
        self._opened_at = 0.0
        self._last_failure = -1e18

    @property
    def state(self) -> State:
        """The current state (an open breaker past its cooldown reads as recovering)."""
        with self._lock:
            if self._state == "open" and self._clock() - self._opened_at >= self.cooldown:
                self._move("recovering")
            if (
                self._state == "degraded"
                and self._clock() - self._last_failure > self.degraded_window
            ):
                self._move("healthy")
            return self._state

    def call(self, fn: Callable[[], T]) -> T:
        """Runs `fn` unless the breaker is open; records its outcome."""
        if self.state == "open":
            raise CircuitOpenError(
                f"{self.name}: circuit open, RPC calls paused for {self.cooldown}s"
            )
        try:
            result = fn()
        except Exception:
            self._failure()
            raise
        self._success()
        return result

    def _success(self) -> None:
        with self._lock:
            self._failures = 0
            if self._state == "recovering":
                self._move("healthy")

    def _failure(self) -> None:
        with self._lock:
            self._failures += 1
            self._last_failure = self._clock()
            if self._state == "recovering" or self._failures >= self.failure_threshold:
                self._opened_at = self._clock()
                self._move("open")
            elif self._state == "healthy":
                self._move("degraded")

    def _move(self, new: State) -> None:
        if new != self._state:
            log.warning(
                "circuit %s: %s -> %s",
                self.name,
                self._state,
                new,
                extra={"breaker": self.name, "from_state": self._state, "to_state": new},
            )
            self._state = new
