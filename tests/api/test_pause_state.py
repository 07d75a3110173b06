"""`GET /api/v1/contracts/pause-state`: the list envelope (`data`, `next_cursor`) of every
other list, keyset pages by chain then address, on SQLite and PostgreSQL."""

from __future__ import annotations

from itertools import count

from domacross.db.models import PauseChange
from tests.api.conftest import NOW, wallet
from tests.api.test_read import _all_pages

PATH = "/api/v1/contracts/pause-state"
_log = count()


def _change(session, chain_id: int, address: str, paused: bool, block: int) -> None:
    n = next(_log)
    session.add(
        PauseChange(
            chain_id=chain_id,
            block_number=block,
            tx_hash="0x" + f"{n:064x}",
            log_index=n,
            address=address,
            paused=paused,
            account=wallet(900),
            timestamp=NOW,
        )
    )
    session.commit()


def test_pause_state__pages__every_contract_once_by_chain_then_address(client, session):
    contracts = [(chain, wallet(910 + i)) for chain in (1, 97476) for i in range(3)]
    for block, (chain, address) in enumerate(contracts, start=10):
        _change(session, chain, address, True, block)
        _change(session, chain, address, False, block + 100)  # the latest change counts
    _change(session, 1, contracts[0][1], True, 500)

    assert set(client.get(PATH).json()) == {"data", "next_cursor"}  # every list's envelope
    whole, pages = _all_pages(client, PATH)
    assert pages == 1
    # Addresses in the database's own order (its collation), chains ascending.
    assert sorted((s["chain_id"], s["address"]) for s in whole) == sorted(contracts)
    assert [s["chain_id"] for s in whole] == sorted(chain for chain, _ in contracts)
    for size in (1, 2, 4):
        paged, pages = _all_pages(client, PATH, limit=size)
        assert paged == whole
        assert pages == -(-len(contracts) // size)
    paused, _ = _all_pages(client, PATH, paused="true", limit=1)
    assert [(s["address"], s["since_block"]) for s in paused] == [(contracts[0][1], 500)]
    assert _all_pages(client, PATH, chain_id=97476, limit=2)[0] == whole[3:]


def test_pause_state__foreign_or_broken_cursor__400(client, session):
    _change(session, 1, wallet(920), True, 1)
    _change(session, 1, wallet(921), True, 2)
    cursor = client.get(PATH, params={"limit": 1}).json()["next_cursor"]
    assert cursor is not None
    leaderboard_cursor = "WyJsZWFkZXJib2FyZCIsIjEiLCJ4Il0"
    for bad in ("not-base64!", leaderboard_cursor, cursor[:-2]):
        response = client.get(PATH, params={"cursor": bad})
        assert response.status_code == 400, (bad, response.text)
        assert response.json()["code"] == "validation_error"
