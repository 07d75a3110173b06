"""Request and response models, in families (`CompetitionPublic`, `CompetitionsPublic`).

uint256 amounts (wei) are decimal strings on the wire: never floats, never JSON numbers,
which many clients read as doubles.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from domacross.api.errors import ErrorCode


def _as_utc(value: datetime) -> datetime:
    # Request values may be naive (taken as UTC) or in any zone; responses say UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _int_to_str(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
Uint256Str = Annotated[
    str,
    BeforeValidator(_int_to_str),
    Field(
        pattern=r"^(0|[1-9][0-9]{0,77})$",
        description="A uint256 in wei, as a decimal string.",
        examples=["100000000000000000"],
    ),
]
Int256Str = Annotated[
    str,
    BeforeValidator(_int_to_str),
    Field(
        pattern=r"^(0|-?[1-9][0-9]{0,77})$",
        description="A signed amount in wei (P&L), as a decimal string.",
        examples=["-25000000000000000"],
    ),
]
Address = Annotated[
    str,
    Field(
        pattern=r"^0x[0-9a-fA-F]{40}$",
        description="An EVM address (EIP-55 checksummed in responses).",
        examples=["0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"],
    ),
]
Username = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9_]{3,32}$",
        description="3 to 32 letters, digits or underscores; unique regardless of case.",
    ),
]


class CompetitionStatus(StrEnum):
    """Derived from the times and the cancelled/finalized flags."""

    scheduled = "scheduled"
    open = "open"
    ended = "ended"
    finalized = "finalized"
    cancelled = "cancelled"


class ErrorPublic(BaseModel):
    """The error envelope of every non-2xx JSON response."""

    code: ErrorCode
    message: str
    details: Any = None


class MessagePublic(BaseModel):
    message: str


# -- competitions -------------------------------------------------------------------------


class CompetitionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    chain_id: int
    contract_address: Address
    factory_address: Address
    organizer: Address
    name: str | None
    description: str | None
    status: CompetitionStatus
    start_time: UtcDatetime
    end_time: UtcDatetime
    claim_deadline: UtcDatetime = Field(
        description="The configured bound; the claim period is counted from finalization "
        "(see `claim_ends_at`)."
    )
    dispute_window: int = Field(description="Seconds after results are posted.")
    entry_fee: Uint256Str
    max_participants: int
    participant_count: int
    rake_bps: int
    payout_bps: list[int]
    rules: dict[str, Any] | None
    merkle_root: str | None
    total_payout: Uint256Str | None
    results_posted_at: UtcDatetime | None
    claim_ends_at: UtcDatetime | None = Field(
        description="When prizes can no longer be claimed (the contract's `claimEndsAt()`): "
        "finalization time + (claim_deadline - end_time - dispute_window); null until finalized."
    )
    claimed_total: Uint256Str


class CompetitionsPublic(BaseModel):
    data: list[CompetitionPublic]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


# -- leaderboards -------------------------------------------------------------------------


class LeaderboardEntryPublic(BaseModel):
    rank: int = Field(ge=1, description="Competition ranking: ties share a rank (1, 2, 2, 4).")
    wallet: Address
    username: str | None
    score: Int256Str = Field(
        description="What ranks: P&L in wei marked at oracle prices since the entrant joined, "
        "up to the end block (the same score the posted results pay by)."
    )
    score_e18: Int256Str = Field(description="The score in wei x 10**18, exact (ties compare it).")
    value: Uint256Str = Field(description="Latest portfolio value reported by the tracker.")
    realised_pnl: Int256Str = Field(
        description="P&L realised by the entrant's sales and transfers out (average cost)."
    )
    unrealised_pnl: Int256Str = Field(
        description="Oracle value of what its trades left it holding, minus its cost basis."
    )


class LeaderboardPublic(BaseModel):
    competition_id: int
    total_entrants: int
    data: list[LeaderboardEntryPublic]
    next_cursor: str | None


class SnapshotRefPublic(BaseModel):
    id: int
    captured_at: UtcDatetime
    block_number: int


class LeaderboardEventPublic(BaseModel):
    """The data of one `leaderboard` event of the stream: the top of the standings."""

    competition_id: int
    status: CompetitionStatus
    total_entrants: int
    latest_snapshot: SnapshotRefPublic | None
    data: list[LeaderboardEntryPublic]


# -- portfolios ---------------------------------------------------------------------------


class PortfolioCompetitionPublic(BaseModel):
    competition_id: int
    chain_id: int
    contract_address: Address
    name: str | None
    status: CompetitionStatus
    value: Uint256Str
    rank: int
    value_updated_at: UtcDatetime | None


class ChainTotalPublic(BaseModel):
    chain_id: int
    value: Uint256Str


class PortfolioPublic(BaseModel):
    """A wallet's values in every competition it entered, on every chain.

    Values are in wei of each chain's native token: `chains` sums them per chain;
    `total_value` adds every chain's (meaningful when the chains share a unit).
    """

    wallet: Address
    total_value: Uint256Str
    chains: list[ChainTotalPublic]
    competitions: list[PortfolioCompetitionPublic]


class PortfolioPointPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    competition_id: int
    chain_id: int
    value: Uint256Str
    holdings_count: int
    timestamp: UtcDatetime
    block_number: int
    tx_hash: str


class PortfolioHistoryPublic(BaseModel):
    wallet: Address
    data: list[PortfolioPointPublic]
    next_cursor: str | None


# -- users and sign-in --------------------------------------------------------------------


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    wallet_address: Address
    username: str | None
    created_at: UtcDatetime


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    wallet_address: Address
    username: Username | None = Field(
        default=None, description="Only with a session token of the same wallet."
    )


class UsernameUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username


class NoncePublic(BaseModel):
    nonce: str
    expires_at: UtcDatetime
    domain: str = Field(description="The `domain` the sign-in message must name.")


class SignInRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, max_length=4_096, description="The EIP-4361 message.")
    signature: str = Field(pattern=r"^0x[0-9a-fA-F]{130}$", description="Its EIP-191 signature.")


class TokenPublic(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme's name, not a secret
    expires_at: UtcDatetime
    wallet: Address


# -- health -------------------------------------------------------------------------------


class ChainHealthPublic(BaseModel):
    chain_id: int
    head_block: int
    indexed_block: int
    lag_blocks: int
    lag_seconds: float
    breaker_state: str
    updated_at: UtcDatetime
    status_age_seconds: float = Field(description="Seconds since the indexer last wrote it.")
    healthy: bool


class HealthPublic(BaseModel):
    status: Literal["ok", "degraded", "down"]
    database: Literal["ok", "unreachable"]
    chains: list[ChainHealthPublic]


class PauseStatePublic(BaseModel):
    """A contract's pause state, from its latest `Paused` / `Unpaused` event."""

    chain_id: int
    address: str
    paused: bool
    paused_by: str | None = Field(description="Who paused it; null while it is not paused.")
    changed_by: str = Field(description="Who made the latest change (paused or unpaused).")
    since_block: int = Field(description="Block of the latest change.")
    since: UtcDatetime | None = Field(
        description="Time of that block; null for changes indexed before block times were "
        "kept with them."
    )
    tx_hash: str


class PauseStatesPublic(BaseModel):
    data: list[PauseStatePublic]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
