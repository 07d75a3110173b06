"""Fixtures shared by every `ape test` module: roles, then contracts built from them."""

from __future__ import annotations

import pytest

from tests.utils.constants import (
    DAY,
    DISPUTE_WINDOW,
    FEE,
    LIMITS,
    MAX_AGE,
    MAX_CHANGE_BPS,
    MIN_CLAIM_PERIOD,
    PAYOUT_BPS,
    RAKE_BPS,
)
from tests.utils.fast_suite import deploy_fast_suite

pytest_plugins = ["domacross_fuzz.fixtures", "tests.utils.schedule"]


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


@pytest.fixture(scope="session")
def carol(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def resolver(accounts):
    return accounts[6]


@pytest.fixture(scope="session")
def guardian(accounts):
    return accounts[7]


@pytest.fixture(scope="session")
def treasury(accounts):
    return accounts[8]


@pytest.fixture(scope="session")
def updater(accounts):
    return accounts[10]


@pytest.fixture(scope="session")
def factory(project, owner, resolver, guardian, treasury):
    contract = project.CompetitionFactory.deploy(owner, LIMITS, sender=owner)
    contract.setTreasury(treasury, sender=owner)
    contract.grantRole(contract.ORGANIZER_ROLE(), owner, sender=owner)
    contract.grantRole(contract.RESOLVER_ROLE(), resolver, sender=owner)
    contract.grantRole(contract.GUARDIAN_ROLE(), guardian, sender=owner)
    return contract


@pytest.fixture(scope="session")
def tracker(project, owner, updater, oracle, factory):
    contract = project.PortfolioTracker.deploy(owner, oracle, sender=owner)
    contract.grantRole(contract.UPDATER_ROLE(), updater, sender=owner)
    contract.setFactory(factory, sender=owner)
    factory.setTracker(contract, sender=owner)
    return contract


@pytest.fixture(scope="session")
def fraction_token(project, owner):
    contract = project.DomainFractionToken.deploy(
        owner, "crypto.com fraction", "FCRYPTO", sender=owner
    )
    contract.grantRole(contract.MINTER_ROLE(), owner, sender=owner)
    return contract


@pytest.fixture
def make_params(chain, oracle, tracker, treasury):
    """Builds valid CompetitionParams; keyword arguments override single fields."""

    def make(**overrides):
        start = overrides.pop("start", chain.pending_timestamp + 60)
        end = overrides.pop("end", start + DAY)
        params = {
            "startTime": start,
            "endTime": end,
            "claimDeadline": end + DISPUTE_WINDOW + MIN_CLAIM_PERIOD + DAY,
            "entryFee": FEE,
            "maxParticipants": 100,
            "rakeBps": RAKE_BPS,
            "oracle": oracle.address,
            "tracker": tracker.address,
            "treasury": treasury.address,
            "payoutBps": PAYOUT_BPS,
        }
        params.update(overrides)
        return params

    return make


@pytest.fixture
def make_competition(project, chain, factory, owner, make_params):
    """Creates a competition through the factory and returns it as a contract instance."""

    def make(sender=None, **overrides):
        tx = factory.createCompetition(make_params(**overrides), sender=sender or owner)
        [log] = tx.decode_logs(factory.CompetitionCreated)
        # NOTE: `replace`: Ape caches a contract type per address for the whole session,
        # and a test reverted before this one may have left another contract's type at the
        # clone's address (a CREATE address repeats after a revert); Ape's cached type
        # would win over `Competition.at`'s.
        return chain.contracts.instance_at(
            log.competition, contract_type=project.Competition.contract_type, replace=True
        )

    return make


@pytest.fixture
def competition(make_competition):
    return make_competition()


@pytest.fixture
def open_competition(competition, chain):
    chain.pending_timestamp = competition.config().startTime
    return competition


# -- The same suite on the fast engine (domacross_fuzz, docs/fuzzing.md) --------------
# Session-scoped: deployed once; every test and every Hypothesis example runs in a snapshot.


@pytest.fixture(scope="session")
def fast_suite(fast_project, owner, reporter, registrar, resolver, guardian, updater, treasury):
    return deploy_fast_suite(
        fast_project,
        owner=owner,
        reporter=reporter,
        registrar=registrar,
        resolver=resolver,
        guardian=guardian,
        updater=updater,
        treasury=treasury,
    )


@pytest.fixture(scope="session")
def fast_oracle(fast_suite):
    return fast_suite.oracle


@pytest.fixture(scope="session")
def fast_domain_token(fast_suite):
    return fast_suite.domain_token


@pytest.fixture(scope="session")
def fast_factory(fast_suite):
    return fast_suite.factory


@pytest.fixture(scope="session")
def fast_tracker(fast_suite):
    return fast_suite.tracker


@pytest.fixture(scope="session")
def make_fast_competition(fast_suite, owner):
    """Creates a competition on the fast chain; keyword arguments override single params."""

    def make(sender=None, **overrides):
        return fast_suite.make_competition(sender or owner, **overrides)

    return make
