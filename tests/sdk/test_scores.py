"""Scores from public logs on a real chain: the known ways to buy a rank, each now failing.

Every test runs a competition on Ape's embedded chain with three entrants: an attacker's
two (alice, bob) and an honest one (carol), and checks that the honest entrant, whose
domain rose most, ranks first and is paid the first prize after the results are posted,
finalized and claimed with the SDK.
"""

from __future__ import annotations

import pytest

from domacross_sdk import prizes
from domacross_sdk.scoring import UNIT
from tests.sdk.conftest import signer_of
from tests.utils.constants import ETH, FEE, PAYOUT_BPS, RAKE_BPS
from tests.utils.flow import travel

REGISTRAR_ID = 1_001
ERC721_EXPIRY_DAYS = 365


@pytest.fixture
def market(project, owner):
    return project.DomainMarketplace.deploy(sender=owner)


@pytest.fixture
def carol(accounts):
    return accounts[5]


@pytest.fixture
def outsider(accounts):
    """A wallet of the attacker that is not an entrant."""
    return accounts[6]


@pytest.fixture
def setup(chain, domain_token, registrar, oracle, reporter, make_competition):
    """Mints `holdings` {account: [(token_id, price)]}, prices them, opens a competition
    and lets every entrant join. Returns the Ape competition."""

    def make(holdings, entrants):
        expiry = chain.pending_timestamp + ERC721_EXPIRY_DAYS * 86_400
        for account, domains in holdings.items():
            for token_id, price in domains:
                domain_token.mint(account, token_id, expiry, REGISTRAR_ID, sender=registrar)
                oracle.setPrice(domain_token, token_id, price, sender=reporter)
        competition = make_competition()
        chain.pending_timestamp = competition.config().startTime
        for account in entrants:
            competition.join(sender=account, value=FEE)
        return competition

    return make


def settle(dc, chain, competition, resolver, winner):
    """Ends the competition, posts the results computed from logs, finalizes, and claims
    `winner`'s prize. Returns (standings, paid amount)."""
    sdk = dc.competition(competition.address)
    travel(chain, competition.config().endTime)
    chain.mine()  # a block at the end: the standings are final from here
    standings = sdk.standings()
    assert standings.ended
    results = standings.results
    posted = sdk.post_results(results.root, results.total, sender=signer_of(resolver))
    travel(chain, int(posted.dispute_ends_at.timestamp()))
    sdk.finalize(sender=signer_of(resolver))
    paid = sdk.claim_prize(results, sender=signer_of(winner))
    return standings, paid.amount


def first_prize(entrants: int) -> int:
    pool = prizes.distributable(prizes.pool(entrants, FEE), RAKE_BPS)
    return pool * PAYOUT_BPS[0] // 10_000


def prize_of(winner, ranks) -> int:
    """The prize of `winner` when the entrants rank as their values in `ranks` say."""
    values = {a.address: v for a, v in ranks.items()}
    pool = prizes.distributable(prizes.pool(len(values), FEE), RAKE_BPS)
    return prizes.compute_prizes(values, PAYOUT_BPS, pool)[winner.address]


def list_domain(market, token, token_id, price, seller) -> int:
    tx = market.listERC721(token, token_id, price, sender=seller)
    return tx.decode_logs(market.Listed)[0].listingId


def raise_price(oracle, reporter, token, token_id, new_price):
    oracle.setPrice(token, token_id, new_price, sender=reporter)


def test_score__nft_moved_between_two_entrants_between_updates__counts_once(
    dc, chain, setup, domain_token, oracle, reporter, tracker, updater, resolver, alice, bob, carol
):
    competition = setup(
        {alice: [(101, 10 * ETH), (102, 10 * ETH)], carol: [(103, 15 * ETH)]}, [alice, bob, carol]
    )
    holding = lambda i: [(0, domain_token.address, i, 1)]  # noqa: E731
    # The trusted updater's old schedule: alice valued, both domains move to bob, then bob
    # and carol valued. The tracker now records 20, 20 and 15 ETH; none of it counts.
    tracker.updatePortfolioValue(competition, alice, holding(101) + holding(102), sender=updater)
    raise_price(oracle, reporter, domain_token, 101, 11 * ETH)
    domain_token.transferFrom(alice, bob, 101, sender=alice)
    domain_token.transferFrom(alice, bob, 102, sender=alice)
    raise_price(oracle, reporter, domain_token, 102, 11 * ETH)
    raise_price(oracle, reporter, domain_token, 103, 17 * ETH)
    tracker.updatePortfolioValue(competition, bob, holding(101) + holding(102), sender=updater)
    tracker.updatePortfolioValue(competition, carol, holding(103), sender=updater)

    standings, paid = settle(dc, chain, competition, resolver, carol)

    s = standings.scores
    assert s[alice.address].score == 1 * ETH  # 101 rose while alice held it
    assert s[bob.address].score == 1 * ETH  # 102 rose while bob held it
    assert s[carol.address].score == 2 * ETH
    # The attacker's two entrants together made what the two domains rose, once.
    assert s[alice.address].score + s[bob.address].score == 2 * ETH
    assert s[bob.address].end_value == 22 * ETH and s[alice.address].end_value == 0
    assert paid == first_prize(3)


def test_score__erc20_lent_for_one_update__counts_once(
    dc,
    chain,
    setup,
    domain_token,
    fraction_token,
    owner,
    oracle,
    reporter,
    resolver,
    alice,
    bob,
    carol,
):
    fraction_token.mint(alice, 10 * ETH, sender=owner)
    oracle.setFungiblePrice(fraction_token, ETH, sender=reporter)  # 1 ETH per whole token
    competition = setup({carol: [(111, 10 * ETH)]}, [alice, bob, carol])
    fraction_token.transfer(bob, 10 * ETH, sender=alice)  # lent...
    oracle.setFungiblePrice(fraction_token, ETH + ETH // 20, sender=reporter)  # +0.5 ETH on 10
    fraction_token.transfer(alice, 10 * ETH, sender=bob)  # ...and given back
    raise_price(oracle, reporter, domain_token, 111, 11 * ETH)

    standings, paid = settle(dc, chain, competition, resolver, carol)

    s = standings.scores
    assert (s[alice.address].score, s[bob.address].score) == (0, ETH // 2)
    assert s[carol.address].score == ETH
    assert paid == first_prize(3)


def test_score__selling_at_a_profit__keeps_the_gain(
    dc, chain, setup, domain_token, market, oracle, reporter, resolver, alice, bob, carol, outsider
):
    competition = setup({alice: [(121, 10 * ETH)], bob: [(122, 10 * ETH)]}, [alice, bob])
    raise_price(oracle, reporter, domain_token, 121, 12 * ETH)
    raise_price(oracle, reporter, domain_token, 122, 11 * ETH)
    domain_token.approve(market, 121, sender=alice)
    market.buy(
        list_domain(market, domain_token, 121, 12 * ETH, alice), value=12 * ETH, sender=outsider
    )

    standings, paid = settle(dc, chain, competition, resolver, alice)

    s = standings.scores
    # Sold: her value at the end is 0, her score is what the domain rose while she held it.
    assert s[alice.address].end_value == 0
    assert s[alice.address].score == 2 * ETH
    assert s[bob.address].score == ETH
    assert paid == prize_of(alice, {alice: 2, bob: 1})


def test_score__outside_wallet_gifts_domains__gift_is_capital_not_profit(
    dc, chain, setup, domain_token, registrar, oracle, reporter, resolver, alice, carol, outsider
):
    competition = setup(
        {carol: [(131, 10 * ETH)], outsider: [(132, 50 * ETH), (133, 50 * ETH)]}, [alice, carol]
    )
    raise_price(oracle, reporter, domain_token, 131, 11 * ETH)
    domain_token.transferFrom(outsider, alice, 132, sender=outsider)
    domain_token.transferFrom(outsider, alice, 133, sender=outsider)

    standings, paid = settle(dc, chain, competition, resolver, carol)

    a = standings.scores[alice.address]
    assert a.end_value == 100 * ETH and a.inflows_e18 == 100 * ETH * UNIT
    assert a.score == 0
    assert standings.scores[carol.address].score == ETH
    assert paid == prize_of(carol, {alice: 0, carol: 1})


@pytest.mark.parametrize("price", [1, 3 * ETH, 1_000 * ETH])
def test_score__wash_trades_between_ones_wallets_at_any_price__gain_nothing(
    dc,
    chain,
    accounts,
    setup,
    domain_token,
    market,
    oracle,
    reporter,
    resolver,
    alice,
    bob,
    carol,
    outsider,
    price,
):
    competition = setup({alice: [(141, 10 * ETH)], carol: [(142, 10 * ETH)]}, [alice, bob, carol])
    outsider.transfer(bob, 2 * price + ETH)  # the attacker funds its own wallets
    outsider.transfer(alice, 2 * price + ETH)
    for seller, buyer in ((alice, bob), (bob, outsider), (outsider, alice)) * 2:
        domain_token.approve(market, 141, sender=seller)
        market.buy(list_domain(market, domain_token, 141, price, seller), value=price, sender=buyer)
    raise_price(oracle, reporter, domain_token, 142, 11 * ETH)

    standings, paid = settle(dc, chain, competition, resolver, carol)

    s = standings.scores
    assert (s[alice.address].score, s[bob.address].score) == (0, 0)
    assert s[carol.address].score == ETH
    assert paid == first_prize(3)
