"""Domain results of writes: a mined transaction plus what it did, from its decoded events."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Self, TypeVar

from eth_typing import ChecksumAddress

from domacross_sdk.generated.events import PriceUpdated
from domacross_sdk.tx import TxResult


def _base(result: TxResult) -> dict[str, Any]:
    return {f.name: getattr(result, f.name) for f in fields(TxResult)}


@dataclass(frozen=True, kw_only=True)
class PricesSet(TxResult):
    """Prices written to the oracle."""

    updates: tuple[PriceUpdated, ...]

    @classmethod
    def of(cls, result: TxResult) -> Self:
        return cls(**_base(result), updates=tuple(result.events_of(PriceUpdated)))


@dataclass(frozen=True, kw_only=True)
class CompetitionCreatedResult(TxResult):
    """A competition created by the factory."""

    competition: ChecksumAddress
    organizer: ChecksumAddress
    index: int


@dataclass(frozen=True, kw_only=True)
class Joined(TxResult):
    """An entrant joined a competition."""

    account: ChecksumAddress
    fee: int
    participant_count: int


@dataclass(frozen=True, kw_only=True)
class ResultsPostedResult(TxResult):
    """Results posted by a resolver; final after `dispute_ends_at`."""

    merkle_root: bytes
    total_payout: int
    dispute_ends_at: datetime


@dataclass(frozen=True, kw_only=True)
class Finalized(TxResult):
    """Results made final; the rake paid to the treasury."""

    merkle_root: bytes
    total_payout: int
    rake: int


@dataclass(frozen=True, kw_only=True)
class Paid(TxResult):
    """A prize claimed, a refund pulled, or the rest swept: who got how much."""

    account: ChecksumAddress
    amount: int


@dataclass(frozen=True, kw_only=True)
class Valued(TxResult):
    """A portfolio valued by the tracker."""

    competition: ChecksumAddress
    user: ChecksumAddress
    value: int


@dataclass(frozen=True, kw_only=True)
class DomainMinted(TxResult):
    """A domain tokenized by the Ownership Token stand-in."""

    token_id: int
    to: ChecksumAddress
    expires_at: datetime


R = TypeVar("R", bound=TxResult)


def build(cls: type[R], result: TxResult, **values: Any) -> R:
    """Builds a result class from a TxResult and its domain values."""
    return cls(**_base(result), **values)
