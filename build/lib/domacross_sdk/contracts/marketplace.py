"""Wrapper of the local marketplace stand-in."""

from __future__ import annotations

from domacross_sdk.generated.bindings import DomainMarketplaceBinding


class DomainMarketplace(DomainMarketplaceBinding):
    """Fixed-price listings of domain tokens (local chains): its `Sold` events price the
    indexer's trades."""
