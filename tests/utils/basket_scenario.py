"""Basket activity through the SDK alone (no Ape), for indexer and API tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domacross_sdk import ComponentKind, DomaCross
from domacross_sdk.contracts.basket import DomainBasket, component
from tests.utils.scenario import Suite, chain_now

ETH = 10**18


def deploy_baskets(suite: Suite) -> DomaCross:
    """Deploys a DomainBasketFactory and a fraction token (minted to every player, priced at
    1 ETH per 1e18) and adds both to the suite's client, which it returns."""
    dc = suite.dc
    admin = suite.admin.address
    basket_factory = dc.deploy("DomainBasketFactory", admin, dc.addresses.oracle)
    fraction = dc.deploy("DomainFractionToken", admin, "f.com fraction", "FCOM")
    dc.addresses = replace(dc.addresses, basket_factory=basket_factory, fraction_token=fraction)
    token = dc.fraction_token()
    token.grant_role(token.minter_role(), admin)
    for player in suite.players:
        token.mint(player.address, 100 * ETH)
    dc.oracle.set_fungible_price(fraction, ETH)
    return dc


def run_basket(suite: Suite, bdc: DomaCross, *, token_id: int = 900) -> DomainBasket:
    """A basket with every event kind: create, deposits, a share transfer, a whole NFT in,
    a reweight, and redemptions (ERC-20 and the NFT)."""
    alice, bob, carol = suite.players
    nft = bdc.ownership_token()
    nft.mint(alice.address, token_id, chain_now(bdc) + timedelta(days=365), 1001)
    bdc.oracle.set_price(suite.token, token_id, 2 * ETH)
    created = bdc.basket_factory.create_basket(
        f"Basket {token_id}",
        f"B{token_id}",
        [
            component(ComponentKind.ERC20, bdc.addresses.fraction_token or "", 7_000),
            component(ComponentKind.ERC721, suite.token, 3_000, token_id),
        ],
    )
    basket = bdc.basket(created.basket)
    basket.deposit(5 * ETH, approve=True, sender=alice)
    basket.deposit(3 * ETH, approve=True, sender=bob)
    basket.transfer(carol.address, ETH, sender=bob)
    nft.approve(basket.address, token_id, sender=alice)
    basket.deposit_nft(1, sender=alice)
    basket.reweight([6_000, 4_000])
    basket.redeem(ETH // 2, sender=carol)
    basket.redeem_nft(1, sender=alice)
    return basket
