"""Profit and loss of a participant's trades: pure functions, exact integers (wei).

Definitions (also in docs/indexer-api.md "Trades, activity and P&L"):

- A **position** is one `(token, token_id)`: an ERC-721 domain (quantity 1) or a fungible
  fractional token (`token_id` 0, quantity in base units).
- Each trade has a `value` in wei for its whole quantity: the sale price for `buy`/`sell`,
  the oracle value at that block for transfers, mints and burns, or `None` when unknown.
- **Cost basis, average cost.** Acquisitions (`buy`, `transfer_in`, `mint`) add their quantity
  and their value to the position's basis; an acquisition of unknown value adds 0 (it came
  for nothing we can price). Disposals (`sell`, `transfer_out`, `burn`, `expiry`) remove
  `basis * q // held` of the basis (floor), so the basis is conserved exactly: what is
  removed plus what remains always equals what was added. An `expiry` (a held domain's
  registration lapsed) is a disposal with value 0: it realises minus its basis.
- **Realised P&L** = sum over disposals of (proceeds - basis removed). A disposal of unknown
  value realises nothing (its proceeds are taken to be the basis it removes).
- **Opening inventory.** Trades are recorded only while a participant is in a live
  competition, so a disposal may exceed what was acquired since. The excess is treated as
  acquired at the disposal's own unit value (its share of the value), which realises 0 on it.
- **Unrealised P&L** = current value of what is held - its remaining basis. The current value
  is `quantity * unit price` (the oracle's latest price; fungible prices are per 1e18 base
  units, like the tracker); a position with no known price is valued at its basis (0).

Hence, exactly: realised + unrealised = proceeds + current value - (cost + opening cost).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

TradeKind = Literal["buy", "sell", "transfer_in", "transfer_out", "mint", "burn", "expiry"]
PriceSource = Literal["sale", "oracle", "unknown", "expiry"]
"""Where a trade's value came from: a marketplace sale, the oracle, nowhere, or a lapse."""
ACQUIRE: frozenset[str] = frozenset({"buy", "transfer_in", "mint"})
DISPOSE: frozenset[str] = frozenset({"sell", "transfer_out", "burn", "expiry"})
UNIT = 10**18
"""Fungible oracle prices are per 1e18 base units."""

PositionKey = tuple[str, int]
"""(token address, token id; 0 for a fungible token)."""


@dataclass(frozen=True, slots=True)
class Trade:
    """One trade of one participant, in order."""

    kind: TradeKind
    token: str
    token_id: int
    amount: int
    value: int | None
    fungible: bool = False

    @property
    def key(self) -> PositionKey:
        return (self.token, 0 if self.fungible else self.token_id)


@dataclass
class Position:
    """What is held of one `(token, token_id)` and what it cost."""

    quantity: int = 0
    basis: int = 0
    fungible: bool = False


@dataclass
class PnL:
    """The result: exact wei, signed where P&L can be negative."""

    realised: int = 0
    unrealised: int = 0
    cost: int = 0
    """Values of all acquisitions (unknown ones count 0)."""
    proceeds: int = 0
    """Values of all disposals (unknown ones count as the basis they removed)."""
    opening_cost: int = 0
    """Basis given to quantities disposed of beyond what was acquired (see module doc)."""
    current_value: int = 0
    positions: dict[PositionKey, Position] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.realised + self.unrealised


def replay(trades: Iterable[Trade]) -> PnL:
    """Applies `trades` in order; the result has no current value yet (see `value`)."""
    result = PnL()
    for t in trades:
        if t.amount <= 0:
            raise ValueError(f"a trade moves a positive amount, got {t.amount}")
        pos = result.positions.setdefault(t.key, Position(fungible=t.fungible))
        if t.kind in ACQUIRE:
            paid = t.value or 0
            pos.quantity += t.amount
            pos.basis += paid
            result.cost += paid
        elif t.kind in DISPOSE:
            if t.amount > pos.quantity:
                excess = t.amount - pos.quantity
                opening = (t.value or 0) * excess // t.amount
                pos.quantity += excess
                pos.basis += opening
                result.opening_cost += opening
            removed = pos.basis * t.amount // pos.quantity
            pos.quantity -= t.amount
            pos.basis -= removed
            got = removed if t.value is None else t.value
            result.proceeds += got
            result.realised += got - removed
        else:
            raise ValueError(f"unknown trade kind {t.kind!r}")
    return result


def position_value(pos: Position, unit_price: int | None) -> int:
    """What a position is worth at `unit_price` (per token for ERC-721, per 1e18 base units
    for a fungible token); its basis when the price is unknown."""
    if unit_price is None:
        return pos.basis
    return pos.quantity * unit_price // UNIT if pos.fungible else pos.quantity * unit_price


def value(result: PnL, prices: Mapping[PositionKey, int | None]) -> PnL:
    """Sets the current value and the unrealised P&L of `result` at `prices` (missing = None)."""
    current = 0
    basis = 0
    for key, pos in result.positions.items():
        if pos.quantity == 0:
            continue
        current += position_value(pos, prices.get(key))
        basis += pos.basis
    result.current_value = current
    result.unrealised = current - basis
    return result


def compute(trades: Iterable[Trade], prices: Mapping[PositionKey, int | None]) -> PnL:
    """Realised and unrealised P&L of `trades` (in order) at current `prices`."""
    return value(replay(trades), prices)
