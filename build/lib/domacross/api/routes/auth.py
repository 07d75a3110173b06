"""Sign-In with Ethereum: a nonce, a signed EIP-4361 message, a session token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from eth_utils.address import to_checksum_address
from fastapi import APIRouter, Query, Response
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from domacross.api.deps import CurrentUser, KeysDep, SettingsDep, WriteSessionDep
from domacross.api.errors import ApiError
from domacross.api.schemas import (
    ErrorPublic,
    MessagePublic,
    NoncePublic,
    SignInRequest,
    TokenPublic,
)
from domacross.api.security import issue_token, new_nonce, verify_sign_in
from domacross.db.models import AuthNonce, RevokedToken, User

router = APIRouter(prefix="/auth", tags=["auth"])
ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorPublic}}
NO_STORE = "no-store"


@router.get("/nonce", response_model=NoncePublic)
def get_nonce(
    session: WriteSessionDep,
    settings: SettingsDep,
    response: Response,
    wallet: Annotated[
        str | None,
        Query(
            pattern=r"^0x[0-9a-fA-F]{40}$",
            description="Binds the nonce to this wallet (optional).",
        ),
    ] = None,
) -> NoncePublic:
    """A single-use nonce for the sign-in message, valid `nonce_ttl_seconds`."""
    now = datetime.now(UTC)
    # Housekeeping: expired nonces are useless; the index on expires_at keeps this cheap.
    session.execute(delete(AuthNonce).where(AuthNonce.expires_at < now))
    nonce = AuthNonce(
        nonce=new_nonce(),
        wallet_address=to_checksum_address(wallet) if wallet else None,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.nonce_ttl_seconds),
    )
    session.add(nonce)
    session.commit()
    response.headers["Cache-Control"] = NO_STORE
    return NoncePublic(nonce=nonce.nonce, expires_at=nonce.expires_at, domain=settings.siwe_domain)


@router.post("/verify", response_model=TokenPublic, responses=ERRORS)
def verify(
    body: SignInRequest,
    session: WriteSessionDep,
    settings: SettingsDep,
    keys: KeysDep,
    response: Response,
) -> TokenPublic:
    """Checks the signed message, consumes its nonce and returns a session token (RS256
    JWT, `Authorization: Bearer ...`). Creates the user on first sign-in."""
    now = datetime.now(UTC)
    wallet, nonce = verify_sign_in(body.message, body.signature, settings, now)
    # Single use, even under concurrent requests: only one UPDATE can match.
    consumed = session.execute(
        update(AuthNonce)
        .where(
            AuthNonce.nonce == nonce,
            AuthNonce.consumed_at.is_(None),
            AuthNonce.expires_at > now,
            or_(AuthNonce.wallet_address.is_(None), AuthNonce.wallet_address == wallet),
        )
        .values(consumed_at=now)
    )
    if consumed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ApiError(401, "nonce unknown, expired or already used")
    session.commit()
    if session.scalar(select(User.id).where(User.wallet_address == wallet)) is None:
        session.add(User(wallet_address=wallet))
        try:
            session.commit()
        except IntegrityError:  # created concurrently (another sign-in, or the indexer)
            session.rollback()
    token, claims = issue_token(keys, settings, wallet, now)
    response.headers["Cache-Control"] = NO_STORE
    return TokenPublic(access_token=token, expires_at=claims.expires_at, wallet=wallet)


@router.post("/logout", response_model=MessagePublic, responses=ERRORS)
def logout(me: CurrentUser, session: WriteSessionDep) -> MessagePublic:
    """Revokes the session token until it expires."""
    now = datetime.now(UTC)
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
    if session.get(RevokedToken, me.jti) is None:
        session.add(RevokedToken(jti=me.jti, wallet_address=me.wallet, expires_at=me.expires_at))
    try:
        session.commit()
    except IntegrityError:  # revoked concurrently
        session.rollback()
    return MessagePublic(message="signed out")
