"""Domain baskets: the factory's `BasketCreated`, then each basket's NAV, share transfers and
weights.

* `BasketCreated` (from the basket factory) inserts `domain_baskets` and `basket_items`.
* `NavUpdated` (every deposit and redemption) appends `basket_navs` and sets the basket's NAV.
  NAV history therefore comes from events only; no periodic NAV reads (a price change between
  two deposits shows at the next deposit or redemption, and the API serves the stored NAV).
* `Transfer` of basket shares (decoded as `FractionTransfer`: the ERC-20 signature) appends
  `basket_transfers`; the two wallets' `basket_holdings` are recomputed from that history.
* `Reweighted` sets `basket_items.weight`.

Basket events are fetched by address (the known baskets, plus those created in the same
range), never by topic: `Transfer` is the most common topic on any chain.
Every current-state value is written absolutely (never incremented), so re-applying a range
changes nothing, and `recompute` rebuilds all of it from the history after a reorg.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from domacross.db.basket_models import (
    BasketHolding,
    BasketItem,
    BasketNav,
    BasketTransfer,
    DomainBasket,
)
from domacross.db.models import RawEvent
from domacross.indexer.addressbook import Role
from domacross.indexer.registry import Key, Projection, Range
from domacross.indexer.rows import insert_ignore
from domacross_sdk import events as ev

projection = Projection("baskets")
ZERO_ADDRESS = "0x" + "00" * 20
KIND_NAMES = {0: "erc721", 1: "erc20"}


@projection.on(Role.BASKET_FACTORY, ev.BasketCreated)
def on_created(r: Range, e: ev.BasketCreated, key: Key) -> None:
    session = r.session
    if r.ids.basket(session, e.basket) is not None:
        return
    basket = DomainBasket(
        chain_id=r.chain_id,
        basket_token_address=e.basket,
        factory_address=e.meta.address,
        owner_user_id=r.ids.user(session, e.owner),
        name=e.name,
        symbol=e.symbol,
        registry_index=e.index,
        created_block=key["block_number"],
        created_tx=key["tx_hash"],
        created_at=r.time(e),
        total_value=0,
        total_supply=0,
        nav_per_share=0,
        items=[
            BasketItem(
                position=i,
                kind=KIND_NAMES[int(c.kind)],
                domain_token_address=c.token,
                domain_token_id=c.token_id,
                weight=c.weight_bps,
            )
            for i, c in enumerate(e.components)
        ],
    )
    session.add(basket)
    session.flush()
    r.ids.remember_basket(e.basket, basket.id)


@projection.on(Role.BASKET, ev.NavUpdated)
def on_nav(r: Range, e: ev.NavUpdated, key: Key) -> None:
    session = r.session
    basket_id = r.ids.basket(session, e.meta.address)
    if basket_id is None:
        return
    ts = r.time(e)
    row = {**key, "basket_id": basket_id, "total_value": e.total_value}
    row |= {"total_supply": e.total_supply, "nav_per_share": e.nav_per_share, "timestamp": ts}
    insert_ignore(session, BasketNav.__table__, [row])  # type: ignore[arg-type]
    basket = session.get(DomainBasket, basket_id)
    if basket is not None:
        basket.total_value, basket.total_supply = e.total_value, e.total_supply
        basket.nav_per_share, basket.nav_updated_at = e.nav_per_share, ts


@projection.on(Role.BASKET, ev.FractionTransfer)
def on_share_transfer(r: Range, e: ev.FractionTransfer, key: Key) -> None:
    session = r.session
    basket_id = r.ids.basket(session, e.meta.address)
    if basket_id is None:
        return
    row = {**key, "basket_id": basket_id, "from_address": e.from_, "to_address": e.to}
    row |= {"amount": e.value, "timestamp": r.time(e)}
    insert_ignore(session, BasketTransfer.__table__, [row])  # type: ignore[arg-type]
    # The basket's own balance is the locked MIN_LIQUIDITY: nobody's holding.
    for wallet in {e.from_, e.to} - {ZERO_ADDRESS, e.meta.address}:
        _set_holding(session, basket_id, r.ids.user(session, wallet), wallet)


@projection.on(Role.BASKET, ev.Reweighted)
def on_reweighted(r: Range, e: ev.Reweighted, key: Key) -> None:
    basket_id = r.ids.basket(r.session, e.meta.address)
    if basket_id is not None:
        _set_weights(r.session, basket_id, list(e.weights_bps))


def _set_weights(session: Session, basket_id: int, weights: list[int]) -> None:
    items = session.scalars(select(BasketItem).where(BasketItem.basket_id == basket_id))
    for item in items:
        item.weight = int(weights[item.position])


def _set_holding(session: Session, basket_id: int, user_id: int, wallet: str) -> None:
    """Sets a wallet's balance to what its transfers add up to (absolute, hence idempotent)."""
    balance = 0
    last_block = 0
    rows = session.execute(
        select(
            BasketTransfer.from_address, BasketTransfer.amount, BasketTransfer.block_number
        ).where(
            BasketTransfer.basket_id == basket_id,
            (BasketTransfer.to_address == wallet) | (BasketTransfer.from_address == wallet),
        )
    )
    for sender, amount, block in rows:
        # NOTE: summed here, not in SQL: uint256 is a string column on SQLite.
        balance += -amount if sender == wallet else amount
        last_block = max(last_block, block)
    holding = session.scalar(
        select(BasketHolding).where(
            BasketHolding.basket_id == basket_id, BasketHolding.user_id == user_id
        )
    )
    if holding is None:
        session.add(
            BasketHolding(
                basket_id=basket_id, user_id=user_id, balance=balance, updated_block=last_block
            )
        )
    else:
        holding.balance, holding.updated_block = balance, last_block
    session.flush()


BASKET_HISTORY = (BasketNav, BasketTransfer)


@projection.rollback
def rollback(session: Session, chain_id: int, ancestor: int) -> None:
    """Deletes the basket rows of blocks after `ancestor` (history and baskets created there);
    `recompute` then rebuilds the current state."""
    for history in BASKET_HISTORY:
        session.execute(
            delete(history).where(history.chain_id == chain_id, history.block_number > ancestor)
        )
    doomed = select(DomainBasket.id).where(
        DomainBasket.chain_id == chain_id, DomainBasket.created_block > ancestor
    )
    for owned in (BasketItem, BasketNav, BasketTransfer, BasketHolding):
        session.execute(delete(owned).where(owned.basket_id.in_(doomed)))
    session.execute(
        delete(DomainBasket).where(
            DomainBasket.chain_id == chain_id, DomainBasket.created_block > ancestor
        )
    )


@projection.recompute
def recompute(session: Session, chain_id: int) -> None:
    """Rebuilds every basket's NAV, weights and holdings from the remaining history rows."""
    for basket in session.scalars(select(DomainBasket).where(DomainBasket.chain_id == chain_id)):
        latest = session.scalars(
            select(BasketNav)
            .where(BasketNav.basket_id == basket.id)
            .order_by(BasketNav.block_number.desc(), BasketNav.log_index.desc())
        ).first()
        basket.total_value = latest.total_value if latest else 0
        basket.total_supply = latest.total_supply if latest else 0
        basket.nav_per_share = latest.nav_per_share if latest else 0
        basket.nav_updated_at = latest.timestamp if latest else None
        reweight = session.scalars(
            select(RawEvent)
            .where(
                RawEvent.chain_id == chain_id,
                RawEvent.address == basket.basket_token_address,
                RawEvent.name == "Reweighted",
            )
            .order_by(RawEvent.block_number.desc(), RawEvent.log_index.desc())
        ).first()
        weights = reweight.args["weights_bps"] if reweight else _created_weights(session, basket)
        _set_weights(session, basket.id, [int(w) for w in weights])
        for holding in session.scalars(
            select(BasketHolding).where(BasketHolding.basket_id == basket.id)
        ).all():
            _set_holding(session, basket.id, holding.user_id, holding.user.wallet_address)


def _created_weights(session: Session, basket: DomainBasket) -> list[Any]:
    """The weights a basket was created with, from its `BasketCreated` raw event."""
    for row in session.scalars(
        select(RawEvent).where(
            RawEvent.chain_id == basket.chain_id,
            RawEvent.block_number == basket.created_block,  # the history key's prefix
            RawEvent.tx_hash == basket.created_tx,
            RawEvent.name == "BasketCreated",
        )
    ):
        if row.args["basket"] == basket.basket_token_address:
            return [c["weight_bps"] for c in row.args["components"]]
    raise LookupError(f"no BasketCreated event for basket {basket.basket_token_address}")
