"""The ValuationOracle wrapper."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from domacross_sdk.generated.bindings import ValuationOracleBinding
from domacross_sdk.results import PricesSet

if TYPE_CHECKING:
    from domacross_sdk.signers import Signer


class ValuationOracle(ValuationOracleBinding):
    """Domain prices with a change cap and a staleness bound. Writes return `PricesSet`."""

    def set_price(
        self, collection: str, token_id: int, price: int, *, sender: Signer | None = None
    ) -> PricesSet:
        """Sets the price of one ERC-721 domain (reporter role; capped)."""
        return PricesSet.of(super().set_price(collection, token_id, price, sender=sender))

    def set_prices(
        self,
        collections: Sequence[str],
        token_ids: Sequence[int],
        prices: Sequence[int],
        *,
        sender: Signer | None = None,
    ) -> PricesSet:
        """Sets many ERC-721 domain prices (reporter role; capped; at most MAX_BATCH)."""
        result = super().set_prices(collections, token_ids, prices, sender=sender)
        return PricesSet.of(result)

    def set_fungible_price(
        self, token: str, price: int, *, sender: Signer | None = None
    ) -> PricesSet:
        """Sets the price per 1e18 units of a fungible domain token (reporter role; capped)."""
        return PricesSet.of(super().set_fungible_price(token, price, sender=sender))

    def set_fungible_prices(
        self, tokens: Sequence[str], prices: Sequence[int], *, sender: Signer | None = None
    ) -> PricesSet:
        """Sets many fungible prices (reporter role; capped; at most MAX_BATCH)."""
        return PricesSet.of(super().set_fungible_prices(tokens, prices, sender=sender))

    def override_price(
        self, collection: str, token_id: int, price: int, *, sender: Signer | None = None
    ) -> PricesSet:
        """Sets an ERC-721 domain price without the cap (admin role)."""
        return PricesSet.of(super().override_price(collection, token_id, price, sender=sender))

    def override_fungible_price(
        self, token: str, price: int, *, sender: Signer | None = None
    ) -> PricesSet:
        """Sets a fungible domain token's price without the cap (admin role)."""
        return PricesSet.of(super().override_fungible_price(token, price, sender=sender))
