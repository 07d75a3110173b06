"""Enums of the contracts' ABIs, with the values the contracts use."""

from __future__ import annotations

from enum import IntEnum


class Status(IntEnum):
    """A competition's lifecycle status (`ICompetitionTypes.Status`)."""

    SCHEDULED = 0
    OPEN = 1
    ENDED = 2
    FINALIZED = 3
    CANCELLED = 4


class AssetKind(IntEnum):
    """The standard of a tracked holding (`IPortfolioTracker.AssetKind`)."""

    ERC721 = 0
    ERC20 = 1
    BASKET = 2


class ComponentKind(IntEnum):
    """The standard of a basket component (`IDomainBasketTypes.ComponentKind`)."""

    ERC721 = 0
    ERC20 = 1
