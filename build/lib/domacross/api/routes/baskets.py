"""Domain baskets (ETFs): the list, one basket with its NAV history, and a wallet's baskets."""

from __future__ import annotations

from typing import Annotated

from eth_utils.address import to_checksum_address
from fastapi import APIRouter, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from domacross.api.basket_schemas import (
    BasketDetailPublic,
    BasketItemPublic,
    BasketPublic,
    BasketsPublic,
    NavPointPublic,
    WalletBasketPublic,
    WalletBasketsPublic,
)
from domacross.api.deps import (
    CursorQuery,
    LimitQuery,
    SessionDep,
    SettingsDep,
    WalletPath,
    page_size,
)
from domacross.api.errors import not_found
from domacross.api.pagination import decode_cursor, encode_cursor
from domacross.api.routes.competitions import NOT_FOUND
from domacross.db.basket_models import BasketHolding, BasketNav, DomainBasket
from domacross.db.models import User

router = APIRouter(tags=["baskets"])

BasketId = Annotated[int, Path(ge=1, le=2**63 - 1)]
WAD = 10**18


def basket_public(basket: DomainBasket) -> BasketPublic:
    """A basket row (with its owner and items loaded) as the API shows it."""
    return BasketPublic(
        id=basket.id,
        chain_id=basket.chain_id,
        basket_token_address=basket.basket_token_address,
        factory_address=basket.factory_address,
        owner=basket.owner.wallet_address,
        name=basket.name,
        symbol=basket.symbol,
        description=basket.description,
        created_at=basket.created_at,
        total_value=str(basket.total_value),
        total_supply=str(basket.total_supply),
        nav_per_share=str(basket.nav_per_share),
        nav_updated_at=basket.nav_updated_at,
        items=[BasketItemPublic.model_validate(item) for item in basket.items],
    )


def _loaded() -> tuple[LoaderOption, ...]:
    return (selectinload(DomainBasket.items), selectinload(DomainBasket.owner))


@router.get("/api/v1/baskets", response_model=BasketsPublic)
def list_baskets(
    session: SessionDep,
    settings: SettingsDep,
    chain_id: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
    owner: Annotated[str | None, Query(pattern=r"^0x[0-9a-fA-F]{40}$")] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> BasketsPublic:
    """Baskets, newest first, optionally of one chain or one owner."""
    query = select(DomainBasket).options(*_loaded())
    if chain_id is not None:
        query = query.where(DomainBasket.chain_id == chain_id)
    if owner is not None:
        owner_id = select(User.id).where(User.wallet_address == to_checksum_address(owner))
        query = query.where(DomainBasket.owner_user_id.in_(owner_id))
    if cursor is not None:
        [last_id] = decode_cursor("baskets", cursor, (int,))
        query = query.where(DomainBasket.id < last_id)
    size = page_size(limit, settings)
    rows = session.scalars(query.order_by(DomainBasket.id.desc()).limit(size + 1)).all()
    data = [basket_public(row) for row in rows[:size]]
    next_cursor = encode_cursor("baskets", data[-1].id) if len(rows) > size else None
    return BasketsPublic(data=data, next_cursor=next_cursor)


@router.get("/api/v1/baskets/{basket_id}", response_model=BasketDetailPublic, responses=NOT_FOUND)
def get_basket(
    session: SessionDep,
    basket_id: BasketId,
    nav_points: Annotated[int, Query(ge=1, le=1_000, description="NAV points to return.")] = 100,
) -> BasketDetailPublic:
    """One basket with its items and its latest NAV points (one per deposit or redemption)."""
    basket = session.scalar(
        select(DomainBasket).options(*_loaded()).where(DomainBasket.id == basket_id)
    )
    if basket is None:
        raise not_found("basket", id=basket_id)
    points = session.scalars(
        select(BasketNav)
        .where(BasketNav.basket_id == basket_id)
        .order_by(BasketNav.block_number.desc(), BasketNav.log_index.desc())
        .limit(nav_points)
    ).all()
    return BasketDetailPublic(
        **basket_public(basket).model_dump(),
        nav_history=[NavPointPublic.model_validate(p) for p in reversed(points)],
    )


@router.get(
    "/api/v1/users/{wallet}/baskets", response_model=WalletBasketsPublic, responses=NOT_FOUND
)
def get_wallet_baskets(session: SessionDep, wallet: WalletPath) -> WalletBasketsPublic:
    """The baskets a wallet holds shares of (balance > 0), valued at each basket's latest NAV."""
    user_id = session.scalar(select(User.id).where(User.wallet_address == wallet))
    if user_id is None:
        raise not_found("wallet", wallet=wallet)
    rows = session.execute(
        select(BasketHolding, DomainBasket)
        .join(DomainBasket, DomainBasket.id == BasketHolding.basket_id)
        .options(*_loaded())
        .where(BasketHolding.user_id == user_id)
        .order_by(DomainBasket.chain_id, DomainBasket.id)
    ).all()
    data = []
    for holding, basket in rows:
        if holding.balance == 0:
            continue
        value = holding.balance * basket.nav_per_share // WAD
        data.append(
            WalletBasketPublic(
                basket=basket_public(basket), balance=str(holding.balance), value=str(value)
            )
        )
    total = sum(int(d.value) for d in data)
    return WalletBasketsPublic(wallet=wallet, data=data, total_value=str(total))
