"""SDK fixtures: the client over Ape's embedded chain, with Ape's test accounts as signers."""

from __future__ import annotations

import pytest

from domacross_sdk import Addresses, DomaCross, LocalSigner


def signer_of(account) -> LocalSigner:
    """A local signer with the key of one of Ape's test accounts (public test mnemonic)."""
    return LocalSigner.from_key(account.private_key)


@pytest.fixture
def dc(chain, oracle, tracker, factory, domain_token, fraction_token, owner):
    addresses = Addresses(
        oracle=oracle.address,
        tracker=tracker.address,
        factory=factory.address,
        ownership_token=domain_token.address,
        fraction_token=fraction_token.address,
    )
    return DomaCross.from_web3(chain.provider.web3, addresses=addresses, signer=signer_of(owner))
