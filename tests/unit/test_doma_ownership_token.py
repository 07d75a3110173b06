"""DomaOwnershipToken (local stand-in): every function and every custom error."""

from __future__ import annotations

import ape
import pytest
from eth_utils import function_signature_to_4byte_selector as sel

from tests.utils.constants import DAY

REGISTRAR_ID = 1_001  # an IANA registrar id


@pytest.fixture
def expiry(chain):
    return chain.pending_timestamp + 365 * DAY


@pytest.fixture
def minted(domain_token, registrar, alice, expiry):
    domain_token.mint(alice, 1, expiry, REGISTRAR_ID, sender=registrar)
    return 1


def test_mint__registrar__owner_expiry_registrar_and_event(domain_token, registrar, alice, expiry):
    tx = domain_token.mint(alice, 42, expiry, REGISTRAR_ID, sender=registrar)
    assert domain_token.ownerOf(42) == alice
    assert domain_token.expirationOf(42) == expiry
    assert domain_token.registrarOf(42) == REGISTRAR_ID
    assert not domain_token.isExpired(42)
    [log] = tx.decode_logs(domain_token.OwnershipTokenMinted)
    assert (log.tokenId, log.to, log.registrarIanaId, log.expiresAt) == (
        42,
        alice,
        REGISTRAR_ID,
        expiry,
    )


def test_mint__not_registrar__reverts(domain_token, stranger, alice, expiry):
    with ape.reverts(domain_token.AccessControlUnauthorizedAccount, account=stranger):
        domain_token.mint(alice, 1, expiry, REGISTRAR_ID, sender=stranger)


def test_mint__expiry_not_in_future__reverts(domain_token, registrar, alice, chain):
    now = chain.pending_timestamp
    chain.pending_timestamp = now
    with ape.reverts(domain_token.DomaExpiryNotInFuture, expiresAt=now, nowTs=now):
        domain_token.mint(alice, 1, now, REGISTRAR_ID, sender=registrar)


def test_mint__zero_registrar__reverts(domain_token, registrar, alice, expiry):
    with ape.reverts(domain_token.DomaZeroRegistrar):
        domain_token.mint(alice, 1, expiry, 0, sender=registrar)


def test_mint__existing_id__reverts(domain_token, registrar, bob, expiry, minted):
    with ape.reverts(domain_token.ERC721InvalidSender):
        domain_token.mint(bob, minted, expiry, REGISTRAR_ID, sender=registrar)


def test_transfer__live_token__moves(domain_token, alice, bob, minted):
    domain_token.transferFrom(alice, bob, minted, sender=alice)
    assert domain_token.ownerOf(minted) == bob


def test_transfer__expired_token__reverts(domain_token, alice, bob, minted, expiry, chain):
    chain.pending_timestamp = expiry
    with ape.reverts(domain_token.DomaTokenExpired, tokenId=minted, expiresAt=expiry, nowTs=expiry):
        domain_token.transferFrom(alice, bob, minted, sender=alice)


def test_is_expired__at_expiry__true(domain_token, minted, expiry, chain):
    chain.pending_timestamp = expiry
    chain.mine()
    assert domain_token.isExpired(minted)


def test_renew__later__extends_and_emits(domain_token, registrar, minted, expiry):
    tx = domain_token.renew(minted, expiry + DAY, sender=registrar)
    assert domain_token.expirationOf(minted) == expiry + DAY
    [log] = tx.decode_logs(domain_token.OwnershipTokenRenewed)
    assert (log.tokenId, log.previousExpiry, log.expiresAt) == (minted, expiry, expiry + DAY)


def test_renew__expired_token__revives_transfers(
    domain_token, registrar, alice, bob, minted, expiry, chain
):
    chain.pending_timestamp = expiry + DAY
    chain.mine()
    domain_token.renew(minted, expiry + 30 * DAY, sender=registrar)
    domain_token.transferFrom(alice, bob, minted, sender=alice)
    assert domain_token.ownerOf(minted) == bob


def test_renew__not_later__reverts(domain_token, registrar, minted, expiry):
    with ape.reverts(
        domain_token.DomaRenewalNotLater,
        tokenId=minted,
        currentExpiry=expiry,
        requestedExpiry=expiry,
    ):
        domain_token.renew(minted, expiry, sender=registrar)


def test_renew__still_in_past__reverts(domain_token, registrar, minted, expiry, chain):
    chain.pending_timestamp = expiry + 10 * DAY
    with ape.reverts(domain_token.DomaExpiryNotInFuture):
        domain_token.renew(minted, expiry + DAY, sender=registrar)


def test_renew__missing_token__reverts(domain_token, registrar, expiry):
    with ape.reverts(domain_token.ERC721NonexistentToken, tokenId=5):
        domain_token.renew(5, expiry, sender=registrar)


def test_renew__not_registrar__reverts(domain_token, stranger, minted, expiry):
    with ape.reverts(domain_token.AccessControlUnauthorizedAccount):
        domain_token.renew(minted, expiry + DAY, sender=stranger)


def test_burn__expired_token__removed(domain_token, registrar, minted, expiry, chain):
    chain.pending_timestamp = expiry + DAY
    tx = domain_token.burn(minted, sender=registrar)
    [log] = tx.decode_logs(domain_token.OwnershipTokenBurned)
    assert log.tokenId == minted
    with ape.reverts(domain_token.ERC721NonexistentToken):
        domain_token.ownerOf(minted)


def test_burn__not_registrar__reverts(domain_token, alice, minted):
    with ape.reverts(domain_token.AccessControlUnauthorizedAccount):
        domain_token.burn(minted, sender=alice)


@pytest.mark.parametrize("view", ["expirationOf", "registrarOf", "isExpired"])
def test_views__missing_token__revert(domain_token, view):
    with ape.reverts(domain_token.ERC721NonexistentToken, tokenId=77):
        getattr(domain_token, view)(77)


def test_supports_interface__erc721_access_control_and_doma(domain_token):
    assert domain_token.supportsInterface("0x80ac58cd")  # ERC-721
    assert domain_token.supportsInterface("0x7965db0b")  # AccessControl
    # IDomaOwnershipToken: expirationOf(uint256) ^ registrarOf(uint256)
    doma_id = int.from_bytes(sel("expirationOf(uint256)"), "big") ^ int.from_bytes(
        sel("registrarOf(uint256)"), "big"
    )
    assert domain_token.supportsInterface(doma_id.to_bytes(4, "big"))
    assert not domain_token.supportsInterface("0xffffffff")
