"""ValuationOracle: every function and every custom error."""

from __future__ import annotations

import ape
import pytest
from eth_utils import to_checksum_address

from tests.utils.constants import ETH, MAX_AGE, MAX_CHANGE_BPS, ZERO_ADDRESS

COLLECTION = to_checksum_address("0x" + "d0" * 20)
FRACTION = to_checksum_address("0x" + "f1" * 20)


def test_constructor__sets_admin_and_bounds(oracle, owner):
    assert oracle.hasRole(oracle.DEFAULT_ADMIN_ROLE(), owner)
    assert oracle.maxAge() == MAX_AGE
    assert oracle.maxChangeBps() == MAX_CHANGE_BPS


def test_constructor__zero_max_age__reverts(project, owner):
    with ape.reverts(project.ValuationOracle.OracleInvalidMaxAge, maxAge=0):
        project.ValuationOracle.deploy(owner, 0, MAX_CHANGE_BPS, sender=owner)


def test_set_price__first_price__stored_with_time_and_event(oracle, reporter, chain):
    tx = oracle.setPrice(COLLECTION, 7, 5 * ETH, sender=reporter)
    price, updated_at = oracle.latestPrice(COLLECTION, 7)
    assert price == 5 * ETH
    assert updated_at == chain.blocks.head.timestamp
    assert oracle.priceOf(COLLECTION, 7) == 5 * ETH
    [log] = tx.decode_logs(oracle.PriceUpdated)
    assert (log.token, log.tokenId, log.fungible) == (COLLECTION, 7, False)
    assert (log.previousPrice, log.price, log.reporter, log.overridden) == (
        0,
        5 * ETH,
        reporter,
        False,
    )


def test_set_price__within_cap__accepted(oracle, reporter):
    oracle.setPrice(COLLECTION, 1, 100 * ETH, sender=reporter)
    oracle.setPrice(COLLECTION, 1, 120 * ETH, sender=reporter)  # exactly +20 %
    oracle.setPrice(COLLECTION, 1, 96 * ETH, sender=reporter)  # exactly -20 %
    assert oracle.priceOf(COLLECTION, 1) == 96 * ETH


def test_set_price__beyond_cap__reverts(oracle, reporter):
    oracle.setPrice(COLLECTION, 1, 100 * ETH, sender=reporter)
    with ape.reverts(
        oracle.OraclePriceChangeTooLarge,
        token=COLLECTION,
        tokenId=1,
        previousPrice=100 * ETH,
        newPrice=120 * ETH + 1,
        maxChangeBps=MAX_CHANGE_BPS,
    ):
        oracle.setPrice(COLLECTION, 1, 120 * ETH + 1, sender=reporter)


def test_set_price__zero__reverts(oracle, reporter):
    with ape.reverts(oracle.OracleZeroPrice, token=COLLECTION, tokenId=3):
        oracle.setPrice(COLLECTION, 3, 0, sender=reporter)


def test_set_price__zero_token__reverts(oracle, reporter):
    with ape.reverts(oracle.OracleZeroToken):
        oracle.setPrice(ZERO_ADDRESS, 3, ETH, sender=reporter)


def test_set_price__above_uint192__reverts(oracle, reporter):
    with ape.reverts(oracle.SafeCastOverflowedUintDowncast, bits=192, value=2**192):
        oracle.setPrice(COLLECTION, 3, 2**192, sender=reporter)


def test_set_price__not_reporter__reverts(oracle, stranger):
    with ape.reverts(
        oracle.AccessControlUnauthorizedAccount, account=stranger, neededRole=oracle.REPORTER_ROLE()
    ):
        oracle.setPrice(COLLECTION, 1, ETH, sender=stranger)


def test_set_price__paused__reverts(oracle, owner, reporter):
    oracle.pause(sender=owner)
    with ape.reverts(oracle.EnforcedPause):
        oracle.setPrice(COLLECTION, 1, ETH, sender=reporter)


def test_set_prices__batch__sets_each(oracle, reporter):
    tx = oracle.setPrices([COLLECTION] * 3, [1, 2, 3], [ETH, 2 * ETH, 3 * ETH], sender=reporter)
    assert [oracle.priceOf(COLLECTION, i) for i in (1, 2, 3)] == [ETH, 2 * ETH, 3 * ETH]
    assert len(tx.decode_logs(oracle.PriceUpdated)) == 3


def test_set_prices__length_mismatch__reverts(oracle, reporter):
    with ape.reverts(oracle.OracleLengthMismatch, tokens=2, values=1):
        oracle.setPrices([COLLECTION] * 2, [1], [ETH, ETH], sender=reporter)
    with ape.reverts(oracle.OracleLengthMismatch, tokens=2, values=1):
        oracle.setPrices([COLLECTION] * 2, [1, 2], [ETH], sender=reporter)


def test_set_prices__too_large__reverts(oracle, reporter):
    n = oracle.MAX_BATCH() + 1
    with ape.reverts(oracle.OracleBatchTooLarge, length=n, max=n - 1):
        oracle.setPrices([COLLECTION] * n, list(range(n)), [ETH] * n, sender=reporter)


def test_set_prices__one_beyond_cap__whole_batch_reverts(oracle, reporter):
    oracle.setPrice(COLLECTION, 2, ETH, sender=reporter)
    with ape.reverts(oracle.OraclePriceChangeTooLarge):
        oracle.setPrices([COLLECTION] * 2, [1, 2], [ETH, 2 * ETH], sender=reporter)
    assert oracle.latestPrice(COLLECTION, 1) == (0, 0)


def test_set_fungible_price__stored_and_event(oracle, reporter):
    tx = oracle.setFungiblePrice(FRACTION, 3 * ETH, sender=reporter)
    assert oracle.fungiblePriceOf(FRACTION) == 3 * ETH
    [log] = tx.decode_logs(oracle.PriceUpdated)
    assert (log.token, log.tokenId, log.fungible, log.price) == (FRACTION, 0, True, 3 * ETH)


def test_set_fungible_price__beyond_cap__reverts(oracle, reporter):
    oracle.setFungiblePrice(FRACTION, 10 * ETH, sender=reporter)
    with ape.reverts(oracle.OraclePriceChangeTooLarge, token=FRACTION, tokenId=0):
        oracle.setFungiblePrice(FRACTION, 7 * ETH, sender=reporter)


def test_set_fungible_price__is_separate_from_nft_price(oracle, reporter):
    oracle.setFungiblePrice(COLLECTION, 3 * ETH, sender=reporter)
    assert oracle.latestPrice(COLLECTION, 0) == (0, 0)


def test_set_fungible_prices__batch__sets_each(oracle, reporter):
    oracle.setFungiblePrices([FRACTION, COLLECTION], [ETH, 2 * ETH], sender=reporter)
    assert oracle.fungiblePriceOf(FRACTION) == ETH
    assert oracle.fungiblePriceOf(COLLECTION) == 2 * ETH


def test_set_fungible_prices__length_mismatch__reverts(oracle, reporter):
    with ape.reverts(oracle.OracleLengthMismatch, tokens=1, values=2):
        oracle.setFungiblePrices([FRACTION], [ETH, ETH], sender=reporter)


def test_override_price__bypasses_cap_and_is_marked(oracle, owner, reporter):
    oracle.setPrice(COLLECTION, 1, ETH, sender=reporter)
    tx = oracle.overridePrice(COLLECTION, 1, 50 * ETH, sender=owner)
    assert oracle.priceOf(COLLECTION, 1) == 50 * ETH
    [log] = tx.decode_logs(oracle.PriceUpdated)
    assert bool(log.overridden)
    assert log.reporter == owner


def test_override_price__reporter__reverts(oracle, reporter):
    with ape.reverts(oracle.AccessControlUnauthorizedAccount, account=reporter):
        oracle.overridePrice(COLLECTION, 1, ETH, sender=reporter)


def test_override_price__zero__reverts(oracle, owner):
    with ape.reverts(oracle.OracleZeroPrice):
        oracle.overridePrice(COLLECTION, 1, 0, sender=owner)


def test_override_fungible_price__bypasses_cap(oracle, owner, reporter):
    oracle.setFungiblePrice(FRACTION, ETH, sender=reporter)
    oracle.overrideFungiblePrice(FRACTION, ETH // 100, sender=owner)
    assert oracle.fungiblePriceOf(FRACTION) == ETH // 100


def test_price_of__unset__reverts(oracle):
    with ape.reverts(oracle.OraclePriceNotSet, token=COLLECTION, tokenId=99):
        oracle.priceOf(COLLECTION, 99)


def test_fungible_price_of__unset__reverts(oracle):
    with ape.reverts(oracle.OraclePriceNotSet, token=FRACTION, tokenId=0):
        oracle.fungiblePriceOf(FRACTION)


def test_price_of__at_max_age__fresh_then_stale(oracle, reporter, chain):
    tx = oracle.setPrice(COLLECTION, 1, ETH, sender=reporter)
    updated_at = chain.provider.get_block(tx.block_number).timestamp
    chain.pending_timestamp = updated_at + MAX_AGE
    chain.mine()
    assert oracle.priceOf(COLLECTION, 1) == ETH
    chain.pending_timestamp = updated_at + MAX_AGE + 1
    chain.mine()
    now = chain.blocks.head.timestamp
    with ape.reverts(
        oracle.OraclePriceStale,
        token=COLLECTION,
        tokenId=1,
        updatedAt=updated_at,
        maxAge=MAX_AGE,
        nowTs=now,
    ):
        oracle.priceOf(COLLECTION, 1)
    assert oracle.latestPrice(COLLECTION, 1) == (ETH, updated_at)


def test_fungible_price_of__stale__reverts(oracle, reporter, chain):
    oracle.setFungiblePrice(FRACTION, ETH, sender=reporter)
    chain.pending_timestamp = chain.blocks.head.timestamp + MAX_AGE + 1
    chain.mine()
    with ape.reverts(oracle.OraclePriceStale):
        oracle.fungiblePriceOf(FRACTION)
    assert oracle.latestFungiblePrice(FRACTION)[0] == ETH


def test_set_max_age__admin__updates_and_emits(oracle, owner):
    tx = oracle.setMaxAge(3_600, sender=owner)
    assert oracle.maxAge() == 3_600
    [log] = tx.decode_logs(oracle.MaxAgeUpdated)
    assert (log.previousMaxAge, log.maxAge) == (MAX_AGE, 3_600)


def test_set_max_age__zero__reverts(oracle, owner):
    with ape.reverts(oracle.OracleInvalidMaxAge, maxAge=0):
        oracle.setMaxAge(0, sender=owner)


def test_set_max_age__not_admin__reverts(oracle, reporter):
    with ape.reverts(oracle.AccessControlUnauthorizedAccount):
        oracle.setMaxAge(1, sender=reporter)


def test_set_max_change_bps__admin__updates_and_emits(oracle, owner):
    tx = oracle.setMaxChangeBps(500, sender=owner)
    assert oracle.maxChangeBps() == 500
    [log] = tx.decode_logs(oracle.MaxChangeBpsUpdated)
    assert (log.previousMaxChangeBps, log.maxChangeBps) == (MAX_CHANGE_BPS, 500)


@pytest.mark.parametrize("bad", [0, 1_000_001])
def test_set_max_change_bps__out_of_range__reverts(oracle, owner, bad):
    with ape.reverts(oracle.OracleInvalidMaxChangeBps, maxChangeBps=bad):
        oracle.setMaxChangeBps(bad, sender=owner)


def test_set_max_change_bps__not_admin__reverts(oracle, reporter):
    with ape.reverts(oracle.AccessControlUnauthorizedAccount):
        oracle.setMaxChangeBps(1, sender=reporter)


def test_pause__blocks_updates_not_reads(oracle, owner, reporter):
    oracle.setPrice(COLLECTION, 1, ETH, sender=reporter)
    oracle.pause(sender=owner)
    assert oracle.paused()
    assert oracle.priceOf(COLLECTION, 1) == ETH
    for call in (
        lambda: oracle.setPrices([COLLECTION], [1], [ETH], sender=reporter),
        lambda: oracle.setFungiblePrice(FRACTION, ETH, sender=reporter),
        lambda: oracle.setFungiblePrices([FRACTION], [ETH], sender=reporter),
        lambda: oracle.overridePrice(COLLECTION, 1, ETH, sender=owner),
        lambda: oracle.overrideFungiblePrice(FRACTION, ETH, sender=owner),
    ):
        with ape.reverts(oracle.EnforcedPause):
            call()
    oracle.unpause(sender=owner)
    oracle.setPrice(COLLECTION, 1, ETH, sender=reporter)


def test_pause__not_admin__reverts(oracle, reporter):
    with ape.reverts(oracle.AccessControlUnauthorizedAccount):
        oracle.pause(sender=reporter)


def test_unpause__not_paused__reverts(oracle, owner):
    with ape.reverts(oracle.ExpectedPause):
        oracle.unpause(sender=owner)
