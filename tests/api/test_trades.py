"""Trades per competition, a wallet's activity and P&L in the leaderboard, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from domacross.db.models import Claim, Trade
from tests.api.conftest import NOW, wallet
from tests.api.test_read import _all_pages

_n = count(1)


def _trade(session, participant, wallet_, at, **overrides):
    n = next(_n)
    values = {
        "participant_id": participant.id,
        "competition_id": participant.competition_id,
        "wallet": wallet_,
        "chain_id": participant.chain_id,
        "block_number": 1_000 + n,
        "tx_hash": "0x" + f"{n:064x}",
        "log_index": 0,
        "token": wallet(77),
        "token_id": 2**256 - 1,
        "fungible": False,
        "amount": 1,
        "kind": "buy",
        "counterparty": wallet(78),
        "price": 5 * 10**18,
        "price_source": "sale",
        "listing_id": n,
        "timestamp": at,
    }
    values.update(overrides)
    row = Trade(**values)
    session.add(row)
    session.commit()
    return row


def _claim(session, competition, account, at, amount):
    n = next(_n)
    row = Claim(
        competition_id=competition.id,
        kind="prize",
        account=account,
        amount=amount,
        timestamp=at,
        chain_id=competition.chain_id,
        block_number=2_000 + n,
        tx_hash="0x" + f"{n:064x}",
        log_index=1,
    )
    session.add(row)
    session.commit()
    return row


def test_competition_trades__pages__newest_first_every_trade_once(client, seed, session):
    competition = seed.competition()
    other = seed.competition()
    alice, bob = wallet(1), wallet(2)
    pa, pb = seed.entrant(competition, alice, 1), seed.entrant(competition, bob, 2)
    po = seed.entrant(other, alice, 3)
    made = [
        _trade(session, pa, alice, NOW - timedelta(minutes=m % 3), kind=k)
        for m, k in enumerate(["buy", "sell", "transfer_in", "transfer_out", "mint"])
    ]
    made.append(_trade(session, pb, bob, NOW, kind="burn", price=None, price_source="unknown"))
    _trade(session, po, alice, NOW)  # another competition's
    path = f"/api/v1/competitions/{competition.id}/trades"
    items, pages = _all_pages(client, path, limit=2)
    assert pages == 3
    expected = sorted(made, key=lambda t: (t.timestamp, t.id), reverse=True)
    assert [i["id"] for i in items] == [t.id for t in expected]
    burn = next(i for i in items if i["kind"] == "burn")
    assert (burn["price"], burn["price_source"], burn["wallet"]) == (None, "unknown", bob)
    first = next(i for i in items if i["kind"] == "buy")
    assert (first["token_id"], first["price"], first["amount"]) == (
        str(2**256 - 1),
        str(5 * 10**18),
        "1",
    )
    only_bob = client.get(path, params={"wallet": bob.lower()}).json()["data"]
    assert [i["wallet"] for i in only_bob] == [bob]


def test_competition_trades__unknown_competition_or_bad_cursor__envelope(client, seed):
    assert client.get("/api/v1/competitions/999999/trades").json()["code"] == "not_found"
    competition = seed.competition()
    bad = client.get(f"/api/v1/competitions/{competition.id}/trades", params={"cursor": "x"})
    assert (bad.status_code, bad.json()["code"]) == (400, "validation_error")


def test_activity__trades_joins_claims__merged_newest_first_across_pages(client, seed, session):
    alice = wallet(11)
    c1, c2 = seed.competition(), seed.competition()
    p1 = seed.entrant(c1, alice, 10)  # joined 30 minutes ago
    p2 = seed.entrant(c2, alice, 20)
    tie = NOW - timedelta(minutes=30)  # a trade and a payout at the joins' time
    trades = [
        _trade(session, p1, alice, NOW - timedelta(minutes=5)),
        _trade(session, p2, alice, NOW - timedelta(minutes=10), kind="sell"),
        _trade(session, p1, alice, tie, kind="transfer_in", price=None, price_source="unknown"),
    ]
    claims = [_claim(session, c1, alice, tie, 7), _claim(session, c2, alice, NOW, 9)]
    _claim(session, c1, wallet(12), NOW, 1)  # someone else's
    rank = {"trade": 2, "join": 1, "claim": 0}
    expected = sorted(
        [(t.timestamp, rank["trade"], t.id) for t in trades]
        + [(p.joined_at, rank["join"], p.id) for p in (p1, p2)]
        + [(c.timestamp, rank["claim"], c.id) for c in claims],
        reverse=True,
    )
    for limit in (1, 2, 3, 100):
        items, _ = _all_pages(client, f"/api/v1/users/{alice.lower()}/activity", limit=limit)
        got = [
            (i["type"], (i["trade"] or {}).get("id") if i["type"] == "trade" else i["amount"])
            for i in items
        ]
        want = []
        for _, r, id_ in expected:
            if r == 2:
                want.append(("trade", id_))
            elif r == 1:
                p = p1 if id_ == p1.id else p2
                want.append(("join", str(p.fee)))
            else:
                c = next(c for c in claims if c.id == id_)
                want.append(("claim", str(c.amount)))
        assert got == want, limit
    assert items[0]["type"] == "claim" and items[0]["claim_kind"] == "prize"


def test_activity__unknown_wallet_or_foreign_cursor__envelope(client, seed):
    assert client.get(f"/api/v1/users/{wallet(99)}/activity").json()["code"] == "not_found"
    seed.user(wallet(98))
    competition = seed.competition()
    for _ in range(2):
        seed.entrant(seed.competition(), wallet(98), 1)
    cursor = client.get(f"/api/v1/users/{wallet(98)}/activity", params={"limit": 1}).json()[
        "next_cursor"
    ]
    assert cursor is not None
    foreign = client.get(f"/api/v1/competitions/{competition.id}/trades", params={"cursor": cursor})
    assert foreign.status_code == 400


def test_leaderboard__entries__carry_signed_pnl(client, seed, session):
    competition = seed.competition()
    loser, winner = (
        seed.entrant(competition, wallet(21), 5),
        seed.entrant(competition, wallet(22), 9),
    )
    loser.realised_pnl, loser.unrealised_pnl = -(2**255), -3 * 10**17
    winner.realised_pnl, winner.unrealised_pnl = 2**255 - 1, 0
    session.commit()
    data = client.get(f"/api/v1/competitions/{competition.id}/leaderboard").json()["data"]
    assert [(e["wallet"], e["realised_pnl"], e["unrealised_pnl"]) for e in data] == [
        (wallet(22), str(2**255 - 1), "0"),
        (wallet(21), str(-(2**255)), str(-3 * 10**17)),
    ]
