"""`ape run pause`: pause or unpause the oracle, the tracker, a factory or one competition.

    ape run pause --network N --target oracle              # admin: stops price updates
    ape run pause --network N --target tracker             # admin: stops valuation updates
    ape run pause --network N --target factory             # guardian or admin: stops creation
    ape run pause --network N --target basket-factory      # guardian or admin: stops baskets
    ape run pause --network N --target 0xCOMPETITION       # its organizer or a guardian
    ape run pause --network N --target factory --unpause   # unpausing a factory: admin only

A target already in the asked state is reported and nothing is sent. A signer without the
role a factory asks for is refused before sending, with the role to grant. A competition
must be one of the deployment's factory.
"""

from __future__ import annotations

import click
from ape.cli import network_option

from domacross_deploy.admin import (
    GUARDIAN_ROLE,
    PAUSE_TARGETS,
    ROLE_CONTRACTS,
    Admin,
    pause_target,
    script_errors,
)
from domacross_deploy.session import (
    DomaCrossCommand,
    ScriptError,
    account_option,
    address,
    deployments_dir_option,
)
from domacross_sdk.suite import ADMIN_ROLE

TARGETS = "|".join([*PAUSE_TARGETS, "ADDRESS"])


@click.command(
    cls=DomaCrossCommand,
    short_help="Pause or unpause the oracle, tracker, a factory or a competition",
)
@network_option(required=True)
@account_option()
@deployments_dir_option()
@click.option(
    "--target",
    required=True,
    metavar=TARGETS,
    help="The oracle, the tracker, the competition factory, the basket factory, or a "
    "competition's address.",
)
@click.option("--unpause", is_flag=True, help="Unpause instead.")
def cli(provider, account_alias, deployments_dir, target, unpause):
    with script_errors():
        admin = Admin.open(provider, account_alias, deployments_dir)
        contract, label, name = _target(admin, target)
        state = "paused" if not unpause else "unpaused"
        paused = contract.paused()
        if label.startswith("Competition ") and not unpause:
            # A guardian's pause stops more than the organizer's: only its own counts here.
            guardian = admin.dc.factory.has_role(admin.dc.factory.guardian_role(), admin.address)
            paused = contract.guardian_paused() if guardian else paused
        if bool(paused) != unpause:
            click.echo(f"{label} is already {state}; nothing sent")
            return
        if name in ROLE_CONTRACTS[GUARDIAN_ROLE]:
            _require_factory_role(admin, name, unpause=unpause)
        result = contract.unpause() if unpause else contract.pause()
        click.echo(
            f"{label} {state} in 0x{result.transaction_hash.hex()} (block {result.block_number})"
        )


def _target(admin: Admin, target: str):
    """The binding, its label and its record name (None for a competition)."""
    name = pause_target(target)
    if name is not None:
        contract = admin.binding(name)
        return contract, f"{name} {contract.address}", name
    try:
        competition = address(target)
    except click.BadParameter:
        raise click.BadParameter(
            f"{target!r} is neither {', '.join(PAUSE_TARGETS)} nor a competition's address",
            param_hint="--target",
        ) from None
    if not admin.dc.factory.is_competition(competition):
        raise ScriptError(
            f"{competition} is not a competition of the factory {admin.dc.factory.address}"
        )
    return admin.dc.competition(competition), f"Competition {competition}", None


def _require_factory_role(admin: Admin, name: str, *, unpause: bool) -> None:
    """A factory (RegistryFactory) pauses for a guardian or its admin, unpauses for its admin."""
    if admin.has_role(name, ADMIN_ROLE):
        return
    me = admin.address
    alias = next(a for a, n in PAUSE_TARGETS.items() if n == name)
    if unpause:
        raise ScriptError(
            f"{me} lacks {name}.{ADMIN_ROLE}, needed to unpause it (a guardian may only pause): "
            "sign with an admin (--account ALIAS)"
        )
    if not admin.has_role(name, GUARDIAN_ROLE):
        raise ScriptError(
            f"{me} holds neither {name}.{GUARDIAN_ROLE} nor {ADMIN_ROLE}, needed to pause it: "
            f"sign with a guardian (--account ALIAS) or have an admin run `ape run roles grant "
            f"--role GUARDIAN --contract {alias} --account {me}`"
        )
