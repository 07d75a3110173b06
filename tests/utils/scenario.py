"""Chain activity through the SDK alone (no Ape), for indexer tests and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from domacross_sdk import (
    Addresses,
    AssetKind,
    CompetitionParams,
    DomaCross,
    Holding,
    LocalSigner,
)
from tests.utils.anvil import ANVIL_KEYS

LIMITS = (3_600, 30 * 86_400, 3_600, 86_400, 0, 100 * 10**18, 1_000, 10)
FEE = 10**17


@dataclass
class Suite:
    """A deployed suite on one node, with the signers that run it."""

    dc: DomaCross
    record: dict[str, Any]
    admin: LocalSigner
    players: list[LocalSigner]
    token: str


def deploy_suite(url: str) -> Suite:
    """Deploys oracle, tracker, factory and the Ownership Token stand-in; grants every role
    to the admin (anvil account 0); returns a record as `deployments/` writes it."""
    admin = LocalSigner.from_key(ANVIL_KEYS[0])
    dc = DomaCross.connect(url, signer=admin)
    start = dc.w3.eth.block_number + 1
    oracle = dc.deploy("ValuationOracle", admin.address, 10 * 365 * 86_400, 1_000_000)
    tracker = dc.deploy("PortfolioTracker", admin.address, oracle)
    factory = dc.deploy("CompetitionFactory", admin.address, LIMITS)
    token = dc.deploy("DomaOwnershipToken", admin.address)
    addresses = Addresses(oracle=oracle, tracker=tracker, factory=factory, ownership_token=token)
    dc = DomaCross.connect(url, addresses=addresses, signer=admin)
    dc.tracker.set_factory(factory)
    dc.factory.set_tracker(tracker)  # the factory accepts its own tracker only
    for contract, role in (
        (dc.oracle, dc.oracle.reporter_role()),
        (dc.tracker, dc.tracker.updater_role()),
        (dc.factory, dc.factory.organizer_role()),
        (dc.factory, dc.factory.resolver_role()),
        (dc.factory, dc.factory.guardian_role()),
    ):
        contract.grant_role(role, admin.address)
    dc.ownership_token().grant_role(dc.ownership_token().registrar_role(), admin.address)
    record = {
        "contracts": {
            name: {"address": address, "block_number": start}
            for name, address in (
                ("ValuationOracle", oracle),
                ("PortfolioTracker", tracker),
                ("CompetitionFactory", factory),
                ("DomaOwnershipToken", token),
            )
        }
    }
    players = [LocalSigner.from_key(k) for k in ANVIL_KEYS[1:4]]
    return Suite(dc=dc, record=record, admin=admin, players=players, token=token)


def chain_now(dc: DomaCross) -> datetime:
    return datetime.fromtimestamp(int(dc.w3.eth.get_block("latest")["timestamp"]), UTC)


def advance(dc: DomaCross, seconds: int) -> None:
    """Moves anvil's clock forward and mines a block."""
    dc.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    dc.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def competition_params(
    suite: Suite, start: datetime, *, hours: int = 2, payout_bps: tuple[int, ...] = (7_000, 3_000)
) -> CompetitionParams:
    """A competition of ``hours`` from ``start`` on ``suite``: fee FEE, up to 10 entrants,
    5% rake to the admin, claims for two days after the end."""
    dc = suite.dc
    return CompetitionParams(
        start_time=start,
        end_time=start + timedelta(hours=hours),
        claim_deadline=start + timedelta(hours=hours, days=2),
        entry_fee=FEE,
        max_participants=10,
        rake_bps=500,
        oracle=dc.addresses.oracle or "",
        tracker=dc.addresses.tracker or "",
        treasury=suite.admin.address,
        payout_bps=payout_bps,
    )


def run_competition(suite: Suite, *, token_base: int = 1, finish: bool = True) -> str:
    """A competition with every event kind: create, joins, prices, tracker updates, results,
    finalize, claims and sweep (when `finish`). Returns its address."""
    dc = suite.dc
    start = chain_now(dc) + timedelta(seconds=30)
    created = dc.factory.create_competition(competition_params(suite, start))
    competition = dc.competition(created.competition)
    token = dc.ownership_token()
    expiry = chain_now(dc) + timedelta(days=365)
    for i, player in enumerate(suite.players):
        token.mint(player.address, token_base + i, expiry, 1001)
        dc.oracle.set_price(suite.token, token_base + i, (i + 1) * 10**18)
    advance(dc, 31)
    for player in suite.players:
        competition.join(sender=player)
    for i, player in enumerate(suite.players):
        holding = Holding(
            kind=AssetKind.ERC721, token=suite.token, token_id=token_base + i, amount=1
        )
        dc.tracker.update_portfolio_value(competition.address, player.address, [holding])
    if not finish:
        return competition.address
    advance(dc, 2 * 3_600)
    results = competition.compute_results()
    competition.post_results(results.root, results.total)
    advance(dc, 3_601)
    competition.finalize()
    winner = max(results.prizes, key=lambda a: results.prizes[a])
    competition.claim_prize(results, sender=next(p for p in suite.players if p.address == winner))
    advance(dc, 2 * 86_400 + 1)
    competition.sweep()
    return competition.address
