"""`ape run deploy`: deploy the DomaCross suite to a network and record it.

Deploys ValuationOracle, PortfolioTracker, CompetitionFactory (then `setFactory`),
DomainBasketFactory (then `setBasketFactory`) and, on local chains only, the
DomaOwnershipToken, DomainFractionToken and DomainMarketplace stand-ins (the list is the
suite manifest, `domacross_sdk.suite`); grants the roles; records every step in
`deployments/<ecosystem>-<network>.json` as soon as it is mined. The logic lives in
`domacross_deploy.suite`.
A rerun sends nothing; an interrupted run resumes; `--dry-run` prints the plan.

    ape run deploy --network ethereum:local:foundry
    ape run deploy --network doma:testnet:node --account deployer --reporter 0x... --dry-run
"""

from __future__ import annotations

import click
from ape.cli import network_option

from domacross_deploy.session import (
    DomaCrossCommand,
    ScriptError,
    Session,
    account_option,
    address,
    deployments_dir_option,
)
from domacross_deploy.suite import (
    CONTRACT_NAMES,
    LIMITS,
    MAX_CHANGE_BPS,
    MAX_PRICE_AGE,
    SuiteConfig,
    deploy_suite,
    plan_table,
)
from domacross_sdk.suite import ROLES


def _role_options(f):
    for role in reversed(ROLES):
        f = click.option(
            f"--{role.option}",
            f"role_{role.option}",
            multiple=True,
            envvar=f"DOMACROSS_{role.option.upper()}S",
            metavar="ADDRESS",
            help=(
                f"Grant {role.role} on {' and '.join(role.contracts)} to ADDRESS (repeatable; env "
                f"DOMACROSS_{role.option.upper()}S, space-separated). Default on local "
                "chains: the deployer; elsewhere: nobody."
            ),
        )(f)
    return f


@click.command(cls=DomaCrossCommand, short_help="Deploy the suite and record it")
@network_option(default="ethereum:local:test")
@account_option()
@deployments_dir_option()
@_role_options
@click.option(
    "--redeploy",
    multiple=True,
    type=click.Choice(CONTRACT_NAMES),
    help="Deploy this contract again although recorded (repeatable).",
)
@click.option("--dry-run", is_flag=True, help="Print the plan with estimated gas; send nothing.")
@click.option("--max-price-age", type=int, default=MAX_PRICE_AGE, show_default=True)
@click.option("--max-change-bps", type=int, default=MAX_CHANGE_BPS, show_default=True)
@click.option(
    "--limits",
    type=int,
    nargs=8,
    default=LIMITS,
    show_default=True,
    help="Factory limits: minDuration maxDuration disputeWindow minClaimPeriod "
    "minEntryFee maxEntryFee maxRakeBps maxPayoutRanks.",
)
def cli(
    provider,
    account_alias,
    deployments_dir,
    redeploy,
    dry_run,
    max_price_age,
    max_change_bps,
    limits,
    **role_options,
):
    session = Session.open(
        provider, account_alias, deployments_dir, fresh_if_stale=True, read_only=dry_run
    )
    roles = {
        key.removeprefix("role_"): tuple(address(a) for a in value)
        for key, value in role_options.items()
        if value
    }
    config = SuiteConfig(
        deployer=session.account.address,
        local=session.is_local,
        max_price_age=max_price_age,
        max_change_bps=max_change_bps,
        limits=tuple(limits),
        roles=roles,
    )
    try:
        outcome = deploy_suite(session, config, redeploy=redeploy, dry_run=dry_run)
    except ScriptError as err:
        raise click.ClickException(str(err)) from err
    title = (
        f"{'Plan' if dry_run else 'Deployment'} on {session.ecosystem}:{session.network} "
        f"(chain id {session.chain_id}), deployer {session.account.address}"
    )
    session.console.print(plan_table(outcome, title, dry_run=dry_run))
    if dry_run:
        session.console.print("dry run: nothing sent, nothing written")
    else:
        session.console.print(f"{outcome.sent} transaction(s) sent; record: {session.path}")
    if outcome.changed:
        session.console.print(
            f"[yellow]changed and kept: {', '.join(outcome.changed)} "
            "(redeploy with --redeploy NAME)[/]"
        )
