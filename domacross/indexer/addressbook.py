"""Which logs are ours: the contracts of one chain, each with its role.

The address book is the one place that decides whether a log belongs to the index. The
configured contracts (factory, tracker, oracle, domain tokens, marketplace, basket
factory) are in it from the start; the contracts that factories create join it when their
`*Created` event is routed (`CHILDREN`), in log order, and the follower reloads the known
ones from the database at each range (so a rollback forgets those it deleted).

It also says what to ask the node for: every contract by address, except the roles in
`BY_TOPIC` (too many contracts to list: competitions), which are asked for by their events'
topics from any address and kept only from known contracts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from web3 import Web3

from domacross.db.basket_models import DomainBasket
from domacross.db.models import Competition
from domacross_sdk import events as ev
from domacross_sdk.events_base import ContractEvent, decode_log

if TYPE_CHECKING:
    from sqlalchemy.orm import InstrumentedAttribute, Session


class Role(StrEnum):
    """What a contract is to the index."""

    COMPETITION_FACTORY = "competition_factory"
    COMPETITION = "competition"
    TRACKER = "tracker"
    ORACLE = "oracle"
    DOMAIN_TOKEN = "domain_token"  # noqa: S105 - a role name, not a secret
    MARKETPLACE = "marketplace"
    BASKET_FACTORY = "basket_factory"
    BASKET = "basket"


ANY_ROLE = frozenset(Role)
"""Handlers registered for every role (`Paused`: any followed contract may emit it)."""


@dataclass(frozen=True)
class Child:
    """Contracts that a factory creates: the event that announces one, and where the
    database keeps the known ones (`stored`, with the `chain` column beside it)."""

    creator: Role
    event: type[ContractEvent]
    field: str
    role: Role
    stored: InstrumentedAttribute[str]
    chain: InstrumentedAttribute[int]


CHILDREN: tuple[Child, ...] = (
    Child(
        Role.COMPETITION_FACTORY,
        ev.CompetitionCreated,
        "competition",
        Role.COMPETITION,
        Competition.contract_address,
        Competition.chain_id,
    ),
    Child(
        Role.BASKET_FACTORY,
        ev.BasketCreated,
        "basket",
        Role.BASKET,
        DomainBasket.basket_token_address,
        DomainBasket.chain_id,
    ),
)

COMPETITION_EVENTS: tuple[type[ContractEvent], ...] = (
    ev.ParticipantJoined,
    ev.ResultsPosted,
    ev.ResultsRejected,
    ev.CompetitionFinalized,
    ev.PrizeClaimed,
    ev.RefundClaimed,
    ev.UnclaimedSwept,
    ev.CompetitionCancelled,
    ev.Paused,
    ev.Unpaused,
)
BY_TOPIC: Mapping[Role, tuple[type[ContractEvent], ...]] = {Role.COMPETITION: COMPETITION_EVENTS}
"""Roles fetched by topic from any address, and the only events kept of them."""

_BASKET_ONLY = (
    ev.NavUpdated,
    ev.Reweighted,
    ev.Deposited,
    ev.Redeemed,
    ev.NftDeposited,
    ev.NftRedeemed,
    ev.NftClaimCredited,
    ev.NftClaimTransferred,
    ev.NftWithdrawn,
)
EXCLUSIVE: Mapping[type[ContractEvent], frozenset[Role]] = {
    **{
        e: frozenset({Role.COMPETITION})
        for e in COMPETITION_EVENTS
        if e not in (ev.Paused, ev.Unpaused)
    },
    **{e: frozenset({Role.BASKET}) for e in _BASKET_ONLY},
    # NOTE: a fraction token's `Transfer` decodes like a basket share's (the ERC-20
    # signature): both are ours; an unknown ERC-20's is not.
    ev.FractionTransfer: frozenset({Role.BASKET, Role.DOMAIN_TOKEN}),
}
"""Events that count only from contracts of these roles (another contract could emit the
same signature)."""


_Route = tuple[frozenset[Role], tuple[Child, ...]]


def _accepts(role: Role, event: type[ContractEvent]) -> bool:
    only = BY_TOPIC.get(role)
    if only is not None:
        return event in only
    roles = EXCLUSIVE.get(event)
    return roles is None or role in roles


class AddressBook:
    """Contract address -> roles, for one chain.

    Args:
        chain_id: The chain.
        fixed: The configured contracts and their roles.
    """

    def __init__(self, chain_id: int, fixed: Iterable[tuple[str, Role]]) -> None:
        self.chain_id = chain_id
        self._fixed: dict[str, set[Role]] = {}
        for address, role in fixed:
            self._fixed.setdefault(Web3.to_checksum_address(address), set()).add(role)
        self._roles: dict[str, frozenset[Role]] = {}
        self._accepted: dict[tuple[str, type[ContractEvent]], _Route] = {}
        """(address, event class) -> the roles it is accepted under, and what it creates."""
        self._creators = {(c.creator, c.event): c for c in CHILDREN}
        self._clear()

    def _clear(self) -> None:
        self._roles = {a: frozenset(r) for a, r in self._fixed.items()}
        self._accepted = {}

    # -- contents ----------------------------------------------------------------------------

    def load(self, session: Session) -> None:
        """Forgets the created contracts, then adds those the database holds."""
        self._clear()
        for child in CHILDREN:
            for address in session.scalars(
                select(child.stored).where(child.chain == self.chain_id)
            ):
                self.add(address, child.role)

    def add(self, address: str, role: Role) -> None:
        """Adds a contract (checksummed address) in a role."""
        self._roles[address] = self._roles.get(address, frozenset()) | {role}
        self._accepted.clear()

    def copy(self) -> AddressBook:
        """An independent copy (a range read ahead grows its own)."""
        other = AddressBook.__new__(AddressBook)
        other.chain_id, other._fixed, other._creators = self.chain_id, self._fixed, self._creators
        other._roles, other._accepted = dict(self._roles), {}
        return other

    def merge(self, other: AddressBook) -> None:
        """Adds the contracts `other` learned."""
        for address, roles in other._roles.items():
            for role in roles - self._roles.get(address, frozenset()):
                self.add(address, role)

    def roles(self, address: str) -> frozenset[Role]:
        """The roles of a contract (empty: not ours)."""
        return self._roles.get(address, frozenset())

    def addresses(self, role: Role) -> list[str]:
        """The contracts of a role."""
        return sorted(a for a, roles in self._roles.items() if role in roles)

    # -- what to fetch -------------------------------------------------------------------------

    def by_address(self) -> list[str]:
        """The contracts to fetch by address: every one in a role not fetched by topic."""
        return sorted(
            a for a, roles in self._roles.items() if any(r not in BY_TOPIC for r in roles)
        )

    def topics(self) -> list[list[str]]:
        """eth_getLogs topic filters (any address) of the roles fetched by topic."""
        return [["0x" + e.TOPIC0.hex() for e in events] for events in BY_TOPIC.values()]

    def discover(self, logs: Sequence[Mapping[str, Any]]) -> list[str]:
        """Adds the contracts fetched by address that these raw logs create, and returns
        them: their own logs of the same range are then fetched (and kept) too, including
        those of their constructors, which come before the `*Created` event."""
        wanted = {"0x" + c.event.TOPIC0.hex(): c for c in CHILDREN if c.role not in BY_TOPIC}
        found: list[str] = []
        for entry in logs:
            topics = entry["topics"]
            # NOTE: raw fields first: decoding every log twice halved the backfill rate.
            child = wanted.get(topics[0]) if topics else None
            if child is None:
                continue
            if child.creator in self.roles(Web3.to_checksum_address(entry["address"])):
                event = decode_log(entry)
                if isinstance(event, child.event):
                    address = getattr(event, child.field)
                    self.add(address, child.role)
                    found.append(address)
        return found

    # -- routing -------------------------------------------------------------------------------

    def route(self, event: ContractEvent) -> frozenset[Role]:
        """The roles under which `event` is ours (empty: not ours); a `*Created` event of a
        factory adds the contract it created."""
        key = (event.meta.address, type(event))
        found = self._accepted.get(key)
        if found is None:
            address, kind = key
            roles = frozenset(r for r in self.roles(address) if _accepts(r, kind))
            children = tuple(self._creators[r, kind] for r in roles if (r, kind) in self._creators)
            found = self._accepted[key] = (roles, children)
        roles, children = found
        for child in children:  # NOTE: `add` clears the cache; `found` is already in hand
            self.add(getattr(event, child.field), child.role)
        return roles
