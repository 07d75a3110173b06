"""`domacross`: the services' command line (click)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from domacross.settings import Settings


@click.group()
def main() -> None:
    """DomaCross services: the indexer and the read API, over DOMACROSS_DATABASE_URL."""


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(revision: str) -> None:
    """Migrates the database to the latest schema (idempotent)."""
    from domacross.indexer.preflight import check_database_url, upgrade_database
    from domacross_sdk.errors import DomaCrossError

    try:
        settings = Settings()
        check_database_url(settings.database_url)
        upgrade_database(settings.database_url, revision)
    except DomaCrossError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"database at revision {revision}")


def _chain_from_record(
    name: str,
    record_path: str,
    urls: list[str],
    from_block: int | None,
    chain_id: int | None = None,
) -> Any:
    """The chain of a deployment record, checked against its RPC: chain id (the record's or
    the named network's) and code at the factory and tracker addresses."""
    from web3 import Web3

    from domacross.indexer import ChainConfig
    from domacross.indexer.preflight import check_chain, check_rpc_url, read_record
    from domacross_sdk.client import Addresses
    from domacross_sdk.errors import ConfigurationError
    from domacross_sdk.rpc import FailoverHTTPProvider

    for url in urls:
        check_rpc_url(url)
    data = read_record(record_path)
    addresses = Addresses.from_record(data)
    if not (addresses.factory and addresses.tracker and addresses.oracle):
        raise ConfigurationError(
            f"{record_path} lacks the CompetitionFactory, PortfolioTracker or ValuationOracle; "
            "pass the record of a complete deployment"
        )
    recorded = data["contracts"]
    blocks = [int(c["block_number"]) for c in recorded.values() if "block_number" in c]
    start = from_block if from_block is not None else min(blocks, default=0)
    # Trades: the record's domain tokens and marketplace, when it has them.
    tokens = tuple(a for a in (addresses.ownership_token, addresses.fraction_token) if a)
    w3 = Web3(FailoverHTTPProvider(urls))
    expected = chain_id if chain_id is not None else data.get("chain_id")
    check_chain(
        w3,
        name,
        int(expected) if expected is not None else None,
        {"CompetitionFactory": addresses.factory, "PortfolioTracker": addresses.tracker},
    )
    return ChainConfig(
        name=name,
        w3=w3,
        factory=addresses.factory,
        tracker=addresses.tracker,
        oracle=addresses.oracle,
        start_block=start,
        domain_tokens=tokens,
        marketplace=addresses.marketplace,
        basket_factory=addresses.basket_factory,
    )


def _crash_hook(engine: Any) -> None:
    """Test hook: DOMACROSS_INDEXER_CRASH_AFTER_STATEMENTS=N kills the process (as SIGKILL
    would) right before its N-th SQL statement, to prove a crash between any two statements
    loses and duplicates nothing."""
    import os

    from sqlalchemy import event

    limit = int(os.environ.get("DOMACROSS_INDEXER_CRASH_AFTER_STATEMENTS", "0"))
    if limit <= 0:
        return
    seen = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_: Any) -> None:
        seen[0] += 1
        if seen[0] >= limit:
            os._exit(137)


@main.command()
@click.option(
    "--network",
    "networks",
    multiple=True,
    help="A Doma network (doma:testnet, doma:mainnet): URLs from DOMA_*_RPC_URL_PRIMARY/"
    "_FALLBACK, contracts from deployments/<ecosystem>-<network>.json. Repeatable.",
)
@click.option(
    "--chain",
    "chains",
    multiple=True,
    metavar="RECORD=URL[,FALLBACK]",
    help="Any chain: a deployment record and its RPC URL(s). Repeatable.",
)
@click.option("--from-block", type=int, default=None, help="Start here instead of the deployment.")
@click.option("--once", is_flag=True, help="Backfill to the confirmed head, then exit.")
@click.option("--no-progress", is_flag=True, help="No progress bar (logs only).")
@click.option(
    "--rewind-to",
    type=click.IntRange(min=-1),
    default=None,
    metavar="BLOCK",
    help="First delete everything indexed above BLOCK (after a reorg deeper than every "
    "stored hash), then index from BLOCK + 1.",
)
def index(
    networks: tuple[str, ...],
    chains: tuple[str, ...],
    from_block: int | None,
    once: bool,
    no_progress: bool,
    rewind_to: int | None,
) -> None:
    """Indexes the contracts' events of one or more chains into DOMACROSS_DATABASE_URL."""
    import signal
    import threading

    from pydantic import ValidationError

    from domacross.db import make_engine, session_factory
    from domacross.indexer import Indexer
    from domacross.indexer.jsonlog import configure
    from domacross.indexer.preflight import check_database_url, upgrade_database
    from domacross_sdk.errors import DomaCrossError
    from domacross_sdk.networks import resolve_network, rpc_urls

    configure()
    try:
        settings = Settings()
        targets = []
        for choice in networks:
            net = resolve_network(choice)
            urls = rpc_urls(net)
            record = f"deployments/{net.ecosystem}-{net.name}.json"
            fallback = [urls.fallback] if urls.fallback else []
            targets.append(
                _chain_from_record(
                    net.choice, record, [urls.primary, *fallback], from_block, net.chain_id
                )
            )
        for spec in chains:
            record, _, url_list = spec.partition("=")
            if not url_list:
                raise click.BadParameter(f"{spec!r}: expected RECORD=URL[,FALLBACK]")
            targets.append(_chain_from_record(record, record, url_list.split(","), from_block))
        if not targets:
            raise click.UsageError("nothing to index: pass --network or --chain")
        check_database_url(settings.database_url)
        upgrade_database(settings.database_url)
        engine = make_engine(settings.database_url)
        _crash_hook(engine)
        indexer = Indexer(targets, session_factory(engine), settings)
        if rewind_to is not None:
            for follower in indexer.followers:
                with follower.sessions() as session:
                    follower.rewind(session, rewind_to)
                click.echo(f"{follower.config.name}: rewound to block {rewind_to}", err=True)
        # The long-running indexer waits out RPC outages in its first catch-up too.
        indexer.backfill(show_progress=not no_progress, retry_seconds=30.0 if once else None)
        if once:
            indexer.snapshot()
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        indexer.run(stop)
    except DomaCrossError as exc:
        raise click.ClickException(str(exc)) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise click.ClickException(
            f"setting DOMACROSS_{str(first['loc'][0]).upper()}: {first['msg']}"
        ) from None


@db.command("create-readonly-role")
@click.option("--name", required=True, help="Role to create or update (e.g. domacross_api).")
@click.option(
    "--password",
    envvar="DOMACROSS_READONLY_PASSWORD",
    default=None,
    help="Its password (or DOMACROSS_READONLY_PASSWORD); omit for trust/peer auth.",
)
@click.option("--print-sql", is_flag=True, help="Print the SQL instead of running it.")
def db_create_readonly_role(name: str, password: str | None, print_sql: bool) -> None:
    """Creates a PostgreSQL login role that can only read the database (for the API's
    DOMACROSS_READ_DATABASE_URL). Runs as DOMACROSS_DATABASE_URL's role, after `db upgrade`."""
    from sqlalchemy import make_url

    from domacross.db.engine import make_engine
    from domacross.db.readonly import create_readonly_role, readonly_role_sql

    settings = Settings()
    url = make_url(settings.database_url)
    if not url.drivername.startswith("postgresql"):
        raise click.ClickException("read-only roles exist on PostgreSQL only")
    if print_sql:
        for statement in readonly_role_sql(name, url.database or "postgres", password):
            click.echo(statement + ";")
        return
    engine = make_engine(settings.database_url)
    try:
        create_readonly_role(engine, name, password)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()
    click.echo(f"role {name} can read {url.database}; set DOMACROSS_READ_DATABASE_URL to use it")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65_535))
@click.option("--reload", is_flag=True, help="Restart on code changes (development only).")
@click.option("--log-level", default="info", show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="API processes behind the one port (rate limits then need a shared store).",
)
def serve(host: str, port: int, reload: bool, log_level: str, workers: int) -> None:
    """Runs the read API (uvicorn) over DOMACROSS_DATABASE_URL / _READ_DATABASE_URL."""
    import uvicorn

    from domacross.api.workers import prepare_workers

    if workers > 1:
        try:
            prepare_workers(Settings(), os.environ)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    uvicorn.run(
        "domacross.api.main:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=workers if workers > 1 else None,
        log_level=log_level,
        proxy_headers=False,
        server_header=False,
        # A response's head and body in one send (domacross.api.server).
        http="domacross.api.server:HeadWithBodyProtocol",
    )


@main.command()
@click.option("--traders", type=click.IntRange(2, 30), default=6, show_default=True)
@click.option("--rounds", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option(
    "--length",
    type=click.IntRange(3_600, 30 * 86_400),
    default=3_600,
    show_default=True,
    help="Competition length in seconds of chain time (anvil's clock jumps forward).",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same results.")
@click.option("--keep-running", is_flag=True, help="Leave the chain, indexer and API up.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Where the chart goes.",
)
def demo(
    traders: int, rounds: int, length: int, seed: int, keep_running: bool, out_dir: Path
) -> None:
    """Runs a whole competition end to end on a local chain (see README "Demo")."""
    from domacross.demo import DemoOptions, run_demo
    from domacross_sdk.errors import DomaCrossError

    options = DemoOptions(
        traders=traders,
        rounds=rounds,
        length=length,
        seed=seed,
        keep_running=keep_running,
        out_dir=out_dir,
    )
    try:
        run_demo(options)
    except DomaCrossError as exc:
        raise click.ClickException(str(exc)) from None


if __name__ == "__main__":
    main()
