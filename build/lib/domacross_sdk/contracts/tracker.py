"""The PortfolioTracker wrapper."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from domacross_sdk.convert import to_address
from domacross_sdk.generated.bindings import PortfolioTrackerBinding
from domacross_sdk.generated.events import PortfolioValueUpdated
from domacross_sdk.generated.structs import Holding
from domacross_sdk.results import Valued, build

if TYPE_CHECKING:
    from domacross_sdk.signers import Signer


def sort_holdings(holdings: Sequence[Holding]) -> list[Holding]:
    """Holdings in the order the tracker requires: ascending (token, tokenId)."""
    return sorted(holdings, key=lambda h: (int(to_address(h.token), 16), h.token_id))


class PortfolioTracker(PortfolioTrackerBinding):
    """Values participants' portfolios on chain. `update_portfolio_value` returns `Valued`."""

    def update_portfolio_value(
        self,
        competition: str,
        user: str,
        holdings: Sequence[Holding],
        *,
        sender: Signer | None = None,
    ) -> Valued:
        """Values `user`'s holdings for `competition` (updater role).

        Holdings are sorted here into the order the contract requires.
        """
        result = super().update_portfolio_value(
            competition, user, sort_holdings(holdings), sender=sender
        )
        event = result.event(PortfolioValueUpdated)
        return build(
            Valued, result, competition=event.competition, user=event.user, value=event.value
        )
