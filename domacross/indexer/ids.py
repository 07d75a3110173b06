"""Row ids by address, cached across ranges: users, competitions and baskets.

Handlers of several projections look the same ids up (a wallet's user, the competition a
tracker event names); one cache per chain serves them all. The follower reloads the
competitions' and baskets' ids at each range and drops everything after a rollback or a
failed range (their rows may be gone).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domacross.db.basket_models import DomainBasket
from domacross.db.models import Competition, User
from domacross.indexer.rows import insert_ignore


class Ids:
    """Id caches of one chain."""

    def __init__(self, chain_id: int) -> None:
        self.chain_id = chain_id
        self._users: dict[str, int] = {}
        self._competitions: dict[str, int] = {}
        self._baskets: dict[str, int] = {}

    def load(self, session: Session) -> None:
        """Reads the chain's competitions' and baskets' ids."""
        competitions = session.execute(
            select(Competition.contract_address, Competition.id).where(
                Competition.chain_id == self.chain_id
            )
        )
        self._competitions = {address: id_ for address, id_ in competitions}
        baskets = session.execute(
            select(DomainBasket.basket_token_address, DomainBasket.id).where(
                DomainBasket.chain_id == self.chain_id
            )
        )
        self._baskets = {address: id_ for address, id_ in baskets}

    def forget(self) -> None:
        """Drops every cached id (after a rollback deleted rows)."""
        self._users.clear()
        self._competitions.clear()
        self._baskets.clear()

    def user(self, session: Session, wallet: str) -> int:
        """The user id of a wallet, inserting the user when new."""
        cached = self._users.get(wallet)
        if cached is not None:
            return cached
        found = session.scalar(select(User.id).where(User.wallet_address == wallet))
        if found is None:
            # Users are shared by every chain: another chain's follower may insert the same
            # wallet at the same moment, hence ON CONFLICT DO NOTHING, then read it back.
            insert_ignore(
                session,
                User.__table__,  # type: ignore[arg-type]
                [{"wallet_address": wallet, "created_at": datetime.now(UTC)}],
            )
            found = session.scalar(select(User.id).where(User.wallet_address == wallet))
        if found is None:  # pragma: no cover - the insert or a concurrent one made it exist
            raise RuntimeError(f"user {wallet} could not be created")
        self._users[wallet] = found
        return found

    def competition(self, session: Session, address: str) -> int | None:
        """The id of the chain's competition at `address`, or None when unknown."""
        cached = self._competitions.get(address)
        if cached is None:
            cached = session.scalar(
                select(Competition.id).where(
                    Competition.chain_id == self.chain_id, Competition.contract_address == address
                )
            )
            if cached is not None:
                self._competitions[address] = cached
        return cached

    def basket(self, session: Session, address: str) -> int | None:
        """The id of the chain's basket at `address`, or None when unknown."""
        cached = self._baskets.get(address)
        if cached is None:
            cached = session.scalar(
                select(DomainBasket.id).where(
                    DomainBasket.chain_id == self.chain_id,
                    DomainBasket.basket_token_address == address,
                )
            )
            if cached is not None:
                self._baskets[address] = cached
        return cached

    def remember_competition(self, address: str, id_: int) -> None:
        self._competitions[address] = id_

    def remember_basket(self, address: str, id_: int) -> None:
        self._baskets[address] = id_
