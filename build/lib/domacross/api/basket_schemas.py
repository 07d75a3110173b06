"""Response models of domain baskets (`BasketPublic`, `BasketsPublic`, ...)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domacross.api.schemas import Address, Uint256Str, UtcDatetime


class BasketItemPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    position: int = Field(description="The component's index in the basket contract.")
    kind: Literal["erc721", "erc20"] = Field(
        description="erc721: one whole domain (enters and leaves only whole); "
        "erc20: a fractional domain token."
    )
    domain_token_address: Address
    domain_token_id: Uint256Str = Field(description="The ERC-721 token id; 0 for an ERC-20.")
    weight: int = Field(description="Target weight in basis points (all items sum to 10,000).")


class BasketPublic(BaseModel):
    id: int
    chain_id: int
    basket_token_address: Address
    factory_address: Address
    owner: Address
    name: str
    symbol: str
    description: str | None
    created_at: UtcDatetime
    total_value: Uint256Str = Field(description="Oracle value of the held underlying (wei).")
    total_supply: Uint256Str = Field(description="Shares outstanding (18 decimals).")
    nav_per_share: Uint256Str = Field(description="Wei per 1e18 shares, at the latest NAV.")
    nav_updated_at: UtcDatetime | None = Field(
        description="When the NAV was last emitted (a deposit or a redemption); null before one."
    )
    items: list[BasketItemPublic]


class BasketsPublic(BaseModel):
    data: list[BasketPublic]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class NavPointPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    block_number: int
    timestamp: UtcDatetime
    total_value: Uint256Str
    total_supply: Uint256Str
    nav_per_share: Uint256Str


class BasketDetailPublic(BasketPublic):
    nav_history: list[NavPointPublic] = Field(
        description="The latest NAV points, oldest first (at most `nav_points`)."
    )


class WalletBasketPublic(BaseModel):
    basket: BasketPublic
    balance: Uint256Str = Field(description="Shares held (18 decimals).")
    value: Uint256Str = Field(description="balance * nav_per_share / 1e18, in wei (rounded down).")


class WalletBasketsPublic(BaseModel):
    wallet: Address
    data: list[WalletBasketPublic]
    total_value: Uint256Str = Field(description="Sum of `value` over the wallet's baskets.")
