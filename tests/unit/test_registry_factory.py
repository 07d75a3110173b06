"""What every factory shares (contracts/base/RegistryFactory.sol): a non-zero admin, a guardian
who may pause creation, an admin who alone unpauses. Each test runs on both factories."""

from __future__ import annotations

import ape
import pytest

from tests.utils.constants import LIMITS, ZERO_ADDRESS

FACTORIES = ["CompetitionFactory", "DomainBasketFactory"]


@pytest.fixture(params=FACTORIES)
def kind(request):
    return request.param


@pytest.fixture
def deploy(project, oracle, factory, tracker):
    """Deploys a fresh factory of `kind` administered by `admin`."""
    # NOTE: the session's factory and tracker are requested first on purpose: a session
    # fixture first built after this deployment would be deployed at a reused address.

    def make(kind, admin, sender):
        if kind == "CompetitionFactory":
            return project.CompetitionFactory.deploy(admin, LIMITS, sender=sender)
        return project.DomainBasketFactory.deploy(admin, oracle, sender=sender)

    return make


@pytest.fixture
def registry(deploy, kind, owner, guardian):
    """A fresh factory of `kind`: `owner` is its admin, `guardian` holds GUARDIAN_ROLE."""
    contract = deploy(kind, owner, owner)
    contract.grantRole(contract.GUARDIAN_ROLE(), guardian, sender=owner)
    return contract


@pytest.fixture
def create(kind, make_params, owner):
    """Sends one creation to the factory (its arguments matter only past the pause check)."""

    def send(contract):
        if kind == "CompetitionFactory":
            return contract.createCompetition(make_params(), sender=owner)
        return contract.createBasket("x", "X", [], sender=owner)

    return send


def test_deploy__zero_admin__reverts(project, deploy, kind, owner):
    with ape.reverts(getattr(project, kind).FactoryZeroAdmin):
        deploy(kind, ZERO_ADDRESS, owner)


def test_pause__guardian__stops_creation(registry, create, guardian):
    tx = registry.pause(sender=guardian)
    assert [log.account for log in tx.decode_logs(registry.Paused)] == [guardian]
    assert registry.paused()
    with ape.reverts(registry.EnforcedPause):
        create(registry)


def test_pause__admin__stops_creation(registry, create, owner):
    registry.pause(sender=owner)
    assert registry.paused()
    with ape.reverts(registry.EnforcedPause):
        create(registry)


def test_pause__outside_wallet__reverts(registry, stranger):
    with ape.reverts(
        registry.AccessControlUnauthorizedAccount,
        account=stranger,
        neededRole=registry.DEFAULT_ADMIN_ROLE(),
    ):
        registry.pause(sender=stranger)
    assert not registry.paused()


def test_pause__guardian_role_revoked__reverts(registry, owner, guardian):
    registry.revokeRole(registry.GUARDIAN_ROLE(), guardian, sender=owner)
    with ape.reverts(registry.AccessControlUnauthorizedAccount, account=guardian):
        registry.pause(sender=guardian)


def test_unpause__guardian__reverts_admin_resumes(registry, owner, guardian):
    registry.pause(sender=guardian)
    with ape.reverts(
        registry.AccessControlUnauthorizedAccount,
        account=guardian,
        neededRole=registry.DEFAULT_ADMIN_ROLE(),
    ):
        registry.unpause(sender=guardian)
    tx = registry.unpause(sender=owner)
    assert [log.account for log in tx.decode_logs(registry.Unpaused)] == [owner]
    assert not registry.paused()
