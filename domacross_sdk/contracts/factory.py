"""The CompetitionFactory wrapper."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from domacross_sdk.contracts.registry import read_registry
from domacross_sdk.generated.bindings import CompetitionFactoryBinding
from domacross_sdk.generated.events import CompetitionCreated
from domacross_sdk.generated.structs import CompetitionParams
from domacross_sdk.results import CompetitionCreatedResult, build

if TYPE_CHECKING:
    from eth_typing import ChecksumAddress

    from domacross_sdk.signers import Signer


class CompetitionFactory(CompetitionFactoryBinding):
    """Creates competitions and keeps their registry."""

    def create_competition(
        self, params: CompetitionParams, *, sender: Signer | None = None
    ) -> CompetitionCreatedResult:
        """Creates a competition (organizer role unless creation is open).

        Returns the new competition's address, organizer and registry index; open it with
        `DomaCross.competition(result.competition)`.
        """
        result = super().create_competition(params, sender=sender)
        event = result.event(CompetitionCreated)
        return build(
            CompetitionCreatedResult,
            result,
            competition=event.competition,
            organizer=event.organizer,
            index=event.index,
        )

    def all_competitions(self, page_size: int = 500) -> Iterator[ChecksumAddress]:
        """Every competition of the registry, oldest first, read page by page."""
        return read_registry(self.competitions, page_size)
