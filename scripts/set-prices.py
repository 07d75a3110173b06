"""`ape run set-prices`: set oracle prices from a CSV file.

Columns ``token``, ``token_id`` (empty for a fungible ERC-20 domain token) and ``price``
(wei or "1.5 ether"; for ERC-20, per 1e18 base units); see examples/prices.csv. The whole
file is checked before anything is sent: every row parsed, no duplicates, and, on the
capped path, every change within the oracle's ``maxChangeBps`` of the current price. Then
ERC-721 rows go in ``setPrices`` batches and ERC-20 rows in ``setFungiblePrices`` batches
of at most ``MAX_BATCH`` (reporter role). ``--override`` takes the admin path instead
(``overridePrice`` / ``overrideFungiblePrice``, one transaction per row: the oracle has no
batch override), which bypasses the cap. Prints, per row, what was set and by which
transaction.

    ape run set-prices --network ethereum:local:foundry --csv examples/prices.csv
    ape run set-prices --network doma:testnet:node --account admin --csv p.csv --override
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import click
from ape.cli import network_option
from rich.table import Table

from domacross_deploy.admin import Admin, script_errors
from domacross_deploy.session import DomaCrossCommand, account_option, deployments_dir_option
from domacross_deploy.specs import PriceRow, SpecError, chunks, format_wei, load_prices
from domacross_sdk.errors import DomaCrossError
from domacross_sdk.generated.events import PriceUpdated
from domacross_sdk.results import PricesSet
from domacross_sdk.suite import ADMIN_ROLE
from domacross_sdk.units import BPS


@click.command(cls=DomaCrossCommand, short_help="Set oracle prices from a CSV file")
@network_option(required=True)
@account_option()
@deployments_dir_option()
@click.option(
    "--csv",
    "csv_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Columns token, token_id (empty for ERC-20), price (wei or '1.5 ether').",
)
@click.option(
    "--override", is_flag=True, help="Admin path: bypass the change cap, one transaction per row."
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Rows per batch transaction (default and maximum: the oracle's MAX_BATCH).",
)
@click.option("--dry-run", is_flag=True, help="Check the file against the oracle; send nothing.")
def cli(provider, account_alias, deployments_dir, csv_path, override, batch_size, dry_run):
    with script_errors():
        rows = load_prices(csv_path)
        admin = Admin.open(provider, account_alias, deployments_dir, read_only=dry_run)
        oracle = admin.dc.oracle
        max_batch = oracle.max_batch()
        if batch_size is not None and batch_size > max_batch:
            raise SpecError(
                f"--batch-size {batch_size} is above the oracle's MAX_BATCH {max_batch}"
            )
        size = batch_size or max_batch
        if oracle.paused():
            raise SpecError("the oracle is paused: `ape run pause --target oracle --unpause`")
        role = ADMIN_ROLE if override else "REPORTER_ROLE"
        admin.require_role("ValuationOracle", role, "override prices" if override else "set prices")
        previous = _check_rows(oracle, rows, csv_path, capped=not override, now=admin.now())
        title = f"{csv_path} -> ValuationOracle {oracle.address}"
        if dry_run:
            admin.console.print(_table(rows, previous, {}, f"Dry run: {title} (nothing sent)"))
            return
        done: dict[int, tuple[PriceUpdated, str]] = {}
        try:
            for result, chunk in _send(oracle, rows, size, override):
                tx = "0x" + result.transaction_hash.hex()
                events = {(e.token, e.token_id, e.fungible): e for e in result.updates}
                for row in chunk:
                    done[row.line] = (events[(row.token, row.token_id or 0, row.fungible)], tx)
        except DomaCrossError:
            if done:
                admin.console.print(_table(rows, previous, done, f"{title}: stopped"))
            raise
        table = _table(rows, previous, done, title)
        txs = len({tx for _, tx in done.values()})
        table.caption = f"{len(done)} price(s) set in {txs} transaction(s)"
        admin.console.print(table)


def _check_rows(
    oracle, rows: list[PriceRow], path: Path, *, capped: bool, now: datetime
) -> dict[int, int]:
    """The current price per row; SpecError naming every row the cap would refuse.

    The cap is measured from the price the token's cap window opened with while that window
    is open (`now` is the chain's time), else from the current price.
    """
    max_change = oracle.max_change_bps()
    window = oracle.cap_window()
    previous: dict[int, int] = {}
    problems = []
    for row in rows:
        if row.fungible:
            old, _ = oracle.latest_fungible_price(row.token)
        else:
            old, _ = oracle.latest_price(row.token, row.token_id)
        previous[row.line] = old
        anchor, opened = oracle.cap_window_of(row.token, row.token_id or 0, row.fungible)
        base = anchor if anchor and now < opened + timedelta(seconds=window) else old
        if capped and base and abs(row.price - base) * BPS > base * max_change:
            problems.append(
                f"  line {row.line}: price {format_wei(row.price)} moves "
                f"{_change(base, row.price)} from {format_wei(base)} "
                "(the price this cap window opened with); the cap is "
                f"{max_change} bps per {window} s (--override bypasses it)"
            )
    if problems:
        raise SpecError(
            f"{path}: {len(problems)} row(s) over the change cap, nothing sent\n"
            + "\n".join(problems)
        )
    return previous


def _send(oracle, rows: list[PriceRow], size: int, override: bool):
    """Sends the rows; yields each mined transaction's PricesSet with its rows."""
    if override:
        for row in rows:
            if row.fungible:
                yield oracle.override_fungible_price(row.token, row.price), [row]
            else:
                yield oracle.override_price(row.token, row.token_id, row.price), [row]
        return
    nfts = [r for r in rows if not r.fungible]
    for chunk in chunks(nfts, size):
        result: PricesSet = oracle.set_prices(
            [r.token for r in chunk], [r.token_id for r in chunk], [r.price for r in chunk]
        )
        yield result, chunk
    for chunk in chunks([r for r in rows if r.fungible], size):
        yield oracle.set_fungible_prices([r.token for r in chunk], [r.price for r in chunk]), chunk


def _change(old: int, new: int) -> str:
    if not old:
        return "new"
    return f"{(new - old) * 100 / old:+.2f}%"


def _table(
    rows: list[PriceRow],
    previous: dict[int, int],
    done: dict[int, tuple[PriceUpdated, str]],
    title: str,
) -> Table:
    table = Table(title=title)
    for column in ("line", "token", "token_id", "previous", "price", "change", "path", "tx"):
        table.add_column(column, no_wrap=column in ("token", "tx"))
    for row in rows:
        sent = done.get(row.line)
        old = previous[row.line] if sent is None else sent[0].previous_price
        path = "" if sent is None else ("override" if sent[0].overridden else "capped")
        tx = "" if sent is None else f"{sent[1][:10]}…{sent[1][-4:]}"
        table.add_row(
            str(row.line),
            row.token,
            "ERC-20" if row.fungible else str(row.token_id),
            format_wei(old) if old else "unset",
            format_wei(row.price),
            _change(old, row.price),
            path,
            tx,
        )
    return table
