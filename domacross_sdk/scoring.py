"""The competition score: profit and loss marked at oracle prices, from public logs only.

One definition, used by the results resolver (`ape run results`), the SDK
(`Competition.compute_results`), the indexer's leaderboard and the tests.

Inputs (all public logs, in chain order ``(block_number, log_index)``):
    * ``Transfer`` logs of every token the competition's oracle prices (ERC-721 domains and
      fungible fraction tokens), from the tokens' deployment, so every balance is known;
    * the oracle's ``PriceUpdated`` logs;
    * the competition's ``ParticipantJoined`` logs;
    * the end block: the last block whose timestamp is before ``endTime``.

Score of an entrant (exact integers, ``e18`` = wei x 10**18 so that fungible prices, which
are per 10**18 base units, need no rounding)::

    score_e18 = sum over oracle price updates u after the entrant joined and in a block
                <= the end block, of  held(entrant, asset of u, just before u)
                                      x (price after u - price before u) x unit(asset)

where ``unit`` is 10**18 for an ERC-721 (quantity 1) and 1 for a fungible token (quantity
in base units). The first price ever set for an asset counts 0: an unpriced asset had no
value to gain from. Equivalently (the identity is checked by the tests)::

    score = value at end - value at join - inflows + outflows - first pricings

where every asset that arrives (bought, gifted, minted) counts as capital at its oracle
value at that log and every asset that leaves (sold, given away, listed, deposited into a
basket) is credited at its oracle value at that log. Hence:

    * **One instant (P1).** Positions come from one replay of the ``Transfer`` logs, so a
      unit is held by exactly one address at every log and counts for one entrant at most.
    * **Performance, not wealth (P2).** Only price moves of what an entrant holds count.
      Gifts are capital, not profit; selling at any price does not lower the score.
    * **Wash-neutral (P3).** Money and trade prices never enter the score, so trades at any
      price between one person's wallets change nobody's score; a move of an asset between
      wallets at one log leaves their summed score unchanged.
    * **No trusted choice (P4).** Nobody values an entrant: the score is a function of logs.

Not counted: basket shares (a domain deposited into a basket leaves at its oracle value);
registration expiry (an expired domain keeps its last oracle price).

Ranking: highest ``score_e18`` first; equal scores share the prizes of their ranks
(:func:`domacross_sdk.prizes.compute_prizes`); the display order of equal scores is by
checksummed address.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from eth_utils.address import to_checksum_address

from domacross_sdk.units import WAD

UNIT = WAD
"""Fungible prices are per 10**18 base units; an ERC-721 counts 10**18 scaled units."""
ZERO = "0x0000000000000000000000000000000000000000"

LogPos = tuple[int, int]
"""Where a log is in the chain: (block number, log index)."""
AssetKey = tuple[str, int]
"""(token address, token id); token id 0 for a fungible token."""


@dataclass(frozen=True, slots=True)
class Move:
    """One ``Transfer`` log of a priced token."""

    at: LogPos
    token: str
    token_id: int
    amount: int
    sender: str
    receiver: str
    fungible: bool

    @property
    def key(self) -> AssetKey:
        return (self.token, 0 if self.fungible else self.token_id)


@dataclass(frozen=True, slots=True)
class Mark:
    """One ``PriceUpdated`` log of the competition's oracle."""

    at: LogPos
    token: str
    token_id: int
    fungible: bool
    price: int

    @property
    def key(self) -> AssetKey:
        return (self.token, 0 if self.fungible else self.token_id)


@dataclass(frozen=True, slots=True)
class Entry:
    """One ``ParticipantJoined`` log of the competition."""

    at: LogPos
    account: str


@dataclass(frozen=True, slots=True)
class Score:
    """An entrant's score and the flows that explain it (all wei x 10**18, exact)."""

    account: str
    score_e18: int
    start_value_e18: int
    """Value of what it held when it joined."""
    inflows_e18: int
    """Oracle value of what arrived, at arrival (0 for an unpriced asset)."""
    outflows_e18: int
    """Oracle value of what left, at departure."""
    first_priced_e18: int
    """Value given to held assets by their first price (capital, not profit)."""
    end_value_e18: int
    """Value of what it holds at the end block, at the last prices at or before it."""
    holdings: tuple[tuple[AssetKey, int], ...]
    """What it holds at the end block, sorted."""

    @property
    def score(self) -> int:
        """The score in wei, rounded toward minus infinity."""
        return self.score_e18 // UNIT

    @property
    def end_value(self) -> int:
        """The end value in wei, rounded down."""
        return self.end_value_e18 // UNIT


@dataclass
class _Asset:
    price: int = 0
    cum_e18: int = 0
    """Sum of scaled price moves so far, first pricing excluded."""
    holders: dict[str, int] = field(default_factory=dict)


@dataclass
class _Book:
    """One address's running score while it is an entrant."""

    score_e18: int = 0
    start_e18: int = 0
    inflows_e18: int = 0
    outflows_e18: int = 0
    first_priced_e18: int = 0
    settled_at: dict[AssetKey, int] = field(default_factory=dict)
    """cum_e18 of each held asset when its quantity last changed (or at join)."""


class Ledger:
    """Replays moves, marks and entries in chain order; pure and deterministic."""

    def __init__(self) -> None:
        self.assets: dict[AssetKey, _Asset] = {}
        self.fungible: dict[AssetKey, bool] = {}
        self.held: dict[str, dict[AssetKey, int]] = {}
        self.books: dict[str, _Book] = {}

    def _asset(self, key: AssetKey, fungible: bool) -> _Asset:
        asset = self.assets.get(key)
        if asset is None:
            asset = self.assets[key] = _Asset()
            self.fungible[key] = fungible
        return asset

    def _unit(self, key: AssetKey) -> int:
        return 1 if self.fungible[key] else UNIT

    def value_e18(self, key: AssetKey, quantity: int) -> int:
        """Oracle value of `quantity` of an asset now (0 when unpriced)."""
        return quantity * self.assets[key].price * self._unit(key)

    def _settle(self, book: _Book, account: str, key: AssetKey) -> None:
        asset = self.assets[key]
        quantity = asset.holders.get(account, 0)
        book.score_e18 += quantity * (asset.cum_e18 - book.settled_at.get(key, asset.cum_e18))
        book.settled_at[key] = asset.cum_e18

    def move(self, m: Move) -> None:
        """Applies one transfer: the sender's units leave, the receiver's arrive."""
        if m.amount <= 0 or m.sender == m.receiver:
            return
        key = m.key
        asset = self._asset(key, m.fungible)
        for account, sign in ((m.sender, -1), (m.receiver, 1)):
            if account == ZERO:
                continue
            book = self.books.get(account)
            if book is not None:
                self._settle(book, account, key)
                flow = self.value_e18(key, m.amount)
                if sign > 0:
                    book.inflows_e18 += flow
                else:
                    book.outflows_e18 += flow
            quantity = asset.holders.get(account, 0) + sign * m.amount
            # NOTE: a balance below zero means a log is missing (history read from too late a
            # block); refusing beats scoring from wrong positions.
            if quantity < 0:
                raise ValueError(
                    f"{account} sends {m.amount} of {key} holding {quantity + m.amount} at "
                    f"{m.at}: read the token's Transfer logs from its deployment block"
                )
            if quantity:
                asset.holders[account] = quantity
                self.held.setdefault(account, {})[key] = quantity
            else:
                asset.holders.pop(account, None)
                self.held.get(account, {}).pop(key, None)

    def mark(self, m: Mark) -> None:
        """Applies one price update; a first price is not a gain."""
        key = m.key
        asset = self._asset(key, m.fungible)
        if asset.price == 0:
            for account, quantity in asset.holders.items():
                book = self.books.get(account)
                if book is not None:
                    self._settle(book, account, key)
                    book.first_priced_e18 += quantity * m.price * self._unit(key)
        else:
            asset.cum_e18 += (m.price - asset.price) * self._unit(key)
        asset.price = m.price

    def join(self, e: Entry) -> None:
        """Starts an entrant's book: what it holds now is its starting capital."""
        account = e.account
        if account in self.books:
            return
        book = self.books[account] = _Book()
        for key, quantity in self.held.get(account, {}).items():
            book.settled_at[key] = self.assets[key].cum_e18
            book.start_e18 += self.value_e18(key, quantity)

    def score(self, account: str) -> Score:
        """The entrant's score as of everything applied so far."""
        book = self.books[account]
        end = 0
        for key in list(self.held.get(account, {})):
            self._settle(book, account, key)
        holdings = tuple(sorted(self.held.get(account, {}).items()))
        for key, quantity in holdings:
            end += self.value_e18(key, quantity)
        return Score(
            account=account,
            score_e18=book.score_e18,
            start_value_e18=book.start_e18,
            inflows_e18=book.inflows_e18,
            outflows_e18=book.outflows_e18,
            first_priced_e18=book.first_priced_e18,
            end_value_e18=end,
            holdings=holdings,
        )


def compute_scores(
    moves: Iterable[Move], marks: Iterable[Mark], entries: Iterable[Entry], end_block: int
) -> dict[str, Score]:
    """Every entrant's score at `end_block` (see the module doc for the definition).

    Args:
        moves: ``Transfer`` logs of the priced tokens, from their deployment.
        marks: ``PriceUpdated`` logs of the competition's oracle.
        entries: ``ParticipantJoined`` logs of the competition.
        end_block: The last block whose timestamp is before the competition's end.

    Returns:
        Checksummed entrant address to its score.

    Raises:
        ValueError: a transfer sends more than its sender holds (history incomplete), or
            two logs share a position.
    """
    tagged: list[tuple[LogPos, Move | Mark | Entry]] = [
        (x.at, x) for group in (moves, marks, entries) for x in group if x.at[0] <= end_block
    ]
    tagged.sort(key=lambda t: t[0])
    for (a, _), (b, _) in itertools.pairwise(tagged):
        if a == b:
            raise ValueError(f"two logs at block {a[0]} index {a[1]}")
    ledger = Ledger()
    for _, item in tagged:
        if isinstance(item, Move):
            ledger.move(_checksummed(item))
        elif isinstance(item, Mark):
            ledger.mark(item)
        else:
            ledger.join(Entry(item.at, _checksum(item.account)))
    return {account: ledger.score(account) for account in ledger.books}


@functools.lru_cache(maxsize=1 << 16)
def _checksum(address: str) -> str:
    # NOTE: cached: checksumming (a keccak per call) was 87 % of scoring time.
    return to_checksum_address(address)


def _checksummed(m: Move) -> Move:
    return Move(
        m.at, m.token, m.token_id, m.amount, _checksum(m.sender), _checksum(m.receiver), m.fungible
    )


def ranking(scores: Mapping[str, Score]) -> list[Score]:
    """Scores best first; equal scores by checksummed address (display order only)."""
    return sorted(scores.values(), key=lambda s: (-s.score_e18, s.account))


def prize_values(scores: Mapping[str, Score]) -> dict[str, int]:
    """The quantity prizes rank by (exact), for :func:`domacross_sdk.prizes.compute_prizes`."""
    return {account: s.score_e18 for account, s in scores.items()}
