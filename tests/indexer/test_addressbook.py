"""The address book decides which logs are ours: by the emitter's role, growing on the
factories' `*Created` events."""

from __future__ import annotations

from web3 import Web3

from domacross.indexer.addressbook import AddressBook, Role
from domacross_sdk import events as ev
from domacross_sdk.events_base import LogMeta

FACTORY, ORACLE, TOKEN, BASKET_FACTORY = (
    Web3.to_checksum_address(f"0x{n:040x}") for n in range(1, 5)
)
STRANGER, BASKET, COMPETITION, WALLET = (
    Web3.to_checksum_address(f"0x{n:040x}") for n in range(5, 9)
)


def _meta(address: str) -> LogMeta:
    return LogMeta(address, 1, b"\x01" * 32, b"\x02" * 32, 0)  # type: ignore[arg-type]


def _book() -> AddressBook:
    return AddressBook(
        1,
        [
            (FACTORY, Role.COMPETITION_FACTORY),
            (ORACLE, Role.ORACLE),
            (TOKEN, Role.DOMAIN_TOKEN),
            (BASKET_FACTORY, Role.BASKET_FACTORY),
        ],
    )


def _transfer(address: str) -> ev.FractionTransfer:
    return ev.FractionTransfer(meta=_meta(address), from_=WALLET, to=STRANGER, value=1)


def _created(basket: str) -> ev.BasketCreated:
    return ev.BasketCreated(
        meta=_meta(BASKET_FACTORY), basket=basket, owner=WALLET, index=0, name="B", symbol="B",
        components=(),
    )  # fmt: skip


def test_route__fraction_token_transfer__ours_as_domain_token():
    assert _book().route(_transfer(TOKEN)) == {Role.DOMAIN_TOKEN}


def test_route__unknown_erc20_transfer__not_ours():
    assert _book().route(_transfer(STRANGER)) == frozenset()


def test_route__basket_created__basket_transfers_become_ours():
    book = _book()
    assert book.route(_transfer(BASKET)) == frozenset()
    assert book.route(_created(BASKET)) == {Role.BASKET_FACTORY}
    assert book.route(_transfer(BASKET)) == {Role.BASKET}
    assert BASKET in book.by_address()


def test_route__competition_event_of_a_non_competition__not_ours():
    event = ev.CompetitionCancelled(meta=_meta(ORACLE), by=WALLET)
    assert _book().route(event) == frozenset()


def test_route__pause_of_any_followed_contract__ours():
    assert _book().route(ev.Paused(meta=_meta(ORACLE), account=WALLET)) == {Role.ORACLE}
    assert _book().route(ev.Paused(meta=_meta(STRANGER), account=WALLET)) == frozenset()


def test_copy__learns_alone__merge_brings_it_back():
    book = _book()
    ahead = book.copy()
    ahead.route(_created(BASKET))
    assert book.roles(BASKET) == frozenset()
    book.merge(ahead)
    assert book.roles(BASKET) == {Role.BASKET}


def test_by_address__competitions__fetched_by_topic_only():
    book = _book()
    book.add(COMPETITION, Role.COMPETITION)
    assert COMPETITION not in book.by_address()
    assert book.topics() and all(t.startswith("0x") for t in book.topics()[0])
