"""`ape run results`: show, post and finalize a competition's results.

    ape run results --network N --competition 0x... show       # anyone; exit 1 on a mismatch
    ape run results --network N --competition 0x... post       # resolver, after the end
    ape run results --network N --competition 0x... finalize   # anyone, after the dispute window

The results are computed from public logs only (`Competition.standings`, the score defined
in `domacross_sdk.scoring`): the entrants from the competition's ``ParticipantJoined`` logs,
their positions at the end block (the last block before ``endTime``) from the priced domain
tokens' ``Transfer`` logs, the oracle's ``PriceUpdated`` logs, and the payout schedule.
Each entrant's score is its P&L marked at oracle prices. ``show`` prints them, the posted
root if any, and whether the two match. ``post`` posts them (nothing is sent when the
same results are already posted); ``finalize`` makes them final once the dispute window
is over, and says how long is left when it is not.
"""

from __future__ import annotations

from datetime import datetime

import click
from ape.cli import network_option
from rich.table import Table

from domacross_deploy.admin import Admin, script_errors
from domacross_deploy.session import (
    DomaCrossCommand,
    ScriptError,
    account_option,
    address,
    deployments_dir_option,
)
from domacross_deploy.specs import format_delta, format_time, format_wei
from domacross_sdk import prizes, scoring
from domacross_sdk.contracts.competition import Competition
from domacross_sdk.convert import EPOCH
from domacross_sdk.enums import Status
from domacross_sdk.generated.structs import CompetitionConfig


@click.command(cls=DomaCrossCommand, short_help="Show, post or finalize a competition's results")
@click.argument("action", type=click.Choice(["show", "post", "finalize"]))
@network_option(required=True)
@account_option()
@deployments_dir_option()
@click.option("--competition", "competition_address", required=True, metavar="ADDRESS")
def cli(action, provider, account_alias, deployments_dir, competition_address):
    with script_errors():
        admin = Admin.open(provider, account_alias, deployments_dir, read_only=action == "show")
        view = View.load(admin, address(competition_address))
        if action == "show":
            admin.console.print(view.table())
            admin.console.print(view.summary())
            if view.posted and not view.matches:
                raise ScriptError("the posted results differ from the ones computed")
        elif action == "post":
            click.echo(post(admin, view))
        else:
            click.echo(finalize(admin, view))


class View:
    """A competition, its computed results and what is posted, read once."""

    def __init__(self, admin: Admin, competition: Competition) -> None:
        self.admin = admin
        self.competition = competition
        self.config: CompetitionConfig = competition.config()
        self.status = competition.status()
        self.now: datetime = admin.now()
        root, total, posted_at = competition.results()
        self.posted_root: bytes = bytes(root)
        self.posted_total = total
        self.posted_at = posted_at
        record = admin.session.require_record()
        # Balances replay the priced tokens' whole history: start at the suite's first block.
        from_block = min(c.block_number for c in record.contracts.values())
        self.standings = competition.standings(from_block)
        self.results = self.standings.results
        self.pool = prizes.pool(len(self.standings.scores), self.config.entry_fee)

    @classmethod
    def load(cls, admin: Admin, competition_address: str) -> View:
        factory = admin.dc.factory
        if not factory.is_competition(competition_address):
            raise ScriptError(
                f"{competition_address} is not a competition of the factory {factory.address}"
            )
        return cls(admin, admin.dc.competition(competition_address))

    @property
    def posted(self) -> bool:
        return self.posted_at != EPOCH

    @property
    def matches(self) -> bool:
        return self.posted_root == self.results.root and self.posted_total == self.results.total

    @property
    def dispute_ends_at(self) -> datetime:
        return self.posted_at + self.config.dispute_window

    def table(self) -> Table:
        table = Table(title=f"Results of {self.competition.address} (computed from public data)")
        for column in ("rank", "entrant", "score (P&L)", "value at end", "prize"):
            table.add_column(column, no_wrap=column == "entrant")
        rank = 0
        previous: int | None = None
        for i, s in enumerate(scoring.ranking(self.standings.scores), start=1):
            rank = rank if s.score_e18 == previous else i  # ties share a rank
            previous = s.score_e18
            prize = self.results.prizes.get(s.account, 0)
            table.add_row(
                str(rank),
                s.account,
                _signed_wei(s.score),
                format_wei(s.end_value),
                format_wei(prize),
            )
        table.caption = (
            f"scores at block {self.standings.end_block}; "
            f"{len(self.standings.scores)} entrant(s); pool {format_wei(self.pool)}, rake "
            f"{self.config.rake_bps} bps, payout bps {list(self.config.payout_bps)}"
        )
        return table

    def summary(self) -> Table:
        table = Table(show_header=False, title="Root and status")
        table.add_column("what", no_wrap=True)
        table.add_column("value")
        status = f"{self.status.name} (chain time {format_time(self.now)})"
        if self.status in (Status.SCHEDULED, Status.OPEN):
            status += ": not ended, the results above are provisional"
        table.add_row("status", status)
        table.add_row("ends", format_time(self.config.end_time))
        table.add_row("computed root", "0x" + self.results.root.hex())
        table.add_row("computed total", format_wei(self.results.total))
        if not self.posted:
            table.add_row("posted", "nothing posted yet")
            return table
        table.add_row("posted root", "0x" + self.posted_root.hex())
        table.add_row("posted total", format_wei(self.posted_total))
        left = self.dispute_ends_at - self.now
        ends = format_time(self.dispute_ends_at)
        window = (
            f"ends {ends} (in {format_delta(left)})"
            if left.total_seconds() > 0
            else f"over ({ends})"
        )
        table.add_row("dispute window", window)
        table.add_row("match", "[green]yes[/]" if self.matches else "[red]NO[/]")
        return table


def post(admin: Admin, view: View) -> str:
    """Posts the computed results (resolver role) unless the same are posted."""
    c = view.config
    if view.status != Status.ENDED:
        raise ScriptError(_not_ended(view, "posted"))
    if view.posted:
        if view.matches:
            ends = format_time(view.dispute_ends_at)
            return f"the same results are already posted (dispute window ends {ends}); nothing sent"
        raise ScriptError(
            f"other results are posted (root 0x{view.posted_root.hex()}, total "
            f"{format_wei(view.posted_total)}); a guardian may reject them until "
            f"{format_time(view.dispute_ends_at)}"
        )
    factory = admin.dc.factory
    if c.factory != factory.address:
        raise ScriptError(f"the competition belongs to factory {c.factory}, not {factory.address}")
    admin.require_role("CompetitionFactory", "RESOLVER_ROLE", "post results")
    if view.competition.paused():
        raise ScriptError("the competition is paused: unpause it first (ape run pause --unpause)")
    posted = view.competition.post_results(view.results.root, view.results.total)
    return (
        f"posted root 0x{posted.merkle_root.hex()}, total {format_wei(posted.total_payout)} in "
        f"0x{posted.transaction_hash.hex()}; final after {format_time(posted.dispute_ends_at)}"
    )


def finalize(admin: Admin, view: View) -> str:
    """Finalizes once the dispute window is over."""
    if view.status == Status.FINALIZED:
        return "already finalized; nothing sent"
    if view.status != Status.ENDED:
        raise ScriptError(_not_ended(view, "finalized"))
    if not view.posted:
        raise ScriptError("no results posted: run `results post` first")
    left = view.dispute_ends_at - view.now
    if left.total_seconds() > 0:
        raise ScriptError(
            f"the dispute window is open until {format_time(view.dispute_ends_at)}: "
            f"{format_delta(left)} left"
        )
    if view.competition.paused():
        raise ScriptError("the competition is paused: unpause it first (ape run pause --unpause)")
    done = view.competition.finalize()
    return (
        f"finalized in 0x{done.transaction_hash.hex()}: total payout "
        f"{format_wei(done.total_payout)}, rake {format_wei(done.rake)} paid to "
        f"{view.config.treasury}"
    )


def _signed_wei(value: int) -> str:
    return "-" + format_wei(-value) if value < 0 else format_wei(value)


def _not_ended(view: View, what: str) -> str:
    status = view.status.name
    if view.status in (Status.SCHEDULED, Status.OPEN):
        left = format_delta(view.config.end_time - view.now)
        return (
            f"the competition is {status}: results can be {what} after its end at "
            f"{format_time(view.config.end_time)} ({left} left)"
        )
    return f"the competition is {status}: results cannot be {what}"
