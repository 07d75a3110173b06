"""Settings of the services, from `DOMACROSS_*` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

BATCH_BLOCKS = 2_000
"""Default largest eth_getLogs range of a backfill (the indexer's and `Settings`')."""
MAX_LOGS_PER_RANGE = 10_000
"""Default most logs one range should hold (the indexer's and `Settings`')."""


class Settings(BaseSettings):
    """Every setting of the indexer and the API (`DOMACROSS_<NAME>` in the environment)."""

    model_config = SettingsConfigDict(env_prefix="DOMACROSS_", extra="ignore")

    database_url: str = "sqlite:///domacross.db"
    """SQLAlchemy URL of the database: a SQLite file by default; PostgreSQL for scale
    (`postgresql+psycopg://user@host:5432/db`)."""

    confirmations: int | None = Field(default=None, ge=0)
    """Blocks behind the head that the indexer waits before a block counts as final
    (rollback beyond this depth is still handled, just rarer). Unset: each chain's network
    default (`domacross_sdk.networks.indexer_defaults`: 0 on local nodes, 2 on Doma and
    other chains)."""

    batch_blocks: int = Field(default=BATCH_BLOCKS, ge=1)
    """Largest eth_getLogs range during backfill; halved when a node refuses a range."""

    max_logs_per_range: int = Field(default=MAX_LOGS_PER_RANGE, ge=1)
    """Logs one eth_getLogs range should hold at most (a response is held in memory whole):
    ranges shrink on denser blocks and grow back, up to `batch_blocks`, on sparser ones."""

    poll_interval: float = Field(default=1.0, gt=0)
    """Seconds between head polls once caught up."""

    snapshot_interval: float = Field(default=60.0, gt=0)
    """Seconds between leaderboard snapshots of each live competition."""

    reorg_window: int | None = Field(default=None, ge=8)
    """How many recent block hashes are kept to find a common ancestor after a reorg
    (older reorgs are still found through the raw events' block hashes). Unset: each
    chain's network default (1,024 on Doma, whose reorg depth is not documented; 128
    elsewhere)."""

    head_tag: Literal["latest", "safe", "finalized"] = "latest"
    """Never index past the node's block of this tag (as well as `confirmations` behind
    the head): "safe" or "finalized" keep reorgs below the indexed data on chains that
    report them, at the cost of lag. A node without the tag falls back to "latest"."""

    # -- read API (`domacross serve`) ------------------------------------------------------

    read_database_url: str | None = None
    """SQLAlchemy URL the API reads through; defaults to `database_url`. On PostgreSQL point
    it at a read-only role (`domacross db create-readonly-role`); the API's own writes
    (users, sign-in nonces, revoked tokens) go through `database_url`."""

    api_page_size: int = Field(default=50, ge=1, le=500)
    """Items per page when a request gives no `limit`."""

    api_max_page_size: int = Field(default=200, ge=1, le=1_000)
    """Largest `limit` a request may ask for."""

    api_cache_seconds: float = Field(default=2.0, ge=0, le=60)
    """How long a rendered leaderboard page may be served again while the indexed data is
    unchanged (a new indexed range invalidates it at once); 0 disables the cache."""

    api_version_check_seconds: float = Field(default=0.25, ge=0, le=10)
    """How often the API re-reads the indexed-data version behind cached pages: a newly
    indexed range shows within this time; 0 reads it on every request."""

    api_cache_entries: int = Field(default=4_096, ge=0)
    """Most rendered pages kept per API process (least recently used go first)."""

    cors_origins: list[str] = Field(default_factory=list)
    """Origins allowed by CORS (JSON list, e.g. `["https://app.domacross.xyz"]`); empty
    allows none."""

    max_body_bytes: int = Field(default=16_384, ge=1_024)
    """Largest request body accepted; larger ones get 413."""

    rate_limit_enabled: bool = True
    """Whether requests are rate limited (per client IP, and per wallet when signed in)."""

    rate_limit_ip: str = "120/minute"
    """Requests allowed per client IP (`limits` notation: `N/second|minute|hour`)."""

    rate_limit_wallet: str = "60/minute"
    """Requests allowed per signed-in wallet, on top of the per-IP limit."""

    rate_limit_storage_uri: str = "memory://"
    """Where counters live (`memory://` per process; `redis://host:6379` shared by every
    worker and host; `serve --workers N` refuses `memory://`)."""

    rate_limit_key_prefix: str = "domacross"
    """Prefix of the counters' keys in a shared store (one per deployment on one Redis)."""

    trusted_proxy_hops: int = Field(default=0, ge=0, le=16)
    """Proxies in front of the API that append the address they saw to `X-Forwarded-For`
    (0: use the socket peer). The client IP is the entry that many hops from the right:
    entries further left are whatever the client sent, so they are never trusted."""

    hsts_max_age: int = Field(default=63_072_000, ge=0)
    """`Strict-Transport-Security` max-age in seconds (0 leaves the header out)."""

    jwt_private_key: SecretStr | None = None
    """PEM of the RSA private key that signs session tokens (RS256)."""

    jwt_private_key_file: Path | None = None
    """Path of that PEM instead of the key itself."""

    jwt_public_key: str | None = None
    """PEM of the matching public key; derived from the private key when unset."""

    jwt_public_key_file: Path | None = None
    """Path of that PEM instead of the key itself."""

    jwt_ttl_seconds: int = Field(default=900, ge=30, le=86_400)
    """Lifetime of a session token."""

    jwt_issuer: str = "domacross-api"
    """`iss` and `aud` of session tokens."""

    siwe_domain: str = "localhost"
    """The domain (host[:port]) that sign-in messages must name (EIP-4361 `domain`)."""

    siwe_chain_ids: list[int] = Field(default_factory=list)
    """Chain ids a sign-in message may name; empty accepts any."""

    siwe_uri: str | None = None
    """The origin a sign-in message's `URI` must be or lie under (e.g.
    `https://app.domacross.xyz`); unset accepts `http(s)://<siwe_domain>/...`."""

    siwe_clock_skew_seconds: int = Field(default=60, ge=0, le=600)
    """Leeway for a wallet's clock on a message's `Issued At`, `Expiration Time` and
    `Not Before`; a message issued more than `nonce_ttl_seconds` plus this ago is refused."""

    nonce_ttl_seconds: int = Field(default=300, ge=10, le=3_600)
    """How long a sign-in nonce stays usable (it is single-use)."""

    sse_poll_interval: float = Field(default=1.0, gt=0)
    """Seconds between database polls of a live leaderboard: one poll per competition per
    API process, however many streams are open (on PostgreSQL the indexer's commit also
    wakes it at once through LISTEN/NOTIFY)."""

    sse_keepalive_seconds: float = Field(default=15.0, gt=0)
    """Seconds between keep-alive comments on an idle stream."""

    sse_top: int = Field(default=100, ge=1, le=1_000)
    """Entries sent in each leaderboard stream event (the top of the standings)."""

    health_max_lag_blocks: int = Field(default=3, ge=0)
    """Indexer lag above which /health reports a chain as degraded (the SLO: < 3 blocks)."""

    health_max_status_age: float = Field(default=120.0, gt=0)
    """Seconds after which an indexer status row counts as stale (indexer not running)."""

    def read_url(self) -> str:
        """The URL of the read engine."""
        return self.read_database_url or self.database_url
