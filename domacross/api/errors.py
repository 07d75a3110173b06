"""One error envelope, `{code, message, details}`, with stable machine-readable codes.

Every error a client can see goes through here: FastAPI's validation errors (422 becomes
400), HTTP errors raised by Starlette (404 of an unknown path, 405), `ApiError` raised by
the routes, and, through `EdgeMiddleware`, anything unexpected (500, logged, never
shown).
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

ErrorCode = Literal[
    "validation_error",
    "unauthorized",
    "forbidden",
    "not_found",
    "conflict",
    "rate_limited",
    "internal",
]

log = logging.getLogger("domacross.api")


def code_for_status(status: int) -> ErrorCode:
    """The envelope code of an HTTP status (4xx without a code of its own are validation)."""
    codes: dict[int, ErrorCode] = {
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        409: "conflict",
        429: "rate_limited",
    }
    if status >= 500:
        return "internal"
    return codes.get(status, "validation_error")


class ApiError(Exception):
    """An error answered to the client as the envelope, with an HTTP status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code_for_status(status)
        self.message = message
        self.details = details
        self.headers = headers


def not_found(what: str, **details: Any) -> ApiError:
    return ApiError(404, f"{what} not found", details=details or None)


def envelope(
    status: int, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The JSON response of an error."""
    body = {"code": code_for_status(status), "message": message, "details": details}
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    # NOTE: only where and what: `input` and `ctx` may echo large or odd values back.
    return [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in exc.errors()
    ]


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)  # noqa: S101 - registered for ApiError only
    return envelope(exc.status, exc.message, exc.details, exc.headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for it only
    return envelope(400, "invalid request", _validation_details(exc))


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for it only
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code >= 500:
        message = "internal error"
    return envelope(exc.status_code, message, None, dict(exc.headers or {}) or None)


def install_error_handlers(app: FastAPI) -> None:
    """Routes every handled error of `app` through the envelope."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
