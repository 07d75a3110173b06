"""`ape run create-competition`: create a competition from a YAML or JSON spec.

The spec (see examples/competition.yaml) is validated field by field, then against the
factory's current limits and the chain's time, before anything is sent; relative times
("+5m", "+1d") count from the chain's time. The oracle, tracker and treasury are the
factory's (an organizer does not choose them; a spec's `treasury` must match the factory's).
Prints the new competition's address and its configuration as read back from the chain.

    ape run create-competition --network ethereum:local:foundry --spec examples/competition.yaml
    ape run create-competition --network doma:testnet:node --account organizer \
        --spec c.yaml --dry-run
"""

from __future__ import annotations

from pathlib import Path

import click
from ape.cli import network_option
from rich.table import Table

from domacross_deploy.admin import Admin, script_errors
from domacross_deploy.session import DomaCrossCommand, account_option, deployments_dir_option
from domacross_deploy.specs import (
    SpecError,
    check_limits,
    format_delta,
    format_time,
    format_wei,
    load_spec,
)
from domacross_sdk.generated.structs import CompetitionConfig, CompetitionParams


@click.command(cls=DomaCrossCommand, short_help="Create a competition from a YAML/JSON spec")
@network_option(required=True)
@account_option()
@deployments_dir_option()
@click.option(
    "--spec",
    "spec_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML or JSON file (see examples/competition.yaml).",
)
@click.option("--dry-run", is_flag=True, help="Validate and print the configuration; send nothing.")
def cli(provider, account_alias, deployments_dir, spec_path, dry_run):
    with script_errors():
        spec = load_spec(spec_path)
        admin = Admin.open(provider, account_alias, deployments_dir, read_only=dry_run)
        factory = admin.dc.factory
        now = admin.now()
        params = spec.params(
            now,
            oracle=admin.session.contract_address("ValuationOracle"),
            tracker=admin.session.contract_address("PortfolioTracker"),
            default_treasury=factory.treasury(),
        )
        problems = check_limits(params, factory.limits(), now)
        for field, given, platform in (
            ("tracker", params.tracker, factory.tracker()),
            ("oracle", params.oracle, factory.oracle()),
            ("treasury", params.treasury, factory.treasury()),
        ):
            if given.lower() != platform.lower():
                problems.append(
                    f"{field}: {given} is not the factory's {field} {platform}; "
                    "the admin sets it (`ape run deploy` links the deployment's tracker)"
                )
        if factory.paused():
            problems.append("(factory): paused; `ape run pause --target factory --unpause` first")
        if not factory.open_creation() and not factory.has_role(
            factory.organizer_role(), admin.address
        ):
            problems.append(f"(account): {admin.address} lacks CompetitionFactory.ORGANIZER_ROLE")
        if problems:
            raise SpecError(
                f"{spec_path}: the factory would refuse this competition, nothing sent\n"
                + "\n".join(f"  {p}" for p in problems)
            )
        if dry_run:
            admin.console.print(params_table(params, f"Dry run: {spec_path} (nothing sent)"))
            return
        created = factory.create_competition(params)
        config = admin.dc.competition(created.competition).config()
        table = config_table(config, f"Competition {created.competition}")
        table.add_row("index", str(created.index))
        table.add_row("tx", f"0x{created.transaction_hash.hex()} (gas {created.gas_used:,})")
        admin.console.print(table)
        click.echo(f"competition: {created.competition}")


def _rows(table: Table, rows: list[tuple[str, str]]) -> Table:
    table.add_column("field", no_wrap=True)
    table.add_column("value", no_wrap=True)
    for field, value in rows:
        table.add_row(field, value)
    return table


def _common(c: CompetitionParams | CompetitionConfig) -> list[tuple[str, str]]:
    return [
        ("start", format_time(c.start_time)),
        ("end", f"{format_time(c.end_time)} ({format_delta(c.end_time - c.start_time)})"),
        ("claim_deadline", format_time(c.claim_deadline)),
        ("entry_fee", format_wei(c.entry_fee)),
        ("max_participants", f"{c.max_participants:,}"),
        ("rake_bps", str(c.rake_bps)),
        ("payout_bps", ", ".join(str(b) for b in c.payout_bps)),
        ("treasury", c.treasury),
        ("oracle", c.oracle),
        ("tracker", c.tracker),
    ]


def params_table(params: CompetitionParams, title: str) -> Table:
    return _rows(Table(title=title), _common(params))


def config_table(config: CompetitionConfig, title: str) -> Table:
    rows = [
        *_common(config),
        ("dispute_window", format_delta(config.dispute_window)),
        ("organizer", config.organizer),
        ("factory", config.factory),
    ]
    return _rows(Table(title=title), rows)
