"""Prize arithmetic and the results Merkle tree, computed exactly as the contracts expect.

Anyone can recompute a competition's results from public data: the tracker's final
values (``PortfolioValueUpdated`` events or ``PortfolioTracker.valueOf``), the entrants
(``ParticipantJoined``) and the configuration (``CompetitionCreated``). The resolver posts
:attr:`Results.root` and :attr:`Results.total`; each winner claims with :meth:`Results.proof`.

Ranking rules (deterministic):
    * Entrants are ranked by final value, highest first.
    * Entrants with equal values share equally the prizes of the ranks they occupy
      (each share rounded down).
    * With fewer entrants than paid ranks, the shares of the ranks in use are scaled up to
      the whole pool after rake.
    * Every division rounds down; the dust stays in the competition and is swept to the
      treasury after the claim deadline.

Example:
    >>> results = compute_results({"0x" + "11" * 20: 300, "0x" + "22" * 20: 100},
    ...                           payout_bps=[7_000, 3_000], distributable=1_000)
    >>> sorted(results.prizes.values())
    [300, 700]
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from eth_abi.abi import encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from domacross_sdk.convert import Wei
from domacross_sdk.errors import InvalidInputError
from domacross_sdk.units import BPS

EMPTY_ROOT = keccak(b"DomaCross: no prize to pay")
"""The root of results that pay nothing (the contract refuses a zero root)."""


def pool(participants: int, entry_fee: int) -> Wei:
    """Entry fees collected from ``participants`` entrants (``entry_fee`` in wei)."""
    return Wei(participants * entry_fee)


def rake(pool_: int, rake_bps: int) -> Wei:
    """The treasury's share of a pool in wei."""
    return Wei(pool_ * rake_bps // BPS)


def distributable(pool_: int, rake_bps: int) -> Wei:
    """The pool after rake in wei: the most a competition's results may pay out."""
    return Wei(pool_ - rake(pool_, rake_bps))


def compute_prizes(
    values: Mapping[str, int], payout_bps: Sequence[int], distributable: int
) -> dict[str, int]:
    """Prize per entrant from final values, by the ranking rules of this module.

    Args:
        values: Final portfolio value per entrant address (every entrant, 0 if never valued).
        payout_bps: Share per rank in basis points, first rank first: positive,
            non-increasing, summing to 10,000 (the factory enforces the same).
        distributable: The pool after rake, in wei.

    Returns:
        Checksummed address to prize in wei, for entrants with a non-zero prize.

    Raises:
        InvalidInputError: the schedule is empty, has a non-positive or increasing entry, or
            does not sum to 10,000 (a `ValueError`).
    """
    descending = all(a >= b for a, b in itertools.pairwise(payout_bps))
    if not payout_bps or min(payout_bps) <= 0 or sum(payout_bps) != BPS or not descending:
        raise InvalidInputError(
            f"payout schedule must be positive, non-increasing bps summing to {BPS}: {payout_bps}"
        )
    ranked = sorted(
        ((to_checksum_address(a), v) for a, v in values.items()), key=lambda av: (-av[1], av[0])
    )
    used = payout_bps[: len(ranked)]
    scale = sum(used)
    prizes: dict[str, int] = {}
    rank = 0
    while rank < len(used):
        value = ranked[rank][1]
        group = [a for a, v in ranked[rank:] if v == value]
        group_bps = sum(used[rank : rank + len(group)])
        share = distributable * group_bps // scale // len(group)
        for account in group:
            if share > 0:
                prizes[account] = share
        rank += len(group)
    return prizes


def leaf_hash(account: str, amount: int) -> bytes:
    """The leaf of (account, amount): OpenZeppelin StandardMerkleTree's double hash."""
    return keccak(keccak(encode(["address", "uint256"], [to_checksum_address(account), amount])))


def _hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak(a + b) if a < b else keccak(b + a)


@dataclass(frozen=True)
class Results:
    """A competition's results: prizes, their Merkle tree, root and total."""

    prizes: dict[str, int]
    tree: tuple[bytes, ...]
    leaf_index: dict[str, int]

    @property
    def root(self) -> bytes:
        """The Merkle root the resolver posts."""
        return self.tree[0]

    @property
    def total(self) -> int:
        """Sum of all prizes: the total the resolver posts."""
        return sum(self.prizes.values())

    def proof(self, account: str) -> list[bytes]:
        """The Merkle proof that ``account`` is owed ``prizes[account]``.

        Raises:
            KeyError: the account has no prize.
        """
        i = self.leaf_index[to_checksum_address(account)]
        proof = []
        while i > 0:
            proof.append(self.tree[i + 1 if i % 2 else i - 1])
            i = (i - 1) // 2
        return proof


def build_results(prizes: Mapping[str, int]) -> Results:
    """Builds the Merkle tree of prizes, laid out as OpenZeppelin's StandardMerkleTree.

    With no prize to pay the root is `EMPTY_ROOT` and the total 0.
    """
    entries = sorted(
        ((leaf_hash(a, amount), to_checksum_address(a)) for a, amount in prizes.items()),
        key=lambda e: e[0],
    )
    if not entries:
        # Nothing to pay (no entrant, a free competition, or shares that round to zero):
        # the contract still needs a non-zero root, and no leaf can be proven against this one.
        return Results(prizes={}, tree=(EMPTY_ROOT,), leaf_index={})
    n = len(entries)
    tree: list[bytes] = [b""] * (2 * n - 1)
    leaf_index: dict[str, int] = {}
    for i, (h, account) in enumerate(entries):
        tree[len(tree) - 1 - i] = h
        leaf_index[account] = len(tree) - 1 - i
    for i in range(len(tree) - 1 - n, -1, -1):
        tree[i] = _hash_pair(tree[2 * i + 1], tree[2 * i + 2])
    return Results(
        prizes={to_checksum_address(a): v for a, v in prizes.items()},
        tree=tuple(tree),
        leaf_index=leaf_index,
    )


def compute_results(
    values: Mapping[str, int], payout_bps: Sequence[int], distributable: int
) -> Results:
    """:func:`compute_prizes` then :func:`build_results`."""
    return build_results(compute_prizes(values, payout_bps, distributable))
