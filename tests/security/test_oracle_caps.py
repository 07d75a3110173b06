"""The oracle's change cap holds per token per time window, whatever the batch."""

from __future__ import annotations

import ape
from eth_utils import to_checksum_address

from tests.utils.constants import ETH, HOUR, MAX_CHANGE_BPS
from tests.utils.flow import travel

NFT = to_checksum_address("0x" + "c1" * 20)


def test_set_prices__token_repeated_in_batch__refused(oracle, owner, reporter):
    oracle.overridePrice(NFT, 1, ETH, sender=owner)
    # 256 copies of +20 % would take 1 ETH to ~1e20 ETH in one transaction.
    price, prices = ETH, []
    for _ in range(3):
        price = price * (10_000 + MAX_CHANGE_BPS) // 10_000
        prices.append(price)
    with ape.reverts(oracle.OracleDuplicateInBatch, token=NFT, tokenId=1):
        oracle.setPrices([NFT] * 3, [1] * 3, prices, sender=reporter)
    assert oracle.latestPrice(NFT, 1)[0] == ETH


def test_set_fungible_prices__token_repeated_in_batch__refused(oracle, owner, reporter):
    oracle.overrideFungiblePrice(NFT, ETH, sender=owner)
    with ape.reverts(oracle.OracleDuplicateInBatch, token=NFT, tokenId=0):
        oracle.setFungiblePrices([NFT, NFT], [ETH + 1, ETH + 2], sender=reporter)


def test_set_price__steps_within_one_window__capped_from_window_open(
    chain, oracle, owner, reporter
):
    oracle.overridePrice(NFT, 1, ETH, sender=owner)
    step = ETH * (10_000 + MAX_CHANGE_BPS) // 10_000  # +20 %: the whole cap
    oracle.setPrice(NFT, 1, step, sender=reporter)
    second = step * (10_000 + MAX_CHANGE_BPS) // 10_000  # +20 % of the last, +44 % of the open
    with ape.reverts(oracle.OraclePriceChangeTooLarge, previousPrice=ETH, newPrice=second):
        oracle.setPrice(NFT, 1, second, sender=reporter)
    # A new window opens from the current price once the window has passed.
    travel(chain, chain.pending_timestamp + oracle.capWindow())
    oracle.setPrice(NFT, 1, second, sender=reporter)
    assert oracle.latestPrice(NFT, 1)[0] == second
    assert oracle.capWindow() == HOUR
