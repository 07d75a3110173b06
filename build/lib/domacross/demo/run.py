"""`domacross demo`: a whole competition on a local chain, indexed and served as it runs.

Starts anvil (npm) on 127.0.0.1, deploys the suite with the Ape deploy script, mints
domains to N simulated traders, creates a competition they join; oracle prices follow a
seeded random walk, traders trade domains among themselves on the local DomainMarketplace
(list, buy, withdraw the proceeds), the tracker revalues every portfolio each round; time
advances past the end, results are computed from public logs (each trader's P&L marked at
oracle prices, `domacross_sdk.scoring`), posted, finalized and claimed. Meanwhile the
indexer follows the chain (trades, P&L and scores included) and the API serves the
database; the terminal shows a live leaderboard, ranked by score, read from the API. The
same seed gives the same competition.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from rich.console import Console
from rich.live import Live
from rich.table import Table

from domacross.db import make_engine, session_factory
from domacross.db.migrate import upgrade
from domacross.indexer import ChainConfig, Indexer
from domacross.settings import Settings
from domacross_sdk import (
    AssetKind,
    CompetitionParams,
    DomaCross,
    Holding,
    LocalSigner,
    prizes,
)
from domacross_sdk.client import Addresses
from domacross_sdk.contracts.marketplace import DomainMarketplace
from domacross_sdk.errors import ConfigurationError
from domacross_sdk.scoring import ranking

MNEMONIC = "test test test test test test test test test test test junk"
"""anvil's and Ape's public test mnemonic: local chains only, never real funds."""
ROOT = Path(__file__).resolve().parents[2]
ETH = 10**18


@dataclass
class DemoOptions:
    """What `domacross demo` runs."""

    traders: int = 6
    rounds: int = 10
    length: int = 3_600
    """Competition length in seconds of chain time (anvil's clock is moved forward)."""
    seed: int = 7
    keep_running: bool = False
    out_dir: Path = field(default_factory=lambda: Path("demo-output"))
    api_port: int = 0
    show: bool = True
    while_up: Callable[[DemoResult], None] | None = None
    """Called with the result while the chain, indexer and API are still up (screenshots)."""


@dataclass
class DemoResult:
    """What a demo produced, for the caller and the end-to-end test."""

    api_url: str
    chain_url: str
    competition: str
    competition_id: int
    standings_api: list[tuple[str, int, int]]
    """(wallet, score in wei x 10**18, rank) served by the API at the end."""
    standings_chain: list[tuple[str, int]]
    """(wallet, score in wei x 10**18), best first, recomputed from the chain's logs."""
    posted: dict[str, int]
    """Prize per wallet in the posted results."""
    paid: dict[str, int]
    """Prize per wallet paid on chain (PrizeClaimed events)."""
    chart: Path
    sales: list[tuple[str, str, int, int]] = field(default_factory=list)
    """(seller, buyer, token id, price) of every marketplace sale sent."""
    trades_api: list[dict[str, Any]] = field(default_factory=list)
    """The competition's trades served by the API at the end."""
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _keys(n: int) -> list[str]:
    Account.enable_unaudited_hdwallet_features()
    return [
        "0x" + Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").key.hex()
        for i in range(n)
    ]


def _wait_http(url: str, payload: dict[str, Any] | None, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if payload is None:
                httpx.get(url, timeout=1)
            else:
                httpx.post(url, json=payload, timeout=1)
            return
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise ConfigurationError(f"{url} did not come up") from None
            time.sleep(0.1)


def start_anvil(accounts: int) -> tuple[subprocess.Popen[bytes], str]:
    """anvil from npm on a free loopback port."""
    binary = shutil.which("anvil")
    if binary is None:
        raise ConfigurationError("anvil not found: run `make setup` (npm installs it)")
    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603 - the project's own npm binary
        [binary, "--port", str(port), "--accounts", str(accounts), "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_http(url, {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, proc)
    return proc, url


def deploy(url: str, directory: Path) -> dict[str, Any]:
    """The suite, deployed by the Ape deploy script against the running anvil."""
    ape = Path(sys.executable).with_name("ape")
    done = subprocess.run(  # noqa: S603 - the project's own deploy script
        [str(ape), "run", "deploy", "--network", "ethereum:local:foundry"],
        cwd=ROOT,
        env={**os.environ, "APE_FOUNDRY_HOST": url, "DOMACROSS_DEPLOYMENTS_DIR": str(directory)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise ConfigurationError(f"deploy failed: {(done.stderr or done.stdout).strip()[-400:]}")
    [record] = directory.glob("*.json")
    data: dict[str, Any] = json.loads(record.read_text())
    data["_path"] = str(record)
    return data


def advance(dc: DomaCross, seconds: int) -> None:
    dc.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    dc.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def chain_time(dc: DomaCross) -> datetime:
    return datetime.fromtimestamp(int(dc.w3.eth.get_block("latest")["timestamp"]), UTC)


class Simulation:
    """The traders, their domains and the market, driven by one seeded RNG."""

    def __init__(self, dc: DomaCross, keys: list[str], options: DemoOptions) -> None:
        self.dc = dc
        self.rng = random.Random(options.seed)  # noqa: S311 - a reproducible simulation, not security
        self.admin = LocalSigner.from_key(keys[0])
        self.traders = [LocalSigner.from_key(k) for k in keys[1 : 1 + options.traders]]
        self.token = dc.ownership_token()
        self.owner: dict[int, LocalSigner] = {}
        self.prices: dict[int, int] = {}
        self.market: DomainMarketplace | None = None
        self.sellers: set[str] = set()
        self.sales: list[tuple[str, str, int, int]] = []

    def mint(self, per_trader: int = 2) -> None:
        expiry = chain_time(self.dc) + timedelta(days=365)
        token_id = 1
        for trader in self.traders:
            for _ in range(per_trader):
                self.token.mint(trader.address, token_id, expiry, 1001, sender=self.admin)
                self.owner[token_id] = trader
                self.prices[token_id] = self.rng.randint(5, 50) * ETH // 10
                token_id += 1
        self._publish_prices()

    def _publish_prices(self) -> None:
        ids = sorted(self.prices)
        self.dc.oracle.set_prices(
            [self.token.address] * len(ids), ids, [self.prices[i] for i in ids], sender=self.admin
        )

    def walk_prices(self) -> None:
        """Each price moves by at most 15 % of both its current price and the price its cap
        window opened with: the oracle caps moves at 20 % per token per window, measured
        from whichever of the two the next update's window starts from."""
        for token_id, price in self.prices.items():
            anchor, _ = self.dc.oracle.cap_window_of(self.token.address, token_id, False)
            anchor = anchor or price
            target = max(ETH // 100, price * self.rng.randint(8_500, 11_500) // 10_000)
            low = -(-max(anchor, price) * 8_500 // 10_000)
            high = min(anchor, price) * 11_500 // 10_000
            self.prices[token_id] = min(max(target, low), high)
        self._publish_prices()

    def trade(self) -> None:
        """One domain changes hands on the marketplace at its oracle price give or take
        10 %: the seller approves and lists it, the buyer pays the listed price."""
        if self.market is None:
            raise ConfigurationError("the deployment has no DomainMarketplace")
        token_id = self.rng.choice(sorted(self.owner))
        seller = self.owner[token_id]
        buyer = self.rng.choice([t for t in self.traders if t is not seller])
        price = self.prices[token_id] * self.rng.randint(90, 110) // 100
        self.token.approve(self.market.address, token_id, sender=seller)
        self.market.list_erc721(self.token.address, token_id, price, sender=seller)
        self.market.buy(self.market.listing_count(), value=price, sender=buyer)
        self.owner[token_id] = buyer
        self.sellers.add(seller.address)
        self.sales.append((seller.address, buyer.address, token_id, price))

    def withdraw_proceeds(self) -> None:
        """Sellers pull what the marketplace credited them."""
        if self.market is None:
            return
        for trader in self.traders:
            if trader.address in self.sellers:
                self.market.withdraw(trader.address, sender=trader)

    def revalue(self, competition: str) -> None:
        for trader in self.traders:
            holdings = [
                Holding(kind=AssetKind.ERC721, token=self.token.address, token_id=i, amount=1)
                for i, owner in self.owner.items()
                if owner is trader
            ]
            self.dc.tracker.update_portfolio_value(
                competition, trader.address, holdings, sender=self.admin
            )


def leaderboard(api: str, competition_id: int) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{api}/api/v1/competitions/{competition_id}/leaderboard?limit=100", timeout=10
    )
    response.raise_for_status()
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def render(rows: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title)
    table.add_column("rank", justify="right")
    table.add_column("wallet")
    table.add_column("score (ETH)", justify="right")
    table.add_column("value (ETH)", justify="right")
    table.add_column("realised P&L", justify="right")
    table.add_column("unrealised P&L", justify="right")
    for row in rows:
        table.add_row(
            str(row["rank"]),
            row["wallet"],
            f"{int(row['score']) / ETH:+,.3f}",
            f"{int(row['value']) / ETH:,.3f}",
            f"{int(row['realised_pnl']) / ETH:+,.3f}",
            f"{int(row['unrealised_pnl']) / ETH:+,.3f}",
        )
    return table


def run_demo(options: DemoOptions, console: Console | None = None) -> DemoResult:
    """Runs the whole demo; see the module docstring."""
    console = console or Console()
    options.out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="domacross-demo-"))
    processes: list[subprocess.Popen[bytes]] = []
    stop = threading.Event()
    indexer_thread: threading.Thread | None = None
    try:
        anvil, chain_url = start_anvil(options.traders + 2)
        processes.append(anvil)
        console.print(f"[bold]chain[/] anvil at {chain_url}")
        console.print("[bold]deploying[/] the suite with `ape run deploy` (about 10 s)...")
        with console.status("ape run deploy"):
            record = deploy(chain_url, work / "deployments")
        console.print(f"[bold]deployed[/] with `ape run deploy`: {record['_path']}")
        keys = _keys(options.traders + 1)
        dc = DomaCross.connect(
            chain_url,
            addresses=Addresses.from_record(record["_path"]),
            signer=LocalSigner.from_key(keys[0]),
        )
        database_url = f"sqlite:///{work / 'demo.db'}"
        upgrade(database_url)
        settings = Settings(
            database_url=database_url, confirmations=0, poll_interval=0.2, snapshot_interval=5
        )
        start_block = min(int(c["block_number"]) for c in record["contracts"].values())
        addresses = dc.addresses
        if addresses.marketplace is None:
            raise ConfigurationError(f"{record['_path']} has no DomainMarketplace")
        market = addresses.marketplace
        config = ChainConfig(
            "anvil",
            DomaCross.connect(chain_url).w3,
            addresses.factory or "",
            addresses.tracker or "",
            addresses.oracle or "",
            start_block,
            domain_tokens=tuple(
                a for a in (addresses.ownership_token, addresses.fraction_token) if a
            ),
            marketplace=market,
        )
        indexer = Indexer([config], session_factory(make_engine(database_url)), settings)
        indexer_thread = threading.Thread(target=indexer.run, args=(stop,), daemon=True)
        indexer_thread.start()
        port = options.api_port or _free_port()
        api_url = f"http://127.0.0.1:{port}"
        api = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "domacross.cli", "serve", "--port", str(port)],
            # NOTE: the board is read right after each indexed round: no version check delay.
            # The page's leaderboard stream polls often enough to show a valuation within 2 s.
            env={
                **os.environ,
                "DOMACROSS_DATABASE_URL": database_url,
                "DOMACROSS_API_VERSION_CHECK_SECONDS": "0",
                "DOMACROSS_SSE_POLL_INTERVAL": "0.5",
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(api)
        _wait_http(f"{api_url}/health", None, api)
        console.print(f"[bold]indexer[/] following, [bold]API[/] at {api_url}")

        sim = Simulation(dc, keys, options)
        sim.market = dc.marketplace()
        sim.mint()
        start = chain_time(dc) + timedelta(seconds=60)
        end = start + timedelta(seconds=options.length)
        created = dc.factory.create_competition(
            CompetitionParams(
                start_time=start,
                end_time=end,
                claim_deadline=end + timedelta(hours=1, days=2),
                entry_fee=ETH // 10,
                max_participants=1_000,
                rake_bps=500,
                oracle=dc.oracle.address,
                tracker=dc.tracker.address,
                treasury=sim.admin.address,
                payout_bps=(5_000, 3_000, 2_000),
            ),
            sender=sim.admin,
        )
        competition = dc.competition(created.competition)
        advance(dc, 61)
        for trader in sim.traders:
            competition.join(sender=trader)
        competition_id = _competition_id(api_url, dc.chain_id, created.competition)
        console.print(f"[bold]page[/] {api_url}/competitions/{competition_id} (live as it runs)")
        step = options.length // (options.rounds + 1)
        # A live table redraws in place on a terminal; piped output gets one line per round
        # (a Live region there leaves its last frame glued to the next line).
        live = (
            Live(console=console, refresh_per_second=4, transient=not options.show)
            if console.is_terminal
            else None
        )
        with live or contextlib.nullcontext():
            for round_ in range(1, options.rounds + 1):
                sim.walk_prices()
                sim.trade()
                sim.revalue(created.competition)
                advance(dc, step)
                _wait_indexed(indexer, dc)
                title = f"round {round_}/{options.rounds}"
                if live is not None:
                    live.update(render(leaderboard(api_url, competition_id), title))
                else:
                    console.print(f"{title}: indexed and served")
        advance(dc, options.length)
        sim.withdraw_proceeds()
        standings = competition.standings(start_block)
        results = standings.results
        competition.post_results(results.root, results.total, sender=sim.admin)
        advance(dc, int(competition.config().dispute_window.total_seconds()))
        competition.finalize(sender=sim.admin)
        for trader in sim.traders:
            if trader.address in results.prizes:
                competition.claim_prize(results, sender=trader)
        _wait_indexed(indexer, dc)
        final = leaderboard(api_url, competition_id)
        chain_scores = [(s.account, s.score_e18) for s in ranking(standings.scores)]
        paid = _paid(dc, created.competition)
        chart = _chart(database_url, competition_id, options.out_dir / "portfolios.png")
        _report(console, final, results, paid, api_url, competition_id, chart)
        result = DemoResult(
            api_url=api_url,
            chain_url=chain_url,
            competition=created.competition,
            competition_id=competition_id,
            standings_api=[(r["wallet"], int(r["score_e18"]), int(r["rank"])) for r in final],
            standings_chain=chain_scores,
            posted=dict(results.prizes),
            paid=paid,
            chart=chart,
            sales=sim.sales,
            trades_api=_trades(api_url, competition_id),
            processes=processes,
        )
        if options.while_up is not None:
            options.while_up(result)
        if options.keep_running:
            console.print(
                "[bold]--keep-running[/]: chain, indexer and API stay up; Ctrl-C stops them. "
                f"Page: {api_url}/competitions/{competition_id}"
            )
            try:
                while True:
                    time.sleep(1)
            except KeyboardInterrupt:
                pass
        return result
    finally:
        stop.set()
        if indexer_thread is not None:
            indexer_thread.join(timeout=15)
        for proc in processes:
            proc.terminate()
        for proc in processes:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)


def _competition_id(api: str, chain_id: int, address: str) -> int:
    deadline = time.monotonic() + 60
    while True:
        response = httpx.get(
            f"{api}/api/v1/competitions/by-address/{chain_id}/{address}", timeout=5
        )
        if response.status_code == 200:
            return int(response.json()["id"])
        if time.monotonic() > deadline:
            raise ConfigurationError("the indexer did not index the competition within 60 s")
        time.sleep(0.2)


def _trades(api: str, competition_id: int) -> list[dict[str, Any]]:
    """Every trade the API serves for the competition, page by page."""
    data: list[dict[str, Any]] = []
    params: dict[str, str | int] = {"limit": 200}
    while True:
        response = httpx.get(
            f"{api}/api/v1/competitions/{competition_id}/trades", params=params, timeout=10
        )
        response.raise_for_status()
        body = response.json()
        data.extend(body["data"])
        if not body.get("next_cursor"):
            return data
        params = {"limit": 200, "cursor": body["next_cursor"]}


def _wait_indexed(indexer: Indexer, dc: DomaCross) -> None:
    head = dc.w3.eth.block_number
    deadline = time.monotonic() + 60
    while indexer.followers[0].progress.indexed < head:
        if time.monotonic() > deadline:
            raise ConfigurationError("the indexer fell behind by more than 60 s")
        time.sleep(0.05)


def _paid(dc: DomaCross, competition: str) -> dict[str, int]:
    from domacross_sdk import events

    logs = dc.w3.eth.get_logs({"address": competition, "fromBlock": 0})  # type: ignore[typeddict-item]
    return {e.account: e.amount for e in dc.decode_logs(logs) if isinstance(e, events.PrizeClaimed)}


def _chart(database_url: str, competition_id: int, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sqlalchemy import select

    from domacross.db.models import PortfolioValue, User

    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        rows = session.execute(
            select(User.wallet_address, PortfolioValue.timestamp, PortfolioValue.value)
            .join(User, User.id == PortfolioValue.user_id)
            .where(PortfolioValue.competition_id == competition_id)
            .order_by(PortfolioValue.block_number, PortfolioValue.log_index)
        ).all()
    engine.dispose()
    series: dict[str, list[tuple[datetime, float]]] = {}
    for wallet, ts, value in rows:
        series.setdefault(wallet, []).append((ts, value / ETH))
    top = sorted(series, key=lambda w: series[w][-1][1], reverse=True)[:5]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for wallet in top:
        points = series[wallet]
        times = [p[0] for p in points]
        ax.plot(times, [p[1] for p in points], marker="o", label=wallet[:10] + "…")  # type: ignore[arg-type]
    ax.set_title("Top portfolios over the competition (from the indexer's history)")
    ax.set_ylabel("portfolio value (ETH)")
    ax.legend(loc="best", fontsize="small")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _report(
    console: Console,
    final: list[dict[str, Any]],
    results: prizes.Results,
    paid: dict[str, int],
    api: str,
    competition_id: int,
    chart: Path,
) -> None:
    console.print(render(final, "Final standings (served by the API)"))
    table = Table(title="Prizes")
    table.add_column("wallet")
    table.add_column("posted (ETH)", justify="right")
    table.add_column("paid on chain (ETH)", justify="right")
    for wallet, amount in sorted(results.prizes.items(), key=lambda kv: -kv[1]):
        table.add_row(wallet, f"{amount / ETH:.4f}", f"{paid.get(wallet, 0) / ETH:.4f}")
    console.print(table)
    console.print("[bold]Try the API[/] (while it runs, see --keep-running):")
    for path in (
        f"/api/v1/competitions/{competition_id}",
        f"/api/v1/competitions/{competition_id}/leaderboard",
        f"/api/v1/competitions/{competition_id}/trades",
        "/health",
        "/metrics",
        "/docs",
    ):
        console.print(f"  {api}{path}")
    console.print(f"[bold]Chart[/] {chart}")
    console.print(f"[bold]Competition page[/] {api}/competitions/{competition_id}")
