"""Users: created on wallet connect, with an optional unique username."""

from __future__ import annotations

from typing import Any

from eth_utils.address import to_checksum_address
from fastapi import APIRouter, Request, Response
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domacross.api.deps import CurrentUser, OptionalUser, SessionDep, WalletPath, WriteSessionDep
from domacross.api.errors import ApiError, not_found
from domacross.api.schemas import ErrorPublic, UserCreate, UsernameUpdate, UserPublic
from domacross.db.models import User

router = APIRouter(prefix="/api/v1/users", tags=["users"])


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorPublic} for status in statuses}


def _username_taken(session: Session, username: str, wallet: str) -> bool:
    owner = session.scalar(
        select(User.wallet_address).where(func.lower(User.username) == username.lower())
    )
    return owner is not None and owner != wallet


@router.post(
    "",
    response_model=UserPublic,
    status_code=201,
    responses={
        200: {"model": UserPublic, "description": "Already known"},
        **_errors(401, 403, 409),
    },
)
def create_user(
    body: UserCreate, session: WriteSessionDep, signed_in: OptionalUser, response: Response
) -> UserPublic:
    """Registers a wallet on connect (200 with the existing user if it is known already).

    A username may be given only with a session token of the same wallet.
    """
    wallet = to_checksum_address(body.wallet_address)
    if body.username is not None:
        if signed_in is None:
            raise ApiError(401, "sign in to choose a username")
        if signed_in.wallet != wallet:
            raise ApiError(403, "a username can only be set for your own wallet")
    existing = session.scalar(select(User).where(User.wallet_address == wallet))
    if existing is not None:
        if body.username is not None and existing.username != body.username:
            raise ApiError(
                409, "user exists: change its username with PUT /api/v1/users/me/username"
            )
        response.status_code = 200
        return UserPublic.model_validate(existing)
    if body.username is not None and _username_taken(session, body.username, wallet):
        raise ApiError(409, "username taken", details={"username": body.username})
    user = User(wallet_address=wallet, username=body.username)
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        # NOTE: a concurrent request (or the indexer) created it first.
        session.rollback()
        existing = session.scalar(select(User).where(User.wallet_address == wallet))
        if existing is None or (body.username and existing.username != body.username):
            raise ApiError(409, "username taken", details={"username": body.username}) from None
        response.status_code = 200
        return UserPublic.model_validate(existing)
    return UserPublic.model_validate(user)


@router.put("/me/username", response_model=UserPublic, responses=_errors(401, 409))
def set_username(
    request: Request, body: UsernameUpdate, me: CurrentUser, session: WriteSessionDep
) -> UserPublic:
    """Sets the signed-in wallet's username (unique regardless of case)."""
    user = session.scalar(select(User).where(User.wallet_address == me.wallet))
    if user is None:  # signed in, then the row went away: recreate it
        user = User(wallet_address=me.wallet)
        session.add(user)
    if _username_taken(session, body.username, me.wallet):
        raise ApiError(409, "username taken", details={"username": body.username})
    user.username = body.username
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ApiError(409, "username taken", details={"username": body.username}) from None
    # Pages showing the old name: this process drops its own at once, others within
    # `api_cache_seconds`.
    request.app.state.page_cache.clear()
    return UserPublic.model_validate(user)


@router.get("/{wallet}", response_model=UserPublic, responses=_errors(404))
def get_user(session: SessionDep, wallet: WalletPath) -> UserPublic:
    """A wallet's public profile."""
    user = session.scalar(select(User).where(User.wallet_address == wallet))
    if user is None:
        raise not_found("user", wallet=wallet)
    return UserPublic.model_validate(user)
