"""Baskets through the API, on SQLite and PostgreSQL: list (paginated), detail, a wallet's."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from domacross.db.basket_models import BasketHolding, BasketItem, BasketNav, DomainBasket
from tests.api.conftest import NOW, wallet

ETH = 10**18
_n = count(1)


def seed_basket(seed, *, owner: int = 1, chain_id: int = 97476, navs=(ETH,)) -> DomainBasket:
    """A basket as the indexer writes it: two items and one NAV row per entry of `navs`."""
    n = next(_n)
    basket = DomainBasket(
        chain_id=chain_id,
        basket_token_address=wallet(20_000 + n),
        factory_address=wallet(6),
        owner_user_id=seed.user(wallet(owner)).id,
        name=f"Basket {n}",
        symbol=f"B{n}",
        registry_index=n,
        created_block=n,
        created_tx="0x" + f"{n:064x}",
        created_at=NOW - timedelta(hours=1),
        total_value=10 * navs[-1],
        total_supply=10 * ETH,
        nav_per_share=navs[-1],
        nav_updated_at=NOW,
        items=[
            BasketItem(
                position=0,
                kind="erc20",
                domain_token_address=wallet(7),
                domain_token_id=0,
                weight=7_000,
            ),
            BasketItem(
                position=1,
                kind="erc721",
                domain_token_address=wallet(8),
                domain_token_id=2**255,
                weight=3_000,
            ),
        ],
    )
    seed.session.add(basket)
    seed.session.flush()
    for i, nav in enumerate(navs):
        seed.session.add(
            BasketNav(
                basket_id=basket.id,
                chain_id=chain_id,
                block_number=100 * n + i,
                tx_hash="0x" + f"{100 * n + i:064x}",
                log_index=0,
                total_value=10 * nav,
                total_supply=10 * ETH,
                nav_per_share=nav,
                timestamp=NOW - timedelta(minutes=len(navs) - i),
            )
        )
    seed.session.commit()
    return basket


def hold(seed, basket: DomainBasket, who: int, balance: int) -> None:
    seed.session.add(
        BasketHolding(
            basket_id=basket.id, user_id=seed.user(wallet(who)).id, balance=balance, updated_block=1
        )
    )
    seed.session.commit()


def test_baskets__list__newest_first_paginated_and_filtered(client, seed):
    made = [seed_basket(seed, owner=1 + i % 2, chain_id=1 + i % 3) for i in range(5)]
    ids, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/baskets", params=params).json()
        ids += [b["id"] for b in body["data"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert ids == [b.id for b in reversed(made)] and pages == 3
    by_owner = client.get("/api/v1/baskets", params={"owner": wallet(2).lower()}).json()
    assert [b["id"] for b in by_owner["data"]] == [made[3].id, made[1].id]
    by_chain = client.get("/api/v1/baskets", params={"chain_id": 1}).json()
    assert [b["id"] for b in by_chain["data"]] == [made[3].id, made[0].id]
    first = by_chain["data"][-1]
    assert first["owner"] == wallet(1) and first["nav_per_share"] == str(ETH)
    assert [(i["kind"], i["weight"]) for i in first["items"]] == [
        ("erc20", 7_000),
        ("erc721", 3_000),
    ]
    assert first["items"][1]["domain_token_id"] == str(2**255)


def test_baskets__bad_cursor__400_envelope(client):
    response = client.get("/api/v1/baskets", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "validation_error",
        "message": "invalid cursor",
        "details": None,
    }


def test_basket__detail__nav_history_oldest_first_and_bounded(client, seed):
    basket = seed_basket(seed, navs=(ETH, ETH + 5, ETH + 9))
    body = client.get(f"/api/v1/baskets/{basket.id}").json()
    assert [p["nav_per_share"] for p in body["nav_history"]] == [
        str(ETH),
        str(ETH + 5),
        str(ETH + 9),
    ]
    assert body["total_value"] == str(10 * (ETH + 9)) and body["symbol"] == basket.symbol
    latest = client.get(f"/api/v1/baskets/{basket.id}", params={"nav_points": 2}).json()
    assert [p["nav_per_share"] for p in latest["nav_history"]] == [str(ETH + 5), str(ETH + 9)]


def test_basket__unknown__404_envelope(client):
    response = client.get("/api/v1/baskets/987654")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "basket not found",
        "details": {"id": 987654},
    }


def test_wallet_baskets__held_ones_valued_at_nav(client, seed):
    one, two, untouched = seed_basket(seed, navs=(2 * ETH,)), seed_basket(seed), seed_basket(seed)
    hold(seed, one, 30, 3 * ETH)
    hold(seed, two, 30, ETH // 2)
    hold(seed, untouched, 30, 0)  # sold out: not listed
    body = client.get(f"/api/v1/users/{wallet(30).lower()}/baskets").json()
    assert body["wallet"] == wallet(30)
    assert [(d["basket"]["id"], d["balance"], d["value"]) for d in body["data"]] == [
        (one.id, str(3 * ETH), str(6 * ETH)),
        (two.id, str(ETH // 2), str(ETH // 2)),
    ]
    assert body["total_value"] == str(6 * ETH + ETH // 2)
    assert client.get(f"/api/v1/users/{wallet(31)}/baskets").json()["code"] == "not_found"
