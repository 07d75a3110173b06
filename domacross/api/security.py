"""Sign-In with Ethereum (EIP-4361, the `siwe` library) and session tokens (RS256 JWTs,
PyJWT). No parsing or signature code of our own."""

from __future__ import annotations

import logging
import secrets
import uuid
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from eth_utils.address import to_checksum_address

from domacross.api.errors import ApiError
from domacross.settings import Settings

with warnings.catch_warnings():
    # NOTE: siwe's grammar redefines RFC 5234 core rules; abnf 2.8 warns, 2.9 refuses
    # (hence the `abnf<2.9` pin).
    warnings.simplefilter("ignore")
    import siwe  # type: ignore[import-untyped]

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


def verify_sign_in(
    message: str, signature: str, settings: Settings, now: datetime
) -> tuple[str, str]:
    """Checks an EIP-4361 message and its signature; returns `(wallet, nonce)`.

    The nonce is not consumed here: the caller does it after this succeeds, so a forged
    message cannot burn someone else's nonce.

    Raises:
        ApiError: 400 for a message that is not EIP-4361; 401 for a wrong domain or chain,
            an expired or not yet valid message, or a signature by someone else.
    """
    try:
        parsed = siwe.SiweMessage.from_message(message)
    except Exception as exc:  # siwe raises ValueError, pydantic or grammar errors
        raise ApiError(400, "not an EIP-4361 sign-in message") from exc
    if settings.siwe_chain_ids and parsed.chain_id not in settings.siwe_chain_ids:
        raise ApiError(401, "sign-in message names a chain this API does not accept")
    try:
        parsed.verify(signature, domain=settings.siwe_domain, timestamp=now)
    except siwe.DomainMismatch as exc:
        raise ApiError(401, f"sign-in message must name the domain {settings.siwe_domain}") from exc
    except siwe.ExpiredMessage as exc:
        raise ApiError(401, "sign-in message expired") from exc
    except siwe.NotYetValidMessage as exc:
        raise ApiError(401, "sign-in message not yet valid") from exc
    except siwe.VerificationError as exc:
        raise ApiError(401, "signature does not match the message's address") from exc
    return to_checksum_address(parsed.address), parsed.nonce
