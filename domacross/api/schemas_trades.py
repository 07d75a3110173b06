"""Response models of trades and activity, in families like `schemas.py`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domacross.api.schemas import Address, Uint256Str, UtcDatetime
from domacross.pnl import PriceSource, TradeKind


class TradePublic(BaseModel):
    """One domain-token movement of an entrant while its competition was live."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    competition_id: int
    chain_id: int
    wallet: Address
    kind: TradeKind = Field(
        description="buy/sell: paired with a marketplace sale in the same transaction; "
        "transfer_in/transfer_out: any other transfer; mint/burn: from/to the zero address; "
        "expiry: a held domain's registration lapsed (no transaction: `tx_hash`/`log_index` "
        "name the mint or renewal that set that expiry; `timestamp` is the expiry)."
    )
    token: Address
    token_id: Uint256Str = Field(description="ERC-721 token id; 0 for a fungible token.")
    fungible: bool
    amount: Uint256Str = Field(description="1 for an ERC-721; base units for an ERC-20.")
    counterparty: Address
    price: Uint256Str | None = Field(
        description="Wei for the whole amount: the sale price, else the oracle value as of "
        "that log; null when the oracle never priced the token."
    )
    price_source: PriceSource
    listing_id: Uint256Str | None = Field(description="The marketplace listing of a sale.")
    tx_hash: str
    block_number: int
    log_index: int
    timestamp: UtcDatetime


class TradesPublic(BaseModel):
    competition_id: int
    data: list[TradePublic]
    next_cursor: str | None


class ActivityItemPublic(BaseModel):
    """A trade, a join or a payout of the wallet; `trade` is set for trades only."""

    type: Literal["trade", "join", "claim"]
    timestamp: UtcDatetime
    chain_id: int
    competition_id: int
    tx_hash: str
    block_number: int
    log_index: int
    amount: Uint256Str | None = Field(
        description="join: the entry fee paid; claim: the amount paid out; trade: null."
    )
    claim_kind: Literal["prize", "refund", "sweep"] | None = None
    trade: TradePublic | None = None


class ActivityPublic(BaseModel):
    wallet: Address
    data: list[ActivityItemPublic]
    next_cursor: str | None
