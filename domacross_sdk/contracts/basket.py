"""Wrappers of DomainBasketFactory and DomainBasket (domain ETFs).

Every write returns a result built from the basket's events; `deposit` can approve the ERC-20
components it will pull first (`approve=True`), and the whole-NFT rule is explained in
`DomainBasket.redeem_nft`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from domacross_sdk.contracts.registry import read_registry
from domacross_sdk.convert import to_address
from domacross_sdk.enums import ComponentKind
from domacross_sdk.errors import InvalidInputError
from domacross_sdk.generated.bindings import (
    DomainBasketBinding,
    DomainBasketFactoryBinding,
    DomainFractionTokenBinding,
)
from domacross_sdk.generated.events import (
    BasketCreated,
    Deposited,
    NftDeposited,
    NftRedeemed,
    Redeemed,
)
from domacross_sdk.generated.structs import Component
from domacross_sdk.results import build
from domacross_sdk.tx import TxResult
from domacross_sdk.units import BPS

if TYPE_CHECKING:
    from eth_typing import ChecksumAddress

    from domacross_sdk.signers import Signer


@dataclass(frozen=True, kw_only=True)
class BasketCreatedResult(TxResult):
    """A basket created by the factory, owned by its creator."""

    basket: ChecksumAddress
    owner: ChecksumAddress
    index: int


@dataclass(frozen=True, kw_only=True)
class BasketDeposit(TxResult):
    """ERC-20 components (or one whole NFT) deposited for basket shares."""

    account: ChecksumAddress
    value: int
    """The deposit's oracle value in wei."""
    shares: int
    amounts: tuple[int, ...]
    """Units pulled per component (an NFT deposit: 1 at its index)."""


@dataclass(frozen=True, kw_only=True)
class BasketRedemption(TxResult):
    """Shares burned for ERC-20 components (or one whole NFT), paid in kind."""

    account: ChecksumAddress
    value: int
    """The oracle value paid out in wei."""
    shares: int
    amounts: tuple[int, ...]
    """Units paid per component (an NFT redemption: 1 at its index)."""


def component(kind: ComponentKind, token: str, weight_bps: int, token_id: int = 0) -> Component:
    """A basket component: a whole ERC-721 domain `(token, token_id)` or an ERC-20 fraction."""
    return Component(kind=kind, token=to_address(token), token_id=token_id, weight_bps=weight_bps)


class DomainBasketFactory(DomainBasketFactoryBinding):
    """Creates domain baskets and keeps their registry (`is_basket`)."""

    def create_basket(
        self,
        name: str,
        symbol: str,
        components: Sequence[Component],
        *,
        sender: Signer | None = None,
    ) -> BasketCreatedResult:
        """Creates a basket owned by the sender.

        Raises:
            InvalidInputError: the weights do not sum to 10,000 bps (checked before sending;
                a `ValueError`).
        """
        total = sum(c.weight_bps for c in components)
        if total != BPS:
            raise InvalidInputError(f"basket weights sum to {total} bps, not {BPS}")
        result = super().create_basket(name, symbol, components, sender=sender)
        event = result.event(BasketCreated)
        return build(
            BasketCreatedResult, result, basket=event.basket, owner=event.owner, index=event.index
        )

    def all_baskets(self, page_size: int = 500) -> Iterator[ChecksumAddress]:
        """Every basket of the registry, oldest first, read page by page."""
        return read_registry(self.baskets, page_size)


class DomainBasket(DomainBasketBinding):
    """A basket's shares (ERC-20), priced at NAV for every entry and exit."""

    def approve_components(self, value: int, *, sender: Signer | None = None) -> tuple[int, ...]:
        """Approves the basket to pull what `deposit(value)` would pull now; returns the amounts."""
        _, amounts = self.preview_deposit(value)
        for c, amount in zip(self.components(), amounts, strict=True):
            if amount and c.kind == ComponentKind.ERC20:
                token = DomainFractionTokenBinding(self._w3, self._sender, c.token, self._signer)
                token.approve(self.address, amount, sender=sender)
        return tuple(amounts)

    def deposit(
        self,
        value: int,
        min_shares: int = 0,
        *,
        approve: bool = False,
        sender: Signer | None = None,
    ) -> BasketDeposit:
        """Deposits ERC-20 components worth `value` wei, split by target weight.

        Args:
            value: The deposit's value in wei; each amount is rounded up.
            min_shares: Reverts (BasketTooFewShares) if fewer shares would be minted.
            approve: First approve exactly what the deposit pulls (`approve_components`).
            sender: The signer (default: the client's).
        """
        if approve:
            self.approve_components(value, sender=sender)
        result = super().deposit(value, min_shares, sender=sender)
        event = result.event(Deposited)
        return _moved(BasketDeposit, result, event, event.amounts)

    def deposit_nft(
        self, index: int, min_shares: int = 0, *, sender: Signer | None = None
    ) -> BasketDeposit:
        """Deposits the whole NFT of component `index` (approve it on its token first).

        Mints floor(price * supply / total value) shares: the NFT enters at its oracle price.
        """
        result = super().deposit_nft(index, min_shares, sender=sender)
        return _moved(BasketDeposit, result, result.event(NftDeposited), self._one_nft(index))

    def redeem(
        self, shares: int, min_value: int = 0, *, sender: Signer | None = None
    ) -> BasketRedemption:
        """Burns `shares` for their NAV in ERC-20 components, pro rata to holdings, in kind.

        Raises:
            BasketInsufficientFungibleValue: the ERC-20 part is worth less than the shares;
                the rest is in whole NFTs (see `redeem_nft`).
        """
        result = super().redeem(shares, min_value, sender=sender)
        event = result.event(Redeemed)
        return _moved(BasketRedemption, result, event, event.amounts)

    def redeem_nft(
        self, index: int, max_shares: int | None = None, *, sender: Signer | None = None
    ) -> BasketRedemption:
        """Takes the whole NFT of component `index` out of the basket.

        An NFT cannot be split: it leaves only whole, burning ceil(price * supply / total value)
        shares of the caller. `max_shares` defaults to that amount read just before sending.
        """
        if max_shares is None:
            max_shares = self.preview_redeem_nft(index)
        result = super().redeem_nft(index, max_shares, sender=sender)
        return _moved(BasketRedemption, result, result.event(NftRedeemed), self._one_nft(index))

    def _one_nft(self, index: int) -> tuple[int, ...]:
        """The amounts of a whole-NFT deposit or redemption: 1 at `index`, 0 elsewhere."""
        return tuple(int(i == index) for i in range(len(self.components())))


class _ValueMoved(Protocol):
    """What every deposit and redemption event says (`Deposited`, `NftRedeemed`, ...)."""

    @property
    def account(self) -> ChecksumAddress: ...
    @property
    def value(self) -> int: ...
    @property
    def shares(self) -> int: ...


_Moved = TypeVar("_Moved", BasketDeposit, BasketRedemption)


def _moved(
    cls: type[_Moved], result: TxResult, event: _ValueMoved, amounts: tuple[int, ...]
) -> _Moved:
    """The result of a deposit or redemption, from its event and the amounts per component."""
    return build(
        cls, result, account=event.account, value=event.value, shares=event.shares, amounts=amounts
    )
