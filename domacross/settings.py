"""Settings of the services, from `DOMACROSS_*` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting of the indexer and the API (`DOMACROSS_<NAME>` in the environment)."""

    model_config = SettingsConfigDict(env_prefix="DOMACROSS_", extra="ignore")

    database_url: str = "sqlite:///domacross.db"
    """SQLAlchemy URL of the database: a SQLite file by default; PostgreSQL for scale
    (`postgresql+psycopg://user@host:5432/db`)."""

    confirmations: int = Field(default=2, ge=0)
    """Blocks behind the head that the indexer waits before a block counts as final
    (rollback beyond this depth is still handled, just rarer)."""

    batch_blocks: int = Field(default=2_000, ge=1)
    """Largest eth_getLogs range during backfill; halved when a node refuses a range."""

    poll_interval: float = Field(default=1.0, gt=0)
    """Seconds between head polls once caught up."""

    snapshot_interval: float = Field(default=60.0, gt=0)
    """Seconds between leaderboard snapshots of each live competition."""

    reorg_window: int = Field(default=128, ge=8)
    """How many recent block hashes are kept to find a common ancestor after a reorg."""
