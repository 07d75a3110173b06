"""Helpers for domain-basket tests: components and the reference share math."""

from __future__ import annotations

ERC721, ERC20 = 0, 1
MIN_LIQUIDITY = 1_000


def component(kind: int, token: str, token_id: int, weight_bps: int) -> tuple[int, str, int, int]:
    """A `Component` tuple as the contracts take it."""
    return (kind, str(token), token_id, weight_bps)


def ceil_div(a: int, b: int) -> int:
    """Integer division rounded up."""
    return -(-a // b)
