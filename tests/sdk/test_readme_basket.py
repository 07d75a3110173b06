"""The basket example of README "Domain baskets (ETFs)" runs as written (on Ape's chain)."""

from __future__ import annotations

import re
from pathlib import Path

from domacross_sdk import Addresses, DomaCross
from tests.sdk.conftest import signer_of
from tests.utils.constants import DAY, ETH

README = Path(__file__).parents[2] / "README.md"


def readme_block() -> str:
    text = README.read_text()
    match = re.search(r"<!-- basket-example:[^>]*-->\n```python\n(.*?)```", text, re.DOTALL)
    assert match, "README lost its basket example"
    return match.group(1)


def test_readme_basket_example__runs(
    chain, project, oracle, reporter, registrar, owner, alice, domain_token, fraction_token
):
    basket_factory = project.DomainBasketFactory.deploy(owner, oracle, sender=owner)
    domain_token.mint(alice, 77, chain.pending_timestamp + 365 * DAY, 1_001, sender=registrar)
    fraction_token.mint(alice, 10 * ETH, sender=owner)
    oracle.setFungiblePrice(fraction_token, ETH, sender=reporter)
    oracle.setPrice(domain_token, 77, 2 * ETH, sender=reporter)
    addresses = Addresses(
        oracle=oracle.address,
        ownership_token=domain_token.address,
        fraction_token=fraction_token.address,
        basket_factory=basket_factory.address,
    )
    dc = DomaCross.from_web3(chain.provider.web3, addresses=addresses, signer=signer_of(owner))
    namespace = {
        "dc": dc,
        "fraction_token": fraction_token.address,
        "ownership_token": domain_token.address,
        "token_id": 77,
        "alice": signer_of(alice),
    }
    exec(compile(readme_block(), "README.md", "exec"), namespace)  # noqa: S102 - our README
    basket = namespace["basket"]
    assert domain_token.ownerOf(77) == alice.address
    assert basket.balance_of(alice.address) == (4 * ETH - 1_000) - (4 * ETH - 1_000) // 2
