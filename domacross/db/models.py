"""SQLAlchemy 2 models, the indexed data and the API's own tables.

Rows derived from chain events carry their position (`chain_id`, `block_number`,
`log_index`, unique per table, and the `tx_hash`), so every write is idempotent and a
reorg rolls back by deleting the rows above the common ancestor. uint256 values use
`Uint256` (exact on every backend), never floats.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from domacross.db.types import Int256, Uint256, UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ADDRESS = String(42)
HASH = String(66)


def utcnow() -> datetime:
    return datetime.now(UTC)


ID = BigInteger().with_variant(Integer(), "sqlite")
"""Ids and the keys that point at them: int64 as the API promises. SQLite's INTEGER is
already 64-bit (and only `INTEGER PRIMARY KEY` autoincrements there)."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), int: ID}  # noqa: RUF012


class EventRow:
    """Where a row came from on chain; unique per (chain, block, log index).

    NOTE: keyed in log order, not by transaction: a log's index counts within its block,
    so (block, log index) names one log of a chain, and rows arrive in that order, so
    each insert appends to the key's index where a transaction hash lands anywhere in it.
    The one index serves the rollback's "above this block" too. Rows of an abandoned
    branch are deleted by the rollback (block hashes detect it), never kept beside the
    canonical ones, so the key cannot meet the same log twice.
    """

    chain_id: Mapped[int] = mapped_column(BigInteger)
    block_number: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(HASH)
    log_index: Mapped[int] = mapped_column(Integer)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:  # noqa: N805 - SQLAlchemy's declared_attr
        name = cls.__tablename__  # type: ignore[attr-defined]
        return (UniqueConstraint("chain_id", "block_number", "log_index", name=f"uq_{name}_event"),)


CHECKPOINT_ROW = "competitions"
"""`chain_offsets.contract_address` of a chain's overall checkpoint: rewritten by every
indexed range and every rollback, in the same transaction, so readers use it as the data
version of that chain."""


class ChainOffset(Base):
    """The indexer's checkpoint: last fully processed block per chain and followed contract."""

    __tablename__ = "chain_offsets"
    __table_args__ = (UniqueConstraint("chain_id", "contract_address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    contract_address: Mapped[str] = mapped_column(ADDRESS)
    last_block_number: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BlockRecord(Base):
    """Recent block hashes per chain, to detect reorgs and find the common ancestor."""

    __tablename__ = "blocks"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hash: Mapped[str] = mapped_column(HASH)
    parent_hash: Mapped[str] = mapped_column(HASH)
    timestamp: Mapped[datetime]


class RawEvent(EventRow, Base):
    """Every decoded event of the followed contracts, as emitted (uint256 as strings)."""

    __tablename__ = "raw_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    block_hash: Mapped[str] = mapped_column(HASH)
    address: Mapped[str] = mapped_column(ADDRESS)
    name: Mapped[str] = mapped_column(String(64))
    args: Mapped[dict[str, Any]] = mapped_column(JSON)


# Every read of history names the contract and the event (or the transaction, through the
# unique key): one index of both, where one of each cost a backfill an index more per log.
Index("ix_raw_events_address_name", RawEvent.address, RawEvent.name)


class User(Base):
    """A wallet: seen on chain as an entrant, or connected to the API."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    wallet_address: Mapped[str] = mapped_column(ADDRESS, unique=True)
    username: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# Usernames are unique regardless of case ("Alice" cannot impersonate "alice").
Index("uq_users_username_lower", func.lower(User.username), unique=True)


class Competition(Base):
    """A competition: its configuration from `CompetitionCreated`, and its current state."""

    __tablename__ = "competitions"
    __table_args__ = (
        UniqueConstraint("chain_id", "contract_address"),
        Index("ix_competitions_chain_block", "chain_id", "created_block"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    contract_address: Mapped[str] = mapped_column(ADDRESS, index=True)
    factory_address: Mapped[str] = mapped_column(ADDRESS)
    organizer: Mapped[str] = mapped_column(ADDRESS)
    registry_index: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(2000))
    start_time: Mapped[datetime] = mapped_column(index=True)
    end_time: Mapped[datetime] = mapped_column(index=True)
    claim_deadline: Mapped[datetime]
    dispute_window: Mapped[int] = mapped_column(BigInteger)
    entry_fee: Mapped[int] = mapped_column(Uint256)
    max_participants: Mapped[int] = mapped_column(BigInteger)
    rake_bps: Mapped[int] = mapped_column(Integer)
    payout_bps: Mapped[list[int]] = mapped_column(JSON)
    oracle: Mapped[str] = mapped_column(ADDRESS)
    tracker: Mapped[str] = mapped_column(ADDRESS)
    treasury: Mapped[str] = mapped_column(ADDRESS)
    rules: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_block: Mapped[int] = mapped_column(BigInteger)
    created_tx: Mapped[str] = mapped_column(HASH)
    # Current state, derived from the history rows below (recomputed after a reorg).
    participant_count: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    finalized: Mapped[bool] = mapped_column(Boolean, default=False)
    merkle_root: Mapped[str | None] = mapped_column(HASH)
    total_payout: Mapped[int | None] = mapped_column(Uint256)
    results_posted_at: Mapped[datetime | None]
    # The contract's real end of claims (`claimEndsAt()`): relative to finalization, so known
    # only once finalized; `claim_deadline` above is the configured bound it derives from.
    claim_ends_at: Mapped[datetime | None]
    rake_paid: Mapped[int | None] = mapped_column(Uint256)
    claimed_total: Mapped[int] = mapped_column(Uint256, default=0)
    # Scores (domacross.indexer.projections.scores): the block they are computed at, final once the
    # chain has passed the end.
    score_block: Mapped[int | None] = mapped_column(BigInteger)
    score_final: Mapped[bool] = mapped_column(Boolean, default=False)

    participants: Mapped[list[Participant]] = relationship(back_populates="competition")


class Participant(Base):
    """An entrant of a competition (from `ParticipantJoined`) and its latest value."""

    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("user_id", "competition_id"),
        Index("ix_participants_competition_value", "competition_id", "portfolio_value"),
        # The leaderboard's order (score, then wallet): a page is a range scan of this
        # index, no sort, no join.
        Index(
            "ix_participants_board",
            "competition_id",
            text("score_e18 DESC"),
            "wallet",
        ),
        # The entrants whose `board_json` the indexer has yet to write: a range finds them
        # without scanning the others.
        Index(
            "ix_participants_unrendered",
            "chain_id",
            sqlite_where=text("board_json IS NULL"),
            postgresql_where=text("board_json IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    wallet: Mapped[str | None] = mapped_column(ADDRESS)
    """The user's wallet, copied in by a database trigger on insert (migration
    0006_bigint_ids): the leaderboard's tiebreak, in the same index as the value."""
    chain_id: Mapped[int] = mapped_column(BigInteger)
    joined_block: Mapped[int] = mapped_column(BigInteger)
    joined_tx: Mapped[str] = mapped_column(HASH)
    joined_log_index: Mapped[int] = mapped_column(Integer)
    joined_at: Mapped[datetime]
    fee: Mapped[int] = mapped_column(Uint256)
    portfolio_value: Mapped[int] = mapped_column(Uint256, default=0)
    value_updated_at: Mapped[datetime | None]
    prize_claimed: Mapped[int | None] = mapped_column(Uint256)
    refunded: Mapped[int | None] = mapped_column(Uint256)
    # P&L of the participant's trades (domacross.pnl), kept current by the indexer.
    realised_pnl: Mapped[int] = mapped_column(Int256, default=0)
    unrealised_pnl: Mapped[int] = mapped_column(Int256, default=0)
    # The score that ranks (domacross_sdk.scoring), wei x 10**18, exact.
    score_e18: Mapped[int] = mapped_column(Int256, default=0)
    rank: Mapped[int | None] = mapped_column(BigInteger)
    """The competition rank by `score_e18` (1, 2, 2, 4), kept by the indexer in the
    transaction that changes scores (domacross.indexer.ranks); None until first ranked."""
    board_json: Mapped[str | None] = mapped_column(Text)
    """The leaderboard entry but its rank as JSON text (`domacross.db.board`), written by
    the indexer after each range; cleared by triggers when a value or the username changes
    (migration 0014_board_json), so it is either current or None."""

    competition: Mapped[Competition] = relationship(back_populates="participants")
    user: Mapped[User] = relationship()


class PortfolioValue(EventRow, Base):
    """History of portfolio values (`PortfolioValueUpdated`)."""

    __tablename__ = "portfolio_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    value: Mapped[int] = mapped_column(Uint256)
    holdings_count: Mapped[int] = mapped_column(Integer)
    holdings_hash: Mapped[str] = mapped_column(HASH)
    timestamp: Mapped[datetime]


class Price(EventRow, Base):
    """History of oracle prices (`PriceUpdated`)."""

    __tablename__ = "prices"

    id: Mapped[int] = mapped_column(primary_key=True)
    oracle: Mapped[str] = mapped_column(ADDRESS)
    token: Mapped[str] = mapped_column(ADDRESS, index=True)
    token_id: Mapped[int] = mapped_column(Uint256)
    fungible: Mapped[bool] = mapped_column(Boolean)
    price: Mapped[int] = mapped_column(Uint256)
    previous_price: Mapped[int] = mapped_column(Uint256)
    reporter: Mapped[str] = mapped_column(ADDRESS)
    overridden: Mapped[bool] = mapped_column(Boolean)
    timestamp: Mapped[datetime]


class PauseChange(EventRow, Base):
    """History of `Paused` / `Unpaused` of every followed contract (competitions, oracle,
    factories, baskets): a contract's latest row is its pause state."""

    __tablename__ = "pause_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(ADDRESS, index=True)
    paused: Mapped[bool] = mapped_column(Boolean)
    account: Mapped[str] = mapped_column(ADDRESS)
    """Who paused (or unpaused): the event's `account`."""
    timestamp: Mapped[datetime | None]
    """The block's time; None for pauses indexed before this table existed (copied from
    raw events, whose block times were not kept)."""


class PrizeResult(EventRow, Base):
    """Results posted, rejected and finalized (`ResultsPosted`, `ResultsRejected`,
    `CompetitionFinalized`)."""

    __tablename__ = "prize_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    merkle_root: Mapped[str] = mapped_column(HASH)
    total_payout: Mapped[int | None] = mapped_column(Uint256)
    rake: Mapped[int | None] = mapped_column(Uint256)
    actor: Mapped[str | None] = mapped_column(ADDRESS)
    timestamp: Mapped[datetime]


class Claim(EventRow, Base):
    """Money paid out: prizes, refunds and sweeps (`PrizeClaimed`, `RefundClaimed`,
    `UnclaimedSwept`)."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(ADDRESS, index=True)
    amount: Mapped[int] = mapped_column(Uint256)
    timestamp: Mapped[datetime]


class LeaderboardSnapshot(Base):
    """Periodic standings of a competition: `[{"wallet", "value", "rank"}, ...]`."""

    __tablename__ = "leaderboard_snapshots"
    __table_args__ = (Index("ix_leaderboard_snapshots_comp_time", "competition_id", "captured_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    captured_at: Mapped[datetime] = mapped_column(default=utcnow)
    block_number: Mapped[int] = mapped_column(BigInteger)
    standings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class IndexerStatus(Base):
    """The indexer's health per chain, for the API's /health and /metrics."""

    __tablename__ = "indexer_status"

    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    head_block: Mapped[int] = mapped_column(BigInteger)
    indexed_block: Mapped[int] = mapped_column(BigInteger)
    lag_blocks: Mapped[int] = mapped_column(BigInteger)
    lag_seconds: Mapped[float]
    breaker_state: Mapped[str] = mapped_column(String(16))
    events_indexed: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuthNonce(Base):
    """A Sign-In with Ethereum nonce issued by the API: single-use, expiring."""

    __tablename__ = "auth_nonces"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    wallet_address: Mapped[str | None] = mapped_column(ADDRESS, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    consumed_at: Mapped[datetime | None]


class RevokedToken(Base):
    """A session token revoked by logout, kept until it would have expired anyway."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    wallet_address: Mapped[str] = mapped_column(ADDRESS)
    revoked_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


# -- Trades ----------------------------------------------------------------------


class Trade(Base):
    """A domain-token movement of a participant while its competition is live: one row per
    (participant, Transfer log), so one transfer between two entrants is two rows.

    `kind` is buy, sell (paired with a marketplace `Sold` of the same transaction),
    transfer_in, transfer_out, mint, burn, or expiry (a held domain's registration lapsed:
    keyed by the mint or renewal that set that expiry). `price` is the wei value of the
    whole `amount`: the sale price (`price_source` "sale"), else the oracle value as of that
    log ("oracle"), else NULL ("unknown"); 0 for an expiry ("expiry").
    """

    __tablename__ = "trades"
    __table_args__ = (
        UniqueConstraint(
            "participant_id", "chain_id", "tx_hash", "log_index", name="uq_trades_event"
        ),
        Index("ix_trades_chain_block", "chain_id", "block_number"),
        Index("ix_trades_participant_order", "participant_id", "block_number", "log_index"),
        Index("ix_trades_competition_time", "competition_id", "timestamp", "id"),
        Index("ix_trades_wallet_time", "wallet", "timestamp", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    wallet: Mapped[str] = mapped_column(ADDRESS)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    block_number: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(HASH)
    log_index: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(ADDRESS)
    token_id: Mapped[int] = mapped_column(Uint256)
    fungible: Mapped[bool] = mapped_column(Boolean)
    amount: Mapped[int] = mapped_column(Uint256)
    kind: Mapped[str] = mapped_column(String(16))
    counterparty: Mapped[str] = mapped_column(ADDRESS)
    price: Mapped[int | None] = mapped_column(Uint256)
    price_source: Mapped[str] = mapped_column(String(8))
    listing_id: Mapped[int | None] = mapped_column(Uint256)
    timestamp: Mapped[datetime]
