"""Hypothesis properties of the P&L definitions (`domacross.pnl`) on random trade sequences."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domacross.pnl import ACQUIRE, DISPOSE, Trade, compute, replay

pytestmark = pytest.mark.fuzz

TOKENS = ["0x" + "aa" * 20, "0x" + "bb" * 20]
FUNGIBLE = "0x" + "cc" * 20
ETH = 10**18
values = st.one_of(st.none(), st.integers(1, 100 * ETH))


@st.composite
def trades(draw, max_size=40):
    """Random sequences over a few ERC-721 ids and one fungible token, every kind, some
    values unknown; disposals may exceed holdings (opening inventory)."""
    out = []
    for _ in range(draw(st.integers(0, max_size))):
        kind = draw(st.sampled_from(sorted(ACQUIRE | DISPOSE)))
        if draw(st.booleans()):
            out.append(Trade(kind, FUNGIBLE, 0, draw(st.integers(1, 10 * ETH)), draw(values), True))
        else:
            token = draw(st.sampled_from(TOKENS))
            out.append(Trade(kind, token, draw(st.integers(1, 3)), 1, draw(values)))
    return out


prices_st = st.dictionaries(
    st.one_of(st.tuples(st.sampled_from(TOKENS), st.integers(1, 3)), st.just((FUNGIBLE, 0))),
    st.one_of(st.none(), st.integers(1, 100 * ETH)),
)


@settings(max_examples=200, deadline=None)
@given(seq=trades(), prices=prices_st)
def test_pnl__any_sequence__realised_plus_unrealised_is_proceeds_plus_value_minus_cost(seq, prices):
    r = compute(seq, prices)
    assert r.realised + r.unrealised == r.proceeds + r.current_value - r.cost - r.opening_cost
    for pos in r.positions.values():
        assert pos.quantity >= 0
        assert pos.basis >= 0


@settings(max_examples=150, deadline=None)
@given(
    buys=st.lists(
        st.tuples(st.integers(1, 10 * ETH), st.integers(0, 100 * ETH)), min_size=1, max_size=10
    ),
    cuts=st.lists(st.integers(1, 10 * ETH), max_size=5),
    price=st.integers(1, 100 * ETH),
)
def test_pnl__sell_everything_at_cost__realises_zero(buys, cuts, price):
    seq = [Trade("buy", FUNGIBLE, 0, amount, paid, True) for amount, paid in buys]
    held = sum(a for a, _ in buys)
    cost = sum(p for _, p in buys)
    # Sell the whole holding in pieces whose prices add up to the total cost.
    pieces = sorted({c for c in cuts if c < held})
    amounts = [b - a for a, b in zip([0, *pieces], [*pieces, held], strict=True)]
    paid = [cost * a // held for a in amounts]
    paid[-1] += cost - sum(paid)
    seq += [Trade("sell", FUNGIBLE, 0, a, p, True) for a, p in zip(amounts, paid, strict=True)]
    r = compute(seq, {(FUNGIBLE, 0): price})
    assert r.realised == 0
    assert r.unrealised == 0
    assert r.positions[(FUNGIBLE, 0)].quantity == 0


@settings(max_examples=150, deadline=None)
@given(seq=trades(), prices=prices_st, seed=st.integers(0, 2**32))
def test_pnl__interleaving_of_positions__does_not_change_the_result(seq, prices, seed):
    """Positions are independent: any shuffle that keeps each position's own order gives
    the same realised and unrealised P&L."""
    rng = random.Random(seed)
    queues: dict[tuple[str, int], list[Trade]] = {}
    for t in seq:
        queues.setdefault(t.key, []).append(t)
    shuffled = []
    keys = [k for k, q in queues.items() for _ in q]
    rng.shuffle(keys)
    for k in keys:
        shuffled.append(queues[k].pop(0))
    a, b = compute(seq, prices), compute(shuffled, prices)
    assert (a.realised, a.unrealised, a.current_value) == (
        b.realised,
        b.unrealised,
        b.current_value,
    )


@settings(max_examples=150, deadline=None)
@given(
    acquisitions=st.lists(
        st.tuples(
            st.sampled_from(["buy", "transfer_in", "mint"]), st.integers(1, 10 * ETH), values
        ),
        max_size=10,
    ),
    price=st.one_of(st.none(), st.integers(1, 100 * ETH)),
    seed=st.integers(0, 2**32),
)
def test_pnl__acquisitions_only__any_order_same_result(acquisitions, price, seed):
    seq = [Trade(k, FUNGIBLE, 0, a, v, True) for k, a, v in acquisitions]
    shuffled = seq[:]
    random.Random(seed).shuffle(shuffled)
    a, b = compute(seq, {(FUNGIBLE, 0): price}), compute(shuffled, {(FUNGIBLE, 0): price})
    assert (a.realised, a.unrealised) == (b.realised, b.unrealised)
    assert a.realised == 0


@settings(max_examples=150, deadline=None)
@given(seq=trades(), prices=prices_st)
def test_pnl__realised__does_not_depend_on_current_prices(seq, prices):
    assert compute(seq, prices).realised == compute(seq, {}).realised == replay(seq).realised


@given(bought=st.integers(1, 100 * ETH), sold=st.integers(1, 100 * ETH))
def test_pnl__buy_then_sell_one_domain__realises_the_difference(bought, sold):
    r = compute(
        [Trade("buy", TOKENS[0], 1, 1, bought), Trade("sell", TOKENS[0], 1, 1, sold)],
        {(TOKENS[0], 1): 5 * ETH},
    )
    assert (r.realised, r.unrealised, r.current_value) == (sold - bought, 0, 0)


def test_pnl__held_domain__unrealised_is_value_minus_cost_and_unknown_price_is_basis():
    seq = [Trade("buy", TOKENS[0], 1, 1, 2 * ETH)]
    assert compute(seq, {(TOKENS[0], 1): 3 * ETH}).unrealised == ETH
    assert compute(seq, {}).unrealised == 0


def test_pnl__disposal_beyond_holdings__realises_zero_on_the_excess():
    seq = [
        Trade("buy", FUNGIBLE, 0, 10, 100, True),
        Trade("sell", FUNGIBLE, 0, 20, 400, True),  # 10 unknown units at 20 each
    ]
    r = replay(seq)
    assert r.opening_cost == 200
    assert r.realised == 400 - 100 - 200


@given(bought=st.integers(0, 100 * ETH), held_before=st.booleans())
def test_pnl__expiry__realises_minus_the_basis_and_closes_the_position(bought, held_before):
    """A lapsed registration is a disposal worth nothing, whatever the price was."""
    seq = [Trade("buy", TOKENS[0], 1, 1, bought)] if held_before else []
    result = compute([*seq, Trade("expiry", TOKENS[0], 1, 1, 0)], {(TOKENS[0], 1): 5 * ETH})
    assert result.realised == (-bought if held_before else 0)
    assert result.positions[(TOKENS[0], 1)].quantity == 0
    assert result.unrealised == 0
