"""Gas per contract method, checked against the committed snapshot `gas-snapshot.json`.

A canonical scenario runs on a fresh suite deployed by an account no other test uses, at a
fixed chain time, so every figure is deterministic. A change in gas fails this test until the
snapshot is regenerated on purpose: `make gas-snapshot` (UPDATE_GAS_SNAPSHOT=1), and the diff
then shows in review like any other change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from domacross_sdk.prizes import compute_results, distributable
from tests.utils.constants import DAY, DISPUTE_WINDOW, ETH, FEE, LIMITS, MIN_CLAIM_PERIOD

SNAPSHOT = Path(__file__).with_name("gas-snapshot.json")
T0 = 2_000_000_000  # fixed chain time (2033), so calldata and timestamps never vary
TARGETS = {"CompetitionFactory.createCompetition": 200_000, "Competition.join (first)": 80_000}
ERC721, ERC20, BASKET = 0, 1, 2


@pytest.fixture(scope="module")
def measured(project, accounts, chain):
    deployer, alice, bob, carol = accounts[11], accounts[3], accounts[4], accounts[5]
    gas: dict[str, int] = {}

    def record(label, tx):
        gas[label] = tx.gas_used
        return tx

    chain.pending_timestamp = T0
    oracle = project.ValuationOracle.deploy(deployer, DAY, 2_000, sender=deployer)
    gas["ValuationOracle (deployment)"] = chain.get_receipt(oracle.txn_hash).gas_used
    oracle.grantRole(oracle.REPORTER_ROLE(), deployer, sender=deployer)
    token = project.DomaOwnershipToken.deploy(deployer, sender=deployer)
    token.grantRole(token.REGISTRAR_ROLE(), deployer, sender=deployer)
    fraction = project.DomainFractionToken.deploy(deployer, "F", "F", sender=deployer)
    fraction.grantRole(fraction.MINTER_ROLE(), deployer, sender=deployer)
    factory = project.CompetitionFactory.deploy(deployer, LIMITS, sender=deployer)
    gas["CompetitionFactory (deployment)"] = chain.get_receipt(factory.txn_hash).gas_used
    naive = project.Competition.deploy(sender=deployer)
    gas["Competition (full deployment, for comparison)"] = chain.get_receipt(
        naive.txn_hash
    ).gas_used
    tracker = project.PortfolioTracker.deploy(deployer, oracle, sender=deployer)
    gas["PortfolioTracker (deployment)"] = chain.get_receipt(tracker.txn_hash).gas_used
    for role in ("ORGANIZER_ROLE", "RESOLVER_ROLE", "GUARDIAN_ROLE"):
        factory.grantRole(getattr(factory, role)(), deployer, sender=deployer)
    tracker.grantRole(tracker.UPDATER_ROLE(), deployer, sender=deployer)
    tracker.setFactory(factory, sender=deployer)
    factory.setTracker(tracker, sender=deployer)

    record("DomaOwnershipToken.mint", token.mint(alice, 1, T0 + 365 * DAY, 1001, sender=deployer))
    record("ValuationOracle.setPrice (first)", oracle.setPrice(token, 1, ETH, sender=deployer))
    record("ValuationOracle.setPrice (update)", oracle.setPrice(token, 1, ETH + 1, sender=deployer))
    record(
        "ValuationOracle.setPrices (10)",
        oracle.setPrices([token.address] * 10, list(range(10, 20)), [ETH] * 10, sender=deployer),
    )
    fraction.mint(alice, ETH, sender=deployer)
    oracle.setFungiblePrice(fraction, ETH, sender=deployer)

    start, end = T0 + 100, T0 + 100 + DAY
    params = (
        start,
        end,
        end + DISPUTE_WINDOW + MIN_CLAIM_PERIOD,
        FEE,
        1_000,
        500,
        oracle.address,
        tracker.address,
        deployer.address,
        [6_000, 3_000, 1_000],
    )
    tx = record(
        "CompetitionFactory.createCompetition", factory.createCompetition(params, sender=deployer)
    )
    competition = project.Competition.at(tx.decode_logs(factory.CompetitionCreated)[0].competition)
    other = project.Competition.at(
        factory.createCompetition(params, sender=deployer)
        .decode_logs(factory.CompetitionCreated)[0]
        .competition
    )
    chain.pending_timestamp = start
    record("Competition.join (first)", competition.join(value=FEE, sender=alice))
    record("Competition.join (later)", competition.join(value=FEE, sender=bob))
    competition.join(value=FEE, sender=carol)
    holdings = sorted(
        [(ERC721, token.address, 1, 1), (ERC20, fraction.address, 0, ETH)],
        key=lambda h: int(h[1], 16),
    )
    record(
        "PortfolioTracker.updatePortfolioValue (1 NFT + 1 ERC-20)",
        tracker.updatePortfolioValue(competition, alice, holdings, sender=deployer),
    )
    _measure_baskets(project, chain, gas, record, deployer, alice, oracle, token, fraction)
    tracker.setBasketFactory(gas.pop("_basket_factory"), sender=deployer)
    basket = gas.pop("_basket")
    record(
        "PortfolioTracker.updatePortfolioValue (1 basket)",
        tracker.updatePortfolioValue(
            competition, alice, [(BASKET, basket, 0, ETH // 10)], sender=deployer
        ),
    )
    other.join(value=FEE, sender=alice)
    record("Competition.cancel", other.cancel(sender=deployer))
    record("Competition.refund", other.refund(sender=alice))

    chain.pending_timestamp = end
    values = {alice.address: 3, bob.address: 2, carol.address: 1}
    results = compute_results(values, [6_000, 3_000, 1_000], distributable(3 * FEE, 500))
    record(
        "Competition.postResults",
        competition.postResults(results.root, results.total, sender=deployer),
    )
    chain.pending_timestamp = end + DISPUTE_WINDOW
    record("Competition.finalize", competition.finalize(sender=deployer))
    record(
        "Competition.claim (tree of 3 winners)",
        competition.claim(
            results.prizes[alice.address], results.proof(alice.address), sender=alice
        ),
    )
    chain.pending_timestamp = end + DISPUTE_WINDOW + MIN_CLAIM_PERIOD + 1
    record("Competition.sweep", competition.sweep(sender=deployer))

    # DomainMarketplace, after everything above so no earlier figure moves.
    market = project.DomainMarketplace.deploy(sender=deployer)
    gas["DomainMarketplace (deployment)"] = chain.get_receipt(market.txn_hash).gas_used
    token.approve(market, 1, sender=alice)
    record("DomainMarketplace.listERC721", market.listERC721(token, 1, ETH, sender=alice))
    record("DomainMarketplace.buy (ERC-721)", market.buy(1, value=ETH, sender=bob))
    # The baskets above took some of alice's fraction: back to exactly ETH, which she sells.
    fraction.mint(alice, ETH - fraction.balanceOf(alice), sender=deployer)
    fraction.approve(market, ETH, sender=alice)
    record("DomainMarketplace.listERC20", market.listERC20(fraction, ETH, ETH, sender=alice))
    record("DomainMarketplace.buy (ERC-20)", market.buy(2, value=ETH, sender=bob))
    record("DomainMarketplace.withdraw", market.withdraw(alice, sender=alice))
    token.approve(market, 1, sender=bob)
    market.listERC721(token, 1, ETH, sender=bob)
    record("DomainMarketplace.cancel", market.cancel(3, sender=bob))

    # The naive alternative to Merkle results, for bench/gas_bench.py: a slot per winner.
    book = project.NaivePrizeBook.deploy(sender=deployer)
    deployer.transfer(book, 10 * FEE)
    winners = [alice.address, *(f"0x{0xA0 + i:040x}" for i in range(9))]
    record(
        "NaivePrizeBook.setPrizes (10 winners, for comparison)",
        book.setPrizes(winners, [FEE] * 10, sender=deployer),
    )
    record("NaivePrizeBook.claim (for comparison)", book.claim(sender=alice))
    if out := os.environ.get("DOMACROSS_GAS_MEASURED_OUT"):
        Path(out).write_text(json.dumps(gas, indent=2, sort_keys=True))
    return gas


def _measure_baskets(project, chain, gas, record, deployer, alice, oracle, token, fraction):
    """Domain baskets: a 70/30 fraction/NFT basket through every value path."""
    basket_factory = project.DomainBasketFactory.deploy(deployer, oracle, sender=deployer)
    gas["DomainBasketFactory (deployment)"] = chain.get_receipt(basket_factory.txn_hash).gas_used
    components = [(ERC20, fraction.address, 0, 7_000), (ERC721, token.address, 1, 3_000)]
    tx = record(
        "DomainBasketFactory.createBasket (1 ERC-20 + 1 NFT)",
        basket_factory.createBasket("Basket", "BSK", components, sender=alice),
    )
    basket = project.DomainBasket.at(tx.decode_logs(basket_factory.BasketCreated)[0].basket)
    fraction.approve(basket, ETH, sender=alice)
    record("DomainBasket.deposit (first)", basket.deposit(ETH // 2, 0, sender=alice))
    record("DomainBasket.deposit (later)", basket.deposit(ETH // 10, 0, sender=alice))
    token.approve(basket, 1, sender=alice)
    record("DomainBasket.depositNft", basket.depositNft(1, 0, sender=alice))
    record("DomainBasket.redeem", basket.redeem(ETH // 10, 0, sender=alice))
    record("DomainBasket.redeemNft", basket.redeemNft(1, 2**256 - 1, sender=alice))
    record("DomainBasket.redeemInKind", basket.redeemInKind(ETH // 10, sender=alice))
    gas["_basket_factory"], gas["_basket"] = basket_factory, basket


def test_gas__matches_committed_snapshot(measured):
    if os.environ.get("UPDATE_GAS_SNAPSHOT") == "1":
        SNAPSHOT.write_text(json.dumps(measured, indent=2, sort_keys=True) + "\n")
    committed = json.loads(SNAPSHOT.read_text())
    changed = {
        k: (committed.get(k), measured.get(k))
        for k in committed.keys() | measured.keys()
        if committed.get(k) != measured.get(k)
    }
    assert not changed, (
        "gas changed (label: committed -> measured): "
        + ", ".join(f"{k}: {a} -> {b}" for k, (a, b) in sorted(changed.items()))
        + ". If intended, run `make gas-snapshot` and commit tests/gas/gas-snapshot.json."
    )


@pytest.mark.parametrize(("label", "limit"), sorted(TARGETS.items()))
def test_gas__within_target(measured, label, limit):
    assert measured[label] < limit, f"{label} costs {measured[label]} gas, target < {limit}"


def test_gas__clone_far_cheaper_than_deployment(measured):
    create = measured["CompetitionFactory.createCompetition"]
    full = measured["Competition (full deployment, for comparison)"]
    assert create * 3 < full, f"createCompetition {create} vs full deployment {full}"
