"""Wrappers of the local token stand-ins."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from domacross_sdk.generated.bindings import DomainFractionTokenBinding, DomaOwnershipTokenBinding
from domacross_sdk.generated.events import OwnershipTokenMinted
from domacross_sdk.results import DomainMinted, build

if TYPE_CHECKING:
    from domacross_sdk.signers import Signer


class DomaOwnershipToken(DomaOwnershipTokenBinding):
    """The Ownership Token stand-in (ERC-721 with expiry). `mint` returns `DomainMinted`."""

    def mint(
        self,
        to: str,
        token_id: int,
        expires_at: datetime | int,
        registrar_iana_id: int,
        *,
        sender: Signer | None = None,
    ) -> DomainMinted:
        """Tokenizes a domain (registrar role)."""
        result = super().mint(to, token_id, expires_at, registrar_iana_id, sender=sender)
        event = result.event(OwnershipTokenMinted)
        return build(
            DomainMinted, result, token_id=event.token_id, to=event.to, expires_at=event.expires_at
        )


class DomainFractionToken(DomainFractionTokenBinding):
    """The fractional domain token stand-in (ERC-20)."""
