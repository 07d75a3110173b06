"""The domain-basket invariant machine, on the fast engine (domacross_fuzz).

Every run starts from one fresh basket (A 40 %, B 30 %, NFT 1 20 %, NFT 2 10 %) whose four
prices Hypothesis draws, then fixed for the run; three actors deposit, redeem, move whole NFTs
and donate tokens straight to the basket. Values are "scaled" (wei times 1e18) so that the
ghost ledger is exact. After every step:

* held: the basket's tracked holdings equal what it really holds minus donations;
* value: ``totalValue()`` and ``navPerShare()`` are the oracle value of the held underlying,
  and ``supply * navPerShare <= value < (supply + 1) * navPerShare`` (rounding never pays holders);
* conservation: value deposited - value redeemed == value held, exactly;
* no extraction: the exact NAV ratio (value / supply) never decreases, every deposit pays at
  least NAV for its shares and every redemption receives at most NAV for the shares it burns.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule

from domacross_fuzz import FastStateMachine
from domacross_fuzz.errors import ContractRevertError
from domacross_sdk.units import WAD
from tests.utils.basket import ERC20, ERC721, MIN_LIQUIDITY, component
from tests.utils.constants import DAY

REGISTRAR_ID = 1_001
NFT_IDS = (501, 502)
WEIGHTS = (4_000, 3_000, 2_000, 1_000)
START_BALANCE = 10**30
# Failures a random step may legitimately hit (the machine checks state stays unchanged).
EXPECTED_ERRORS = {
    "BasketFirstDepositTooSmall",
    "BasketZeroAmount",
    "BasketNoValue",
    "BasketInsufficientFungibleValue",
    "ERC20InsufficientBalance",
}


def prepare_basket(suite, *, owner, registrar, actors):
    """Two fraction tokens (each actor holds 1e30 units), two NFTs (actors 0 and 1) and a basket."""
    project, chain = suite.project, suite.project.chain
    tokens = []
    for name in ("A", "B"):
        token = project.DomainFractionToken.deploy(owner, f"{name} fraction", name, sender=owner)
        token.grantRole(token.MINTER_ROLE(), owner, sender=owner)
        tokens.append(token)
    for token_id, holder in zip(NFT_IDS, actors, strict=False):
        suite.domain_token.mint(
            holder, token_id, chain.timestamp + 100 * 365 * DAY, REGISTRAR_ID, sender=registrar
        )
    factory = project.DomainBasketFactory.deploy(owner, suite.oracle, sender=owner)
    parts = [
        component(ERC20, tokens[0].address, 0, WEIGHTS[0]),
        component(ERC20, tokens[1].address, 0, WEIGHTS[1]),
        component(ERC721, suite.domain_token.address, NFT_IDS[0], WEIGHTS[2]),
        component(ERC721, suite.domain_token.address, NFT_IDS[1], WEIGHTS[3]),
    ]
    receipt = factory.createBasket("Fuzz basket", "FUZZ", parts, sender=owner)
    basket = project.DomainBasket.at(receipt.decode_logs("BasketCreated")[0].basket)
    for actor in actors:
        for token in tokens:
            token.mint(actor, START_BALANCE, sender=owner)
            token.approve(basket, 2**256 - 1, sender=actor)
        suite.domain_token.setApprovalForAll(basket, True, sender=actor)
    return basket, tokens


def basket_machine(suite, basket, tokens, *, owner, actors, reached: Counter):
    """A FastStateMachine class over `basket`; `reached` counts the successful paths."""
    oracle, nft = suite.oracle, suite.domain_token
    people = [getattr(a, "address", a) for a in actors]

    class BasketMachine(FastStateMachine):
        def __init__(self):
            super().__init__()
            self.prices = [0, 0, 0, 0]
            self.donated = [0, 0]
            self.value_in = self.value_out = 0
            self.last_ratio: Fraction | None = None

        # -- model -----------------------------------------------------------------
        def held(self):
            """What the basket really holds (balances minus donations; NFTs by owner)."""
            fungible = [tokens[i].balanceOf(basket) - self.donated[i] for i in range(2)]
            whole = [int(nft.ownerOf(t).lower() == basket.address.lower()) for t in NFT_IDS]
            return fungible + whole

        def value_scaled(self, held):
            return (
                held[0] * self.prices[0]
                + held[1] * self.prices[1]
                + (held[2] * self.prices[2] + held[3] * self.prices[3]) * WAD
            )

        def state(self):
            held = self.held()
            return held, self.value_scaled(held), basket.totalSupply()

        def attempt(self, call):
            """Runs `call`; a revert must be an expected one and change nothing."""
            before = self.state()
            try:
                call()
            except ContractRevertError as exc:
                assert exc.name in EXPECTED_ERRORS, exc
                assert self.state() == before
                return False
            return True

        # -- rules -------------------------------------------------------------------
        @initialize(
            fungible=st.lists(st.integers(10**9, 10**21), min_size=2, max_size=2),
            whole=st.lists(st.integers(10**12, 10**20), min_size=2, max_size=2),
        )
        def set_prices(self, fungible, whole):
            self.prices = [*fungible, *whole]
            for i in range(2):
                oracle.overrideFungiblePrice(tokens[i], fungible[i], sender=owner)
                oracle.overridePrice(nft, NFT_IDS[i], whole[i], sender=owner)

        @rule(who=st.integers(0, 2), value=st.integers(1, 10**21) | st.integers(1, 10**6))
        def deposit(self, who, value):
            _, total, supply = self.state()
            balance = basket.balanceOf(people[who])
            ok = self.attempt(lambda: basket.deposit(value, 0, sender=people[who]))
            if not ok:
                return
            reached["deposit"] += 1
            paid = self.value_scaled(self.held()) - total
            minted = basket.balanceOf(people[who]) - balance
            assert paid >= value * WAD  # amounts are rounded up, never down
            self.check_mint(minted, paid, total, supply)
            self.value_in += paid

        @rule(who=st.integers(0, 2), which=st.integers(0, 1))
        def deposit_nft(self, who, which):
            token_id = NFT_IDS[which]
            if nft.ownerOf(token_id).lower() != people[who].lower():
                return
            _, total, supply = self.state()
            balance = basket.balanceOf(people[who])
            if not self.attempt(lambda: basket.depositNft(2 + which, 0, sender=people[who])):
                return
            reached["deposit_nft"] += 1
            paid = self.prices[2 + which] * WAD
            self.check_mint(basket.balanceOf(people[who]) - balance, paid, total, supply)
            self.value_in += paid

        @rule(who=st.integers(0, 2), fraction=st.fractions(0, 1))
        def redeem(self, who, fraction):
            balance = basket.balanceOf(people[who])
            shares = int(balance * fraction) or 1
            _, total, supply = self.state()
            if not self.attempt(lambda: basket.redeem(shares, 0, sender=people[who])):
                return
            reached["redeem"] += 1
            received = total - self.value_scaled(self.held())
            assert received * supply <= shares * total  # at most NAV for the shares burned
            assert basket.balanceOf(people[who]) == balance - shares
            self.value_out += received

        @rule(who=st.integers(0, 3), which=st.integers(0, 1))
        def redeem_nft(self, who, which):
            """`who` 3 is the actor with the most shares, the one most likely to afford an NFT."""
            held, total, supply = self.state()
            if not held[2 + which]:
                return
            if who == 3:
                who = max(range(3), key=lambda i: basket.balanceOf(people[i]))
            balance = basket.balanceOf(people[who])
            if not self.attempt(
                lambda: basket.redeemNft(2 + which, 2**256 - 1, sender=people[who])
            ):
                return
            reached["redeem_nft"] += 1
            burned = balance - basket.balanceOf(people[who])
            received = self.prices[2 + which] * WAD
            assert received * supply <= burned * total  # burned at least NAV's worth of shares
            assert nft.ownerOf(NFT_IDS[which]).lower() == people[who].lower()
            self.value_out += received

        @rule(who=st.integers(0, 2), which=st.integers(0, 1), amount=st.integers(1, 10**24))
        def donate(self, who, which, amount):
            """Tokens sent straight to the basket are ignored: NAV does not move."""
            nav = basket.navPerShare() if basket.totalSupply() else 0
            tokens[which].transfer(basket, amount, sender=people[who])
            self.donated[which] += amount
            assert (basket.navPerShare() if basket.totalSupply() else 0) == nav

        def check_mint(self, minted, paid, total, supply):
            if supply == 0:
                assert minted == paid // WAD - MIN_LIQUIDITY
                assert basket.balanceOf(basket) == MIN_LIQUIDITY
            else:
                assert minted * total <= paid * supply  # paid at least NAV for the shares

        # -- invariants ----------------------------------------------------------------
        @invariant()
        def tracked_holdings_match_the_real_ones(self):
            assert list(basket.holdings()) == self.held()

        @invariant()
        def nav_is_the_oracle_value_of_the_held_underlying(self):
            _, total, supply = self.state()
            assert self.value_in - self.value_out == total
            if supply == 0:
                assert total == 0 and basket.navPerShare() == 0
                return
            nav = basket.navPerShare()
            assert basket.totalValue() == total // WAD
            assert supply * nav <= total < (supply + 1) * (nav + 1)
            assert basket.valueOfShares(supply) <= total // WAD
            ratio = Fraction(total, supply)
            assert self.last_ratio is None or ratio >= self.last_ratio
            self.last_ratio = ratio

    return BasketMachine
