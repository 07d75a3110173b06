"""Structured JSON logging for the services (one JSON object per line)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any


class JsonFormatter(logging.Formatter):
    """Formats records as JSON with their `extra` fields; never includes secrets (callers
    pass only redacted URLs)."""

    SKIP = frozenset(set(vars(logging.makeLogRecord({}))) | {"message", "asctime"})

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({k: v for k, v in vars(record).items() if k not in self.SKIP})
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(data, default=str)


def configure(level: int = logging.INFO) -> None:
    """Sends the `domacross` loggers' records to stderr as JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    for name in ("domacross", "domacross_sdk"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
