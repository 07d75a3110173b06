"""Sign-In with Ethereum (EIP-4361: fields validated by the `siwe` library, read by the
bounded reader in `siwe_message`) and session tokens (RS256 JWTs, PyJWT)."""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils.address import to_checksum_address

from domacross.api.errors import ApiError
from domacross.api.siwe_message import MessageShapeError, read_message
from domacross.settings import Settings

log = logging.getLogger("domacross.api")
ALGORITHM = "RS256"


@dataclass(frozen=True)
class JwtKeys:
    """The PEM keys that sign and check session tokens."""

    private_pem: bytes
    public_pem: bytes
    ephemeral: bool = False


@dataclass(frozen=True)
class SessionClaims:
    """A verified session token."""

    wallet: str
    jti: str
    expires_at: datetime


def generate_private_key_pem() -> bytes:
    """A new 2048-bit RSA private key, PKCS#8 PEM (tests, and keys made for development)."""
    key = rsa.generate_private_key(public_exponent=65_537, key_size=2_048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_pem_of(private_pem: bytes) -> bytes:
    key = serialization.load_pem_private_key(private_pem, password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_keys(settings: Settings) -> JwtKeys:
    """The keys from the settings (PEM or file); a throwaway pair, with a warning, when none
    is configured (tokens then die with the process)."""
    private: bytes | None = None
    if settings.jwt_private_key is not None:
        private = settings.jwt_private_key.get_secret_value().encode()
    elif settings.jwt_private_key_file is not None:
        private = settings.jwt_private_key_file.read_bytes()
    public: bytes | None = None
    if settings.jwt_public_key is not None:
        public = settings.jwt_public_key.encode()
    elif settings.jwt_public_key_file is not None:
        public = settings.jwt_public_key_file.read_bytes()
    if private is None:
        log.warning(
            "no DOMACROSS_JWT_PRIVATE_KEY(_FILE): signing sessions with a throwaway key; "
            "tokens will not survive a restart or work across processes"
        )
        private = generate_private_key_pem()
        return JwtKeys(private, public_pem_of(private), ephemeral=True)
    return JwtKeys(private, public or public_pem_of(private))


def new_nonce() -> str:
    """128 random bits, alphanumeric as EIP-4361 requires."""
    return secrets.token_hex(16)


def issue_token(
    keys: JwtKeys, settings: Settings, wallet: str, now: datetime | None = None
) -> tuple[str, SessionClaims]:
    """A signed session token for `wallet`."""
    now = now or datetime.now(UTC)
    expires = now + timedelta(seconds=settings.jwt_ttl_seconds)
    jti = uuid.uuid4().hex
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_issuer,
        "sub": wallet,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": jti,
    }
    token = jwt.encode(claims, keys.private_pem, algorithm=ALGORITHM)
    return token, SessionClaims(wallet, jti, expires.replace(microsecond=0))


def decode_token(keys: JwtKeys, settings: Settings, token: str) -> SessionClaims:
    """The claims of a valid token; `ApiError(401)` for anything else."""
    try:
        claims = jwt.decode(
            token,
            keys.public_pem,
            algorithms=[ALGORITHM],
            audience=settings.jwt_issuer,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "sub", "jti"]},
        )
        wallet = to_checksum_address(str(claims["sub"]))
    except (jwt.PyJWTError, ValueError) as exc:
        raise ApiError(401, "invalid or expired session token") from exc
    expires = datetime.fromtimestamp(int(claims["exp"]), UTC)
    return SessionClaims(wallet, str(claims["jti"]), expires)


def _utc_of(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _uri_allowed(uri: str, settings: Settings) -> bool:
    origins = (
        [settings.siwe_uri.rstrip("/")]
        if settings.siwe_uri
        else [f"https://{settings.siwe_domain}", f"http://{settings.siwe_domain}"]
    )
    return any(uri == origin or uri.startswith(origin + "/") for origin in origins)


def _check_times(parsed: Any, settings: Settings, now: datetime) -> None:
    skew = timedelta(seconds=settings.siwe_clock_skew_seconds)
    try:
        issued = _utc_of(parsed.issued_at)
        expires = _utc_of(parsed.expiration_time) if parsed.expiration_time else None
        not_before = _utc_of(parsed.not_before) if parsed.not_before else None
    except (ValueError, OverflowError) as exc:
        raise ApiError(400, "sign-in message times must be ISO 8601 with a zone") from exc
    if issued > now + skew:
        raise ApiError(401, "sign-in message issued in the future: check the clock")
    # A message older than a nonce lives cannot carry a usable nonce: refuse it plainly.
    if issued < now - skew - timedelta(seconds=settings.nonce_ttl_seconds):
        raise ApiError(401, "sign-in message issued too long ago: sign a new one")
    if expires is not None and now - skew >= expires:
        raise ApiError(401, "sign-in message expired")
    if not_before is not None and now + skew < not_before:
        raise ApiError(401, "sign-in message not yet valid")


def verify_sign_in(
    message: str, signature: str, settings: Settings, now: datetime
) -> tuple[str, str]:
    """Checks an EIP-4361 message and its signature; returns `(wallet, nonce)`.

    Cheap checks come first (shape, then fields, then the one signature recovery), so a
    hostile message costs linear work bounded by its length. The nonce is not consumed
    here: the caller does it after this succeeds, so a forged message cannot burn someone
    else's nonce.

    Raises:
        ApiError: 400 for a message that is not EIP-4361; 401 for a wrong domain, URI or
            chain, a message issued too long ago or in the future, expired or not yet
            valid, or a signature by someone else.
    """
    try:
        parsed = read_message(message)
    except MessageShapeError as exc:
        raise ApiError(400, f"not an EIP-4361 sign-in message: {exc}") from exc
    if parsed.domain != settings.siwe_domain:
        raise ApiError(401, f"sign-in message must name the domain {settings.siwe_domain}")
    if not _uri_allowed(str(parsed.uri), settings):
        raise ApiError(401, "sign-in message names a URI this API does not accept")
    if settings.siwe_chain_ids and parsed.chain_id not in settings.siwe_chain_ids:
        raise ApiError(401, "sign-in message names a chain this API does not accept")
    _check_times(parsed, settings, now)
    try:
        signer = Account.recover_message(encode_defunct(text=message), signature=signature)
    except Exception as exc:  # eth_keys BadSignature, ValueError of a malformed r/s/v
        raise ApiError(401, "signature does not match the message's address") from exc
    if signer != to_checksum_address(parsed.address):
        raise ApiError(401, "signature does not match the message's address")
    return to_checksum_address(parsed.address), str(parsed.nonce)
