"""Models of domain baskets, `domain_baskets` and `basket_items`.

History rows (`basket_navs`, `basket_transfers`, `basket_nft_claims`) carry their event
position like every other history table; current-state rows (`domain_baskets` NAV
columns, `basket_items.weight`, `basket_holdings`) are derived from history and rebuilt
by `domacross.indexer.projections.baskets.recompute`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domacross.db.models import ADDRESS, HASH, Base, EventRow, User
from domacross.db.types import Uint256


class DomainBasket(Base):
    """A basket (from `BasketCreated`) and its latest NAV (from `NavUpdated`)."""

    __tablename__ = "domain_baskets"
    __table_args__ = (
        UniqueConstraint("chain_id", "basket_token_address"),
        Index("ix_domain_baskets_chain_block", "chain_id", "created_block"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    basket_token_address: Mapped[str] = mapped_column(ADDRESS, index=True)
    factory_address: Mapped[str] = mapped_column(ADDRESS)
    owner_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    symbol: Mapped[str] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(String(2000))
    registry_index: Mapped[int] = mapped_column(BigInteger)
    created_block: Mapped[int] = mapped_column(BigInteger)
    created_tx: Mapped[str] = mapped_column(HASH)
    created_at: Mapped[datetime]
    # Current state, from the latest NavUpdated (recomputed after a reorg).
    total_value: Mapped[int] = mapped_column(Uint256, default=0)
    total_supply: Mapped[int] = mapped_column(Uint256, default=0)
    nav_per_share: Mapped[int] = mapped_column(Uint256, default=0)
    nav_updated_at: Mapped[datetime | None]

    owner: Mapped[User] = relationship()
    items: Mapped[list[BasketItem]] = relationship(
        back_populates="basket", order_by="BasketItem.position", cascade="all, delete-orphan"
    )


class BasketItem(Base):
    """One component of a basket: a whole ERC-721 domain or an ERC-20 fraction, with its
    current target weight in basis points (from creation, then `Reweighted`)."""

    __tablename__ = "basket_items"
    __table_args__ = (UniqueConstraint("basket_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    basket_id: Mapped[int] = mapped_column(ForeignKey("domain_baskets.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    domain_token_address: Mapped[str] = mapped_column(ADDRESS)
    domain_token_id: Mapped[int] = mapped_column(Uint256)
    weight: Mapped[int] = mapped_column(Integer)

    basket: Mapped[DomainBasket] = relationship(back_populates="items")


class BasketNav(EventRow, Base):
    """NAV history: one row per `NavUpdated` (emitted by every deposit and redemption)."""

    __tablename__ = "basket_navs"

    id: Mapped[int] = mapped_column(primary_key=True)
    basket_id: Mapped[int] = mapped_column(ForeignKey("domain_baskets.id", ondelete="CASCADE"))
    total_value: Mapped[int] = mapped_column(Uint256)
    total_supply: Mapped[int] = mapped_column(Uint256)
    nav_per_share: Mapped[int] = mapped_column(Uint256)
    timestamp: Mapped[datetime]


class BasketTransfer(EventRow, Base):
    """History of basket share transfers (ERC-20 `Transfer`, mints and burns included)."""

    __tablename__ = "basket_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    basket_id: Mapped[int] = mapped_column(ForeignKey("domain_baskets.id", ondelete="CASCADE"))
    from_address: Mapped[str] = mapped_column(ADDRESS, index=True)
    to_address: Mapped[str] = mapped_column(ADDRESS, index=True)
    amount: Mapped[int] = mapped_column(Uint256)
    timestamp: Mapped[datetime]


class BasketNftClaim(EventRow, Base):
    """History of claims on a basket's NFTs (`NftClaimCredited`, `NftClaimTransferred`,
    `NftWithdrawn`): who holds how many units (of 1e18) of NFT component `component`.

    `kind` is "credited" (an in-kind redemption left `to_address` a claim of `units`),
    "transferred" (`units` from `from_address` to `to_address`) or "withdrawn" (the holder
    of every unit, `from_address`, took the NFT `token` #`token_id` out; `units` None)."""

    __tablename__ = "basket_nft_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    basket_id: Mapped[int] = mapped_column(ForeignKey("domain_baskets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    component: Mapped[int] = mapped_column(Uint256)
    from_address: Mapped[str | None] = mapped_column(ADDRESS, index=True)
    to_address: Mapped[str | None] = mapped_column(ADDRESS, index=True)
    units: Mapped[int | None] = mapped_column(Uint256)
    token: Mapped[str | None] = mapped_column(ADDRESS)
    token_id: Mapped[int | None] = mapped_column(Uint256)
    timestamp: Mapped[datetime]


class BasketHolding(Base):
    """A wallet's share balance of a basket, derived from `basket_transfers`."""

    __tablename__ = "basket_holdings"
    __table_args__ = (UniqueConstraint("basket_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    basket_id: Mapped[int] = mapped_column(ForeignKey("domain_baskets.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    balance: Mapped[int] = mapped_column(Uint256)
    updated_block: Mapped[int] = mapped_column(BigInteger)

    basket: Mapped[DomainBasket] = relationship()
    user: Mapped[User] = relationship()
