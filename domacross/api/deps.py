"""`Annotated` dependencies of the routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from eth_utils.address import to_checksum_address
from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from domacross.api.errors import ApiError
from domacross.api.security import JwtKeys, SessionClaims, decode_token
from domacross.db.models import RevokedToken
from domacross.settings import Settings


# NOTE: async because they do no I/O: a sync dependency costs a worker-thread hop.
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_keys(request: Request) -> JwtKeys:
    keys: JwtKeys = request.app.state.jwt_keys
    return keys


async def get_read_session(request: Request) -> AsyncIterator[Session]:
    """A session on the read engine (the read-only role on PostgreSQL).

    NOTE: async, so that opening and closing it cost no worker-thread hops (a sync
    generator costs two, around the route's own). Both are safe on the event loop: the
    session connects lazily, in the route's thread, and the read engine autocommits, so
    closing sends nothing (no transaction to roll back).
    """
    with request.app.state.read_sessions() as session:
        yield session


def get_write_session(request: Request) -> Iterator[Session]:
    """A session on the main engine, for the API's own rows; commit explicitly."""
    with request.app.state.write_sessions() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
KeysDep = Annotated[JwtKeys, Depends(get_keys)]
SessionDep = Annotated[Session, Depends(get_read_session)]
WriteSessionDep = Annotated[Session, Depends(get_write_session)]

_bearer = HTTPBearer(auto_error=False, description="A session token from POST /auth/verify.")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def optional_session(
    request: Request,
    credentials: BearerDep,
    keys: KeysDep,
    settings: SettingsDep,
    session: SessionDep,
) -> SessionClaims | None:
    """The signed-in wallet when a bearer token is sent (401 if it is invalid or revoked,
    and for any other scheme: a client sending Basic credentials must not be taken for an
    anonymous one)."""
    if credentials is None:
        if "authorization" in request.headers:
            raise ApiError(
                401,
                "use Authorization: Bearer <token from POST /auth/verify>",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return None
    claims = decode_token(keys, settings, credentials.credentials)
    if session.scalar(select(RevokedToken.jti).where(RevokedToken.jti == claims.jti)):
        raise ApiError(401, "session token revoked")
    return claims


def current_session(
    claims: Annotated[SessionClaims | None, Depends(optional_session)],
) -> SessionClaims:
    if claims is None:
        raise ApiError(401, "sign in first", headers={"WWW-Authenticate": "Bearer"})
    return claims


OptionalUser = Annotated[SessionClaims | None, Depends(optional_session)]
CurrentUser = Annotated[SessionClaims, Depends(current_session)]


def wallet_path(
    wallet: Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{40}$", description="Any case.")],
) -> str:
    return to_checksum_address(wallet)


WalletPath = Annotated[str, Depends(wallet_path)]
CURSOR_MAX_LENGTH = 512
LIMIT_MAX = 1_000
"""The widest `limit` that validates; `api_max_page_size` may allow less (then a 400)."""
CursorQuery = Annotated[
    str | None,
    Query(max_length=CURSOR_MAX_LENGTH, description="`next_cursor` of the previous page."),
]
LimitQuery = Annotated[
    int | None,
    Query(
        ge=1,
        le=LIMIT_MAX,
        description="Items per page, at most `api_max_page_size` (200 unless configured); "
        "more is a 400, never silently fewer.",
    ),
]


def page_size(limit: int | None, settings: Settings) -> int:
    """The page size asked for; 400 above the configured maximum (a client asking for more
    than it gets would take a short page for the end of the list)."""
    if limit is not None and limit > settings.api_max_page_size:
        raise ApiError(
            400,
            f"limit must be at most {settings.api_max_page_size}: page with next_cursor",
            details={"max_limit": settings.api_max_page_size},
        )
    return limit or min(settings.api_page_size, settings.api_max_page_size)
