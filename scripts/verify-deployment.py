"""`ape run verify-deployment`: check a network's record against the chain and the sources.

For every recorded contract: code at the address, its hash equal to the record's, and equal
to the compiled runtime code with immutables masked; the factory's Competition
implementation likewise; every recorded role still held; `setFactory` and `setBasketFactory`
as recorded. Prints a table and exits 1 on any mismatch.

    ape run verify-deployment --network doma:testnet:node
"""

from __future__ import annotations

import sys

import click
from ape.cli import network_option

from domacross_deploy.session import (
    DomaCrossCommand,
    ScriptError,
    Session,
    deployments_dir_option,
)
from domacross_deploy.verify import checks_table, verify


@click.command(cls=DomaCrossCommand, short_help="Check a deployment record against the chain")
@network_option(default="ethereum:local:test")
@deployments_dir_option()
def cli(provider, deployments_dir):
    # NOTE: no signer needed; the record is read as it is (no pending resolution, no writes).
    session = Session.open(
        provider, None, deployments_dir, read_only=True, check=False, signer=False
    )
    try:
        checks = verify(session)
    except ScriptError as err:
        raise click.ClickException(str(err)) from err
    title = f"{session.path} on {session.ecosystem}:{session.network} (chain id {session.chain_id})"
    session.console.print(checks_table(checks, title))
    if not all(c.ok for c in checks):
        sys.exit(1)
