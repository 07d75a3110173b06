"""Reading a factory's registry (both factories inherit `RegistryFactory` on chain)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from eth_typing import ChecksumAddress


def read_registry(
    page: Callable[[int, int], Sequence[ChecksumAddress]], page_size: int
) -> Iterator[ChecksumAddress]:
    """Every instance of a registry, oldest first, read `page_size` at a time.

    Args:
        page: The factory's paging view, `(offset, limit) -> addresses` (`competitions`,
            `baskets`); it returns fewer than `limit` past the end.
        page_size: Addresses per call.
    """
    offset = 0
    while True:
        addresses = page(offset, page_size)
        yield from addresses
        if len(addresses) < page_size:
            return
        offset += page_size
