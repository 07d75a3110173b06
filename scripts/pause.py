"""`ape run pause`: pause or unpause the oracle, the tracker, the factory or one competition.

    ape run pause --network N --target oracle              # admin: stops price updates
    ape run pause --network N --target tracker             # admin: stops valuation updates
    ape run pause --network N --target factory             # guardian or admin: stops creation
    ape run pause --network N --target 0xCOMPETITION       # its organizer or a guardian
    ape run pause --network N --target factory --unpause   # unpausing the factory: admin only

A target already in the asked state is reported and nothing is sent. A competition must be
one of the deployment's factory.
"""

from __future__ import annotations

import click
from ape.cli import network_option

from domacross_deploy.admin import Admin, script_errors
from domacross_deploy.session import (
    DomaCrossCommand,
    ScriptError,
    account_option,
    address,
    deployments_dir_option,
)


@click.command(
    cls=DomaCrossCommand, short_help="Pause or unpause the oracle, factory or a competition"
)
@network_option(required=True)
@account_option()
@deployments_dir_option()
@click.option(
    "--target",
    required=True,
    metavar="oracle|tracker|factory|ADDRESS",
    help="The oracle, the tracker, the factory, or a competition's address.",
)
@click.option("--unpause", is_flag=True, help="Unpause instead.")
def cli(provider, account_alias, deployments_dir, target, unpause):
    with script_errors():
        admin = Admin.open(provider, account_alias, deployments_dir)
        contract, label = _target(admin, target)
        state = "paused" if not unpause else "unpaused"
        paused = contract.paused()
        if label.startswith("Competition ") and not unpause:
            # A guardian's pause stops more than the organizer's: only its own counts here.
            guardian = admin.dc.factory.has_role(admin.dc.factory.guardian_role(), admin.address)
            paused = contract.guardian_paused() if guardian else paused
        if bool(paused) != unpause:
            click.echo(f"{label} is already {state}; nothing sent")
            return
        result = contract.unpause() if unpause else contract.pause()
        click.echo(
            f"{label} {state} in 0x{result.transaction_hash.hex()} (block {result.block_number})"
        )


def _target(admin: Admin, target: str):
    if target.lower() == "oracle":
        return admin.dc.oracle, f"ValuationOracle {admin.dc.oracle.address}"
    if target.lower() == "tracker":
        return admin.dc.tracker, f"PortfolioTracker {admin.dc.tracker.address}"
    if target.lower() == "factory":
        return admin.dc.factory, f"CompetitionFactory {admin.dc.factory.address}"
    competition = address(target)
    if not admin.dc.factory.is_competition(competition):
        raise ScriptError(
            f"{competition} is not a competition of the factory {admin.dc.factory.address}"
        )
    return admin.dc.competition(competition), f"Competition {competition}"
