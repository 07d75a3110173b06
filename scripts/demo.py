"""`ape run demo`: compile, deploy the suite to a local chain and print the addresses.

Runs on the embedded test chain by default (`--network ethereum:local:test`); the
end-to-end competition demo builds on this.
"""

from __future__ import annotations

import click
from ape import project
from ape.cli import ConnectedProviderCommand, network_option
from rich.console import Console
from rich.table import Table

MAX_PRICE_AGE = 86_400
MAX_CHANGE_BPS = 2_000
# minDuration, maxDuration, disputeWindow, minClaimPeriod, minEntryFee, maxEntryFee,
# maxRakeBps, maxPayoutRanks
LIMITS = (3_600, 30 * 86_400, 3_600, 86_400, 0, 100 * 10**18, 1_000, 10)


@click.command(cls=ConnectedProviderCommand, short_help="Deploy the contracts to a local chain")
@network_option(default="ethereum:local:test")
def cli(ecosystem, network, provider):
    console = Console()
    if not network.is_local:
        raise click.UsageError(f"the demo runs on local chains only, not {network.choice}")
    from ape import accounts

    deployer = accounts.test_accounts[0]
    oracle = project.ValuationOracle.deploy(
        deployer, MAX_PRICE_AGE, MAX_CHANGE_BPS, sender=deployer
    )
    tracker = project.PortfolioTracker.deploy(deployer, oracle, sender=deployer)
    factory = project.CompetitionFactory.deploy(deployer, LIMITS, sender=deployer)
    tracker.setFactory(factory, sender=deployer)
    token = project.DomaOwnershipToken.deploy(deployer, sender=deployer)

    table = Table(title=f"DomaCross on {network.choice} (chain id {provider.chain_id})")
    table.add_column("contract")
    table.add_column("address", min_width=42, no_wrap=True)
    for name, contract in (
        ("ValuationOracle", oracle),
        ("PortfolioTracker", tracker),
        ("CompetitionFactory", factory),
        ("Competition (clone implementation)", project.Competition.at(factory.implementation())),
        ("DomaOwnershipToken (local stand-in)", token),
    ):
        table.add_row(name, contract.address)
    console.print(table)
