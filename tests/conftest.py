"""Fixtures shared by every `ape test` module: roles, then contracts built from them."""

from __future__ import annotations

import pytest

from tests.utils.constants import MAX_AGE, MAX_CHANGE_BPS


@pytest.fixture(scope="session")
def owner(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def reporter(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def registrar(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def stranger(accounts):
    return accounts[9]


@pytest.fixture(scope="session")
def oracle(project, owner, reporter):
    contract = project.ValuationOracle.deploy(owner, MAX_AGE, MAX_CHANGE_BPS, sender=owner)
    contract.grantRole(contract.REPORTER_ROLE(), reporter, sender=owner)
    return contract


@pytest.fixture(scope="session")
def domain_token(project, owner, registrar):
    contract = project.DomaOwnershipToken.deploy(owner, sender=owner)
    contract.grantRole(contract.REGISTRAR_ROLE(), registrar, sender=owner)
    return contract
