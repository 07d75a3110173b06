"""DomainBasketFactory and DomainBasket: creation, every deposit/redeem path, every custom error,
the donation (inflation) guard, and basket shares in the PortfolioTracker."""

from __future__ import annotations

import ape
import pytest

from domacross_sdk.units import WAD
from tests.utils.basket import ERC20, ERC721, MIN_LIQUIDITY, ceil_div, component
from tests.utils.constants import DAY, ETH, FEE, MAX_AGE, ZERO_ADDRESS
from tests.utils.flow import travel

NFT_ID = 7
REGISTRAR_ID = 1_001
PRICE_A, PRICE_B, PRICE_NFT = ETH // 2, 2 * ETH, 3 * ETH


@pytest.fixture
def basket_factory(project, owner, oracle, factory, tracker):
    # NOTE: the session's factory and tracker are requested first on purpose: a session
    # fixture first built after this deployment would be deployed at a reused address.
    return project.DomainBasketFactory.deploy(owner, oracle, sender=owner)


@pytest.fixture
def token_b(project, owner):
    contract = project.DomainFractionToken.deploy(owner, "b.com fraction", "FB", sender=owner)
    contract.grantRole(contract.MINTER_ROLE(), owner, sender=owner)
    return contract


@pytest.fixture
def priced(
    oracle, reporter, domain_token, registrar, fraction_token, token_b, owner, alice, bob, chain
):
    """Alice and Bob hold 100 of each fraction token; Alice holds NFT 7; all three are priced."""
    domain_token.mint(
        alice, NFT_ID, chain.pending_timestamp + 365 * DAY, REGISTRAR_ID, sender=registrar
    )
    for token in (fraction_token, token_b):
        for who in (alice, bob):
            token.mint(who, 100 * ETH, sender=owner)
    oracle.setFungiblePrices([fraction_token, token_b], [PRICE_A, PRICE_B], sender=reporter)
    oracle.setPrice(domain_token, NFT_ID, PRICE_NFT, sender=reporter)


@pytest.fixture
def components(fraction_token, token_b, domain_token):
    """A 60/30/10 basket: fraction A, fraction B, NFT 7."""
    return [
        component(ERC20, fraction_token.address, 0, 6_000),
        component(ERC20, token_b.address, 0, 3_000),
        component(ERC721, domain_token.address, NFT_ID, 1_000),
    ]


@pytest.fixture
def basket(
    project,
    basket_factory,
    components,
    owner,
    priced,
    fraction_token,
    token_b,
    domain_token,
    alice,
    bob,
):
    tx = basket_factory.createBasket("Premium .com", "PCOM", components, sender=owner)
    contract = project.DomainBasket.at(tx.decode_logs(basket_factory.BasketCreated)[0].basket)
    for who in (alice, bob):
        fraction_token.approve(contract, 2**256 - 1, sender=who)
        token_b.approve(contract, 2**256 - 1, sender=who)
    domain_token.approve(contract, NFT_ID, sender=alice)
    return contract


def deposit_amounts(value):
    """Units of A and B a deposit of `value` wei pulls (60/90 and 30/90 of it, rounded up)."""
    return ceil_div(value * WAD * 6_000, 9_000 * PRICE_A), ceil_div(
        value * WAD * 3_000, 9_000 * PRICE_B
    )


def scaled_value(amount_a, amount_b):
    return amount_a * PRICE_A + amount_b * PRICE_B


# -- Factory ----------------------------------------------------------------------------------


def test_create__registers_and_emits(basket_factory, project, components, owner, priced):
    tx = basket_factory.createBasket("Premium .com", "PCOM", components, sender=owner)
    [log] = tx.decode_logs(basket_factory.BasketCreated)
    assert (log.owner, log.index, log.name, log.symbol) == (owner, 0, "Premium .com", "PCOM")
    assert [tuple(c)[3] for c in log.components] == [6_000, 3_000, 1_000]
    assert basket_factory.isBasket(log.basket) and not basket_factory.isBasket(owner)
    assert (basket_factory.basketCount(), basket_factory.basketAt(0)) == (1, log.basket)
    assert basket_factory.baskets(0, 10) == [log.basket] and basket_factory.baskets(1, 10) == []
    basket = project.DomainBasket.at(log.basket)
    assert (basket.name(), basket.symbol(), basket.decimals(), basket.owner()) == (
        "Premium .com",
        "PCOM",
        18,
        owner,
    )
    assert (basket.factory(), basket.oracle()) == (basket_factory.address, basket_factory.oracle())
    assert [c.weightBps for c in basket.components()] == [6_000, 3_000, 1_000]
    assert (
        basket.holdings() == [0, 0, 0]
        and basket.navPerShare() == 0
        and basket.valueOfShares(ETH) == 0
    )


@pytest.mark.parametrize(
    "case", ["sum", "zero_weight", "duplicate", "erc20_id", "zero_token", "empty", "too_many"]
)
def test_create__invalid_components__reverts(basket_factory, project, components, owner, case):
    errors = project.DomainBasket
    bad = list(components)
    expected = {}
    if case == "sum":
        bad[0] = (*bad[0][:3], 5_999)
        error, expected = errors.BasketWeightsSum, {"sum": 9_999}
    elif case == "zero_weight":
        bad = [(*bad[0][:3], 0), (*bad[1][:3], 4_000), bad[2]]
        error, expected = errors.BasketInvalidComponent, {"index": 0}
    elif case == "duplicate":
        bad = [(*bad[0][:3], 5_000), (*bad[0][:3], 1_000), bad[1], bad[2]]
        error, expected = errors.BasketInvalidComponent, {"index": 1}
    elif case == "erc20_id":
        bad[1] = (ERC20, bad[1][1], 1, 3_000)
        error, expected = errors.BasketInvalidComponent, {"index": 1}
    elif case == "zero_token":
        bad[2] = (ERC721, ZERO_ADDRESS, NFT_ID, 1_000)
        error, expected = errors.BasketInvalidComponent, {"index": 2}
    elif case == "empty":
        bad, error, expected = [], errors.BasketComponentCount, {"count": 0, "max": 16}
    else:
        bad = [component(ERC721, components[2][1], i, 10_000 // 17) for i in range(17)]
        error, expected = errors.BasketComponentCount, {"count": 17, "max": 16}
    with ape.reverts(error, **expected):
        basket_factory.createBasket("x", "X", bad, sender=owner)


def test_create__paused__reverts_until_unpaused(basket_factory, components, owner, stranger):
    with ape.reverts(basket_factory.AccessControlUnauthorizedAccount, account=stranger):
        basket_factory.pause(sender=stranger)
    basket_factory.pause(sender=owner)
    with ape.reverts(basket_factory.EnforcedPause):
        basket_factory.createBasket("x", "X", components, sender=stranger)
    basket_factory.unpause(sender=owner)
    basket_factory.createBasket("x", "X", components, sender=stranger)


def test_factory__zero_oracle__reverts(project, owner):
    with ape.reverts(project.DomainBasketFactory.BasketFactoryZeroAddress):
        project.DomainBasketFactory.deploy(owner, ZERO_ADDRESS, sender=owner)


# -- Deposits ---------------------------------------------------------------------------------


def test_deposit__first__splits_by_weight_mints_value_locks_minimum(
    basket, alice, fraction_token, token_b
):
    value = 9 * ETH
    amount_a, amount_b = deposit_amounts(value)
    assert basket.previewDeposit(value) == (value - MIN_LIQUIDITY, [amount_a, amount_b, 0])
    tx = basket.deposit(value, value - MIN_LIQUIDITY, sender=alice)
    [log] = tx.decode_logs(basket.Deposited)
    assert (log.account, log.value, log.shares, list(log.amounts)) == (
        alice,
        value,
        value - MIN_LIQUIDITY,
        [amount_a, amount_b, 0],
    )
    assert (amount_a * PRICE_A // WAD, amount_b * PRICE_B // WAD) == (6 * ETH, 3 * ETH)
    assert basket.balanceOf(alice) == value - MIN_LIQUIDITY
    assert (
        basket.balanceOf(basket) == MIN_LIQUIDITY == basket.totalSupply() - basket.balanceOf(alice)
    )
    assert basket.holdings() == [amount_a, amount_b, 0]
    assert fraction_token.balanceOf(basket) == amount_a and token_b.balanceOf(basket) == amount_b
    assert basket.totalValue() == value and basket.navPerShare() == ETH
    [nav] = tx.decode_logs(basket.NavUpdated)
    assert (nav.totalValue, nav.totalSupply, nav.navPerShare) == (value, value, ETH)


def test_deposit__later__priced_at_nav_rounded_down(
    basket, alice, bob, oracle, reporter, fraction_token
):
    basket.deposit(9 * ETH, 0, sender=alice)
    oracle.setFungiblePrice(fraction_token, PRICE_A * 11 // 10, sender=reporter)  # NAV rises 6.67 %
    total_scaled = basket.holdings()[0] * PRICE_A * 11 // 10 + basket.holdings()[1] * PRICE_B
    supply = basket.totalSupply()
    value = ETH + 1
    amounts = [
        ceil_div(value * WAD * 6_000, 9_000 * (PRICE_A * 11 // 10)),
        ceil_div(value * WAD * 3_000, 9_000 * PRICE_B),
    ]
    paid = amounts[0] * PRICE_A * 11 // 10 + amounts[1] * PRICE_B
    expected = paid * supply // total_scaled
    tx = basket.deposit(value, expected, sender=bob)
    assert tx.return_value[0] == expected == basket.balanceOf(bob)
    assert basket.valueOfShares(expected) <= paid // WAD


def test_deposit__below_min_shares__reverts(basket, alice):
    with ape.reverts(basket.BasketTooFewShares, shares=9 * ETH - MIN_LIQUIDITY, minShares=9 * ETH):
        basket.deposit(9 * ETH, 9 * ETH, sender=alice)


def test_deposit__zero__reverts(basket, alice):
    with ape.reverts(basket.BasketZeroAmount):
        basket.deposit(0, 0, sender=alice)


def test_deposit__first_too_small__reverts(basket, alice):
    with ape.reverts(basket.BasketFirstDepositTooSmall, minLiquidity=MIN_LIQUIDITY):
        basket.deposit(MIN_LIQUIDITY - 10, 0, sender=alice)


def test_deposit__stale_price__reverts(basket, alice, chain, oracle, fraction_token):
    travel(chain, chain.pending_timestamp + MAX_AGE + 1)
    with ape.reverts(oracle.OraclePriceStale, token=fraction_token.address):
        basket.deposit(ETH, 0, sender=alice)


def test_deposit__without_allowance__reverts(basket, bob, fraction_token):
    fraction_token.approve(basket, 0, sender=bob)
    with ape.reverts(basket.ERC20InsufficientAllowance):
        basket.deposit(ETH, 0, sender=bob)


def test_deposit__only_nft_components__reverts(
    basket_factory, project, domain_token, owner, priced, alice
):
    tx = basket_factory.createBasket(
        "one", "ONE", [component(ERC721, domain_token.address, NFT_ID, 10_000)], sender=owner
    )
    nft_only = project.DomainBasket.at(tx.decode_logs(basket_factory.BasketCreated)[0].basket)
    with ape.reverts(nft_only.BasketNoFungibleComponents):
        nft_only.deposit(ETH, 0, sender=alice)


def test_paused__deposits_and_redemptions_revert(basket, owner, alice, stranger):
    basket.deposit(9 * ETH, 0, sender=alice)
    with ape.reverts(basket.OwnableUnauthorizedAccount, account=stranger):
        basket.pause(sender=stranger)
    basket.pause(sender=owner)
    for call in (
        lambda: basket.deposit(ETH, 0, sender=alice),
        lambda: basket.depositNft(2, 0, sender=alice),
        lambda: basket.redeem(ETH, 0, sender=alice),
        lambda: basket.redeemNft(2, 0, sender=alice),
    ):
        with ape.reverts(basket.EnforcedPause):
            call()
    basket.unpause(sender=owner)
    basket.redeem(ETH, 0, sender=alice)


# -- Whole NFTs -------------------------------------------------------------------------------


def test_deposit_nft__mints_floor_of_value_over_nav(
    basket, alice, bob, domain_token, oracle, reporter, fraction_token
):
    basket.deposit(9 * ETH, 0, sender=bob)
    oracle.setFungiblePrice(fraction_token, PRICE_A * 6 // 5, sender=reporter)  # NAV is no longer 1
    total_scaled = basket.holdings()[0] * (PRICE_A * 6 // 5) + basket.holdings()[1] * PRICE_B
    expected = PRICE_NFT * WAD * basket.totalSupply() // total_scaled
    assert basket.previewDepositNft(2) == expected
    tx = basket.depositNft(2, expected, sender=alice)
    [log] = tx.decode_logs(basket.NftDeposited)
    assert (log.account, log.index, log.token, log.tokenId, log.value, log.shares) == (
        alice,
        2,
        domain_token.address,
        NFT_ID,
        PRICE_NFT,
        expected,
    )
    assert domain_token.ownerOf(NFT_ID) == basket.address and basket.holdings()[2] == 1
    assert basket.balanceOf(alice) == expected


def test_deposit_nft__first_deposit__mints_price_minus_locked(basket, alice):
    basket.depositNft(2, 0, sender=alice)
    assert basket.balanceOf(alice) == PRICE_NFT - MIN_LIQUIDITY and basket.totalValue() == PRICE_NFT


def test_redeem_nft__burns_ceil_of_value_over_nav(
    basket, alice, domain_token, oracle, reporter, fraction_token
):
    basket.depositNft(2, 0, sender=alice)
    basket.deposit(9 * ETH, 0, sender=alice)
    oracle.setFungiblePrice(fraction_token, PRICE_A * 6 // 5, sender=reporter)
    total_scaled = (
        basket.holdings()[0] * (PRICE_A * 6 // 5) + basket.holdings()[1] * PRICE_B + PRICE_NFT * WAD
    )
    expected = ceil_div(PRICE_NFT * WAD * basket.totalSupply(), total_scaled)
    assert basket.previewRedeemNft(2) == expected
    with ape.reverts(basket.BasketTooManyShares, shares=expected, maxShares=expected - 1):
        basket.redeemNft(2, expected - 1, sender=alice)
    before = basket.balanceOf(alice)
    tx = basket.redeemNft(2, expected, sender=alice)
    assert tx.decode_logs(basket.NftRedeemed)[0].shares == expected
    assert before - basket.balanceOf(alice) == expected
    assert domain_token.ownerOf(NFT_ID) == alice and basket.holdings()[2] == 0


def test_redeem_nft__too_few_shares__reverts(basket, alice, bob, domain_token):
    basket.depositNft(2, 0, sender=alice)
    basket.deposit(ETH, 0, sender=bob)
    with ape.reverts(basket.ERC20InsufficientBalance, sender=bob.address):
        basket.redeemNft(2, 2**256 - 1, sender=bob)


@pytest.mark.parametrize("call", ["deposit_held", "redeem_absent", "wrong_kind", "unknown"])
def test_nft_paths__bad_component__reverts(basket, alice, call):
    if call == "deposit_held":
        basket.depositNft(2, 0, sender=alice)
        with ape.reverts(basket.BasketNftState, index=2, held=True):
            basket.depositNft(2, 0, sender=alice)
    elif call == "redeem_absent":
        with ape.reverts(basket.BasketNftState, index=2, held=False):
            basket.redeemNft(2, 2**256 - 1, sender=alice)
    elif call == "wrong_kind":
        with ape.reverts(basket.BasketWrongKind, index=0, kind=ERC20):
            basket.depositNft(0, 0, sender=alice)
    else:
        with ape.reverts(basket.BasketUnknownComponent, index=3, count=3):
            basket.redeemNft(3, 0, sender=alice)


def test_deposit_nft__not_owner__reverts(basket, bob, domain_token):
    with ape.reverts(domain_token.ERC721InsufficientApproval):
        basket.depositNft(2, 0, sender=bob)


# -- Redemption of the fungible part ----------------------------------------------------------


def test_redeem__pays_pro_rata_in_kind_rounded_down(basket, alice, bob, fraction_token, token_b):
    basket.deposit(9 * ETH, 0, sender=alice)
    basket.deposit(3 * ETH + 7, 0, sender=bob)
    held = basket.holdings()
    total_scaled = scaled_value(held[0], held[1])
    shares = basket.balanceOf(bob)
    owed = shares * total_scaled // basket.totalSupply()
    amounts = [held[0] * owed // total_scaled, held[1] * owed // total_scaled, 0]
    value = scaled_value(amounts[0], amounts[1]) // WAD
    assert basket.previewRedeem(shares) == (value, amounts)
    with ape.reverts(basket.BasketTooLittleValue, value=value, minValue=value + 1):
        basket.redeem(shares, value + 1, sender=bob)
    before = fraction_token.balanceOf(bob), token_b.balanceOf(bob)
    tx = basket.redeem(shares, value, sender=bob)
    [log] = tx.decode_logs(basket.Redeemed)
    assert (log.account, log.shares, log.value, list(log.amounts)) == (bob, shares, value, amounts)
    assert fraction_token.balanceOf(bob) - before[0] == amounts[0]
    assert token_b.balanceOf(bob) - before[1] == amounts[1]
    assert basket.balanceOf(bob) == 0 and value <= 3 * ETH + 7


def test_redeem__more_than_fungible_part__reverts(basket, alice):
    basket.depositNft(2, 0, sender=alice)
    basket.deposit(ETH, 0, sender=alice)
    shares = basket.balanceOf(alice)
    with ape.reverts(basket.BasketInsufficientFungibleValue):
        basket.redeem(shares, 0, sender=alice)


def test_redeem__zero_or_more_than_balance__reverts(basket, alice, bob):
    basket.deposit(ETH, 0, sender=alice)
    with ape.reverts(basket.BasketZeroAmount):
        basket.redeem(0, 0, sender=alice)
    with ape.reverts(basket.ERC20InsufficientBalance, sender=bob.address):
        basket.redeem(10**6, 0, sender=bob)


# -- Reweighting ------------------------------------------------------------------------------


def test_reweight__owner_changes_future_split(basket, owner, alice):
    tx = basket.reweight([2_000, 7_000, 1_000], sender=owner)
    [log] = tx.decode_logs(basket.Reweighted)
    assert (list(log.previousWeightsBps), list(log.weightsBps)) == (
        [6_000, 3_000, 1_000],
        [2_000, 7_000, 1_000],
    )
    _, amounts = basket.previewDeposit(9 * ETH)
    assert amounts[0] * PRICE_A // WAD == 2 * ETH and amounts[1] * PRICE_B // WAD == 7 * ETH


@pytest.mark.parametrize("weights", [[5_000, 4_000], [6_000, 3_000, 999], [10_000, 0, 0]])
def test_reweight__invalid__reverts(basket, owner, weights):
    with ape.reverts():
        basket.reweight(weights, sender=owner)


def test_reweight__not_owner__reverts(basket, alice):
    with ape.reverts(basket.OwnableUnauthorizedAccount, account=alice):
        basket.reweight([6_000, 3_000, 1_000], sender=alice)


# -- Inflation (first depositor / donation) attack ---------------------------------------------


def test_donation__does_not_move_nav__victim_gets_fair_shares(basket, alice, bob, fraction_token):
    """Alice deposits the minimum, then sends 50 tokens straight to the basket: ignored."""
    basket.deposit(MIN_LIQUIDITY * 3, 0, sender=alice)
    nav = basket.navPerShare()
    fraction_token.transfer(basket, 50 * ETH, sender=alice)
    assert basket.navPerShare() == nav
    shares, _ = basket.previewDeposit(ETH)
    tx = basket.deposit(ETH, 0, sender=bob)
    assert tx.return_value[0] == shares and basket.valueOfShares(shares) >= ETH - 2


# -- PortfolioTracker: basket shares count in competitions ------------------------------------


BASKET_KIND = 2


@pytest.fixture
def basket_tracker(project, owner, updater, oracle, factory):
    """A tracker of its own: the session's keeps no basket factory (it is set only once)."""
    contract = project.PortfolioTracker.deploy(owner, oracle, sender=owner)
    contract.grantRole(contract.UPDATER_ROLE(), updater, sender=owner)
    contract.setFactory(factory, sender=owner)
    return contract


def test_tracker__values_basket_shares_at_nav(
    basket, basket_factory, basket_tracker, owner, updater, open_competition, alice
):
    basket.deposit(9 * ETH, 0, sender=alice)
    open_competition.join(value=FEE, sender=alice)
    tx = basket_tracker.setBasketFactory(basket_factory, sender=owner)
    assert (
        tx.decode_logs(basket_tracker.BasketFactorySet)[0].basketFactory == basket_factory.address
    )
    assert basket_tracker.basketFactory() == basket_factory.address
    shares = basket.balanceOf(alice)
    basket_tracker.updatePortfolioValue(
        open_competition, alice, [(BASKET_KIND, basket.address, 0, shares)], sender=updater
    )
    assert (
        basket_tracker.valueOf(open_competition, alice)[0] == basket.valueOfShares(shares) == shares
    )


def test_tracker__basket_factory_unset_or_not_a_basket__reverts(
    basket, basket_factory, basket_tracker, owner, updater, open_competition, alice, fraction_token
):
    open_competition.join(value=FEE, sender=alice)
    with ape.reverts(basket_tracker.TrackerUnknownBasket, token=basket.address):
        basket_tracker.updatePortfolioValue(
            open_competition, alice, [(BASKET_KIND, basket.address, 0, 1)], sender=updater
        )
    basket_tracker.setBasketFactory(basket_factory, sender=owner)
    with ape.reverts(basket_tracker.TrackerUnknownBasket, token=fraction_token.address):
        basket_tracker.updatePortfolioValue(
            open_competition, alice, [(BASKET_KIND, fraction_token.address, 0, 1)], sender=updater
        )
    with ape.reverts(basket_tracker.TrackerInvalidHolding, index=0):
        basket_tracker.updatePortfolioValue(
            open_competition, alice, [(BASKET_KIND, basket.address, 1, 1)], sender=updater
        )
    with ape.reverts(
        basket_tracker.TrackerInsufficientBalance, token=basket.address, balance=0, amount=1
    ):
        basket_tracker.updatePortfolioValue(
            open_competition, alice, [(BASKET_KIND, basket.address, 0, 1)], sender=updater
        )


def test_tracker__set_basket_factory__twice_zero_or_other_oracle__reverts(
    project, basket_tracker, basket_factory, owner, reporter
):
    with ape.reverts(basket_tracker.TrackerZeroAddress):
        basket_tracker.setBasketFactory(ZERO_ADDRESS, sender=owner)
    other_oracle = project.ValuationOracle.deploy(owner, MAX_AGE, 100, sender=owner)
    other = project.DomainBasketFactory.deploy(owner, other_oracle, sender=owner)
    with ape.reverts(basket_tracker.TrackerOracleMismatch, basketOracle=other_oracle.address):
        basket_tracker.setBasketFactory(other, sender=owner)
    basket_tracker.setBasketFactory(basket_factory, sender=owner)
    with ape.reverts(
        basket_tracker.TrackerBasketFactoryAlreadySet, basketFactory=basket_factory.address
    ):
        basket_tracker.setBasketFactory(basket_factory, sender=owner)


# -- Reentrancy -------------------------------------------------------------------------------


@pytest.mark.parametrize("call", ["deposit", "redeem"])
def test_reentrant_component__callback_into_basket__reverts(
    project, basket_factory, oracle, reporter, owner, alice, call
):
    """A component token that calls back into the basket mid-transfer hits the guard."""
    evil = project.MockReentrantToken.deploy(sender=owner)
    oracle.setFungiblePrice(evil, ETH, sender=reporter)
    tx = basket_factory.createBasket(
        "evil", "EVIL", [component(ERC20, evil.address, 0, 10_000)], sender=owner
    )
    basket = project.DomainBasket.at(tx.decode_logs(basket_factory.BasketCreated)[0].basket)
    evil.mint(alice, 10 * ETH, sender=alice)
    evil.approve(basket, 2**256 - 1, sender=alice)
    basket.deposit(2 * ETH, 0, sender=alice)
    reenter = (
        basket.redeem.encode_input(ETH // 2, 0)
        if call == "redeem"
        else basket.deposit.encode_input(ETH, 0)
    )
    evil.arm(basket, reenter, sender=alice)
    with ape.reverts(basket.ReentrancyGuardReentrantCall):
        if call == "redeem":
            basket.redeem(ETH // 2, 0, sender=alice)
        else:
            basket.deposit(ETH, 0, sender=alice)
