"""The contract suite of tests/conftest.py, deployed on the fast engine (domacross_fuzz).

Shared by the session fixtures (`fast_oracle`, `fast_factory`, ...) and by
`bench/fuzz_bench.py`, so both fuzz exactly the same deployment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class FastSuite:
    project: Any  # domacross_fuzz.FastProject
    oracle: Any
    domain_token: Any
    factory: Any
    tracker: Any
    treasury: str

    def competition_params(self, **overrides) -> dict:
        """Valid CompetitionParams starting a minute from now; keywords override fields."""
        start = overrides.pop("start", self.project.chain.timestamp + 60)
        end = overrides.pop("end", start + DAY)
        params = {
            "startTime": start,
            "endTime": end,
            "claimDeadline": end + DISPUTE_WINDOW + MIN_CLAIM_PERIOD + DAY,
            "entryFee": FEE,
            "maxParticipants": 100,
            "rakeBps": RAKE_BPS,
            "oracle": self.oracle.address,
            "tracker": self.tracker.address,
            "treasury": self.treasury,
            "payoutBps": PAYOUT_BPS,
        }
        params.update(overrides)
        return params

    def make_competition(self, sender, **overrides):
        """Creates a competition through the factory and returns it."""
        tx = self.factory.createCompetition(self.competition_params(**overrides), sender=sender)
        [log] = tx.decode_logs(self.factory.CompetitionCreated)
        return self.project.Competition.at(log.competition)


def deploy_fast_suite(
    fast_project, *, owner, reporter, registrar, resolver, guardian, updater, treasury
) -> FastSuite:
    """Deploys oracle, domain token, factory and tracker with the roles of tests/conftest.py."""
    oracle = fast_project.ValuationOracle.deploy(owner, MAX_AGE, MAX_CHANGE_BPS, sender=owner)
    oracle.grantRole(oracle.REPORTER_ROLE(), reporter, sender=owner)
    token = fast_project.DomaOwnershipToken.deploy(owner, sender=owner)
    token.grantRole(token.REGISTRAR_ROLE(), registrar, sender=owner)
    factory = fast_project.CompetitionFactory.deploy(owner, LIMITS, sender=owner)
    factory.grantRole(factory.ORGANIZER_ROLE(), owner, sender=owner)
    factory.grantRole(factory.RESOLVER_ROLE(), resolver, sender=owner)
    factory.grantRole(factory.GUARDIAN_ROLE(), guardian, sender=owner)
    tracker = fast_project.PortfolioTracker.deploy(owner, oracle, sender=owner)
    tracker.grantRole(tracker.UPDATER_ROLE(), updater, sender=owner)
    tracker.setFactory(factory, sender=owner)
    treasury_address = getattr(treasury, "address", treasury)
    factory.setTracker(tracker, sender=owner)
    factory.setTreasury(treasury_address, sender=owner)
    return FastSuite(fast_project, oracle, token, factory, tracker, treasury_address)
