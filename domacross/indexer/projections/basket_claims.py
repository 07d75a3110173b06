"""Claims on a basket's NFTs: `NftClaimCredited`, `NftClaimTransferred` and `NftWithdrawn`
of the known baskets, as `basket_nft_claims` history (see `BasketNftClaim`).

A holder who redeems in kind while the basket holds an NFT is credited units (of 1e18) of
it; units move between holders; whoever holds all of them takes the NFT out. A wallet's
claim on NFT `i` is the units credited and transferred to it minus those it transferred
away (`claim_units`).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from domacross.db.basket_models import BasketNftClaim, DomainBasket
from domacross.indexer.addressbook import Role
from domacross.indexer.registry import Key, Projection, Range
from domacross.indexer.rows import Row, bulk_insert_ignore
from domacross_sdk import events as ev
from domacross_sdk.events_base import ContractEvent

projection = Projection("basket_claims")


class Pending(list[Row]):
    """The range's claim rows."""


def _row(r: Range, e: ContractEvent, key: Key, basket_id: int, **values: object) -> Row:
    row: Row = {**key, "basket_id": basket_id, "from_address": None, "to_address": None}
    row |= {"units": None, "token": None, "token_id": None, "timestamp": r.time(e)}
    row.update(values)
    return row


@projection.on(Role.BASKET, ev.NftClaimCredited)
def on_credited(r: Range, e: ev.NftClaimCredited, key: Key) -> None:
    basket_id = r.ids.basket(r.session, e.meta.address)
    if basket_id is not None:
        row = _row(r, e, key, basket_id, kind="credited", component=e.index, to_address=e.account)
        r.state(Pending).append(row | {"units": e.units})


@projection.on(Role.BASKET, ev.NftClaimTransferred)
def on_transferred(r: Range, e: ev.NftClaimTransferred, key: Key) -> None:
    basket_id = r.ids.basket(r.session, e.meta.address)
    if basket_id is not None:
        row = _row(r, e, key, basket_id, kind="transferred", component=e.index, units=e.units)
        r.state(Pending).append(row | {"from_address": e.from_, "to_address": e.to})


@projection.on(Role.BASKET, ev.NftWithdrawn)
def on_withdrawn(r: Range, e: ev.NftWithdrawn, key: Key) -> None:
    basket_id = r.ids.basket(r.session, e.meta.address)
    if basket_id is not None:
        row = _row(r, e, key, basket_id, kind="withdrawn", component=e.index)
        r.state(Pending).append(
            row | {"from_address": e.account, "token": e.token, "token_id": e.token_id}
        )


@projection.after_range
def write(r: Range) -> None:
    table = BasketNftClaim.__table__
    bulk_insert_ignore(r.session, table, r.state(Pending))  # type: ignore[arg-type]


@projection.rollback
def rollback(session: Session, chain_id: int, ancestor: int) -> None:
    """Deletes the claims above `ancestor` (and those of baskets created there)."""
    doomed = select(DomainBasket.id).where(
        DomainBasket.chain_id == chain_id, DomainBasket.created_block > ancestor
    )
    session.execute(
        delete(BasketNftClaim).where(
            or_(
                (BasketNftClaim.chain_id == chain_id) & (BasketNftClaim.block_number > ancestor),
                BasketNftClaim.basket_id.in_(doomed),
            )
        )
    )


def claim_units(rows: Iterable[BasketNftClaim], wallet: str) -> dict[int, int]:
    """A wallet's claim units per NFT component, from a basket's claim rows in chain order."""
    units: dict[int, int] = {}
    for row in rows:
        if row.kind == "withdrawn":
            if row.from_address == wallet:
                units[row.component] = 0  # it held every unit, and spent them on the NFT
            continue
        if row.to_address == wallet:
            units[row.component] = units.get(row.component, 0) + (row.units or 0)
        if row.from_address == wallet:
            units[row.component] = units.get(row.component, 0) - (row.units or 0)
    return {k: v for k, v in units.items() if v}
