"""Checks before indexing: every bad input becomes one `ConfigurationError` line that says
what is wrong and what to do (the CLI prints it and exits 1), never a traceback and never
a half-written database.

* the deployment record is JSON with valid addresses;
* each RPC URL is an http(s) URL, and the node serves the record's (or the named
  network's) chain id and has code at the factory and tracker addresses;
* the database URL is SQLite (its folder exists) or PostgreSQL, reachable, and not at a
  migration newer than this version knows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from web3 import Web3

from domacross_sdk.deployments import read_record_json
from domacross_sdk.errors import ConfigurationError
from domacross_sdk.rpc import redact


def read_record(path: str) -> dict[str, Any]:
    """The deployment record at `path`, parsed."""
    data = read_record_json(path)
    for name, entry in data["contracts"].items():
        address = entry.get("address") if isinstance(entry, dict) else None
        if address is not None and not (isinstance(address, str) and Web3.is_address(address)):
            raise ConfigurationError(
                f"deployment record {path}: {name} has an invalid address {address!r}; "
                "fix it to a 20-byte 0x address"
            )
    return data


def check_rpc_url(url: str) -> None:
    """An RPC URL must be http(s) with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = redact(url) if parts.hostname else repr(url)
        raise ConfigurationError(
            f"RPC URL {shown} is not an http(s) URL; pass one like http://127.0.0.1:8545"
        )


def check_chain(
    w3: Web3,
    label: str,
    expected_chain_id: int | None,
    code_at: dict[str, str],
) -> int:
    """The node's chain id (equal to `expected_chain_id` when given); each of `code_at`
    (name -> address) must be a contract on that chain. Returns the chain id."""
    from requests import RequestException
    from web3.exceptions import Web3Exception

    try:
        return _check_chain(w3, label, expected_chain_id, code_at)
    except (RequestException, Web3Exception, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigurationError(
            f"{label}: the RPC did not answer as a node ({reason}); check the RPC URL"
        ) from None


def _check_chain(
    w3: Web3, label: str, expected_chain_id: int | None, code_at: dict[str, str]
) -> int:
    chain_id = int(w3.eth.chain_id)
    if expected_chain_id is not None and chain_id != expected_chain_id:
        raise ConfigurationError(
            f"{label}: the RPC serves chain id {chain_id}, the deployment is on "
            f"{expected_chain_id}; point the RPC URL at the deployment's chain"
        )
    for name, address in code_at.items():
        if not bytes(w3.eth.get_code(Web3.to_checksum_address(address))):
            raise ConfigurationError(
                f"{label}: no contract code at the {name} address {address} on chain "
                f"{chain_id}; the record does not match this chain (redeploy or fix the record)"
            )
    return chain_id


def check_database_url(url: str) -> None:
    """SQLite (in an existing folder) or PostgreSQL, and reachable."""
    from sqlalchemy import create_engine, make_url, text
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    hint = "set DOMACROSS_DATABASE_URL to sqlite:///path.db or postgresql+psycopg://user@host/db"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(f"database URL {url!r} is not a URL; {hint}") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigurationError(
            f"database URL scheme {parsed.drivername}:// is not supported (SQLite or "
            f"PostgreSQL only); {hint}"
        )
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database or "").resolve().parent
        if not folder.is_dir():
            raise ConfigurationError(
                f"SQLite database folder {folder} does not exist; create it (mkdir -p) or "
                "point DOMACROSS_DATABASE_URL elsewhere"
            )
    engine = create_engine(url, connect_args={"connect_timeout": 5} if backend != "sqlite" else {})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise ConfigurationError(
            f"cannot open the database {parsed.render_as_string(hide_password=True)}: "
            f"{reason}; start it or fix DOMACROSS_DATABASE_URL"
        ) from None
    finally:
        engine.dispose()


def upgrade_database(url: str, revision: str = "head") -> None:
    """Migrates the database (after `check_database_url`), saying so in one line when it
    is at a migration this version does not know (a newer domacross wrote it)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    from domacross.db.migrate import MigrationRefusedError, alembic_config, upgrade

    script = ScriptDirectory.from_config(alembic_config(url))
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        current = []  # a new database
    finally:
        engine.dispose()
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = [rev for rev in current if rev not in known]
    if unknown:
        raise ConfigurationError(
            f"the database is at migration {', '.join(unknown)}, newer than this domacross "
            f"knows (latest {script.get_current_head()}); upgrade domacross, or use another "
            "database"
        )
    try:
        upgrade(url, revision)
    except (CommandError, MigrationRefusedError) as exc:
        raise ConfigurationError(f"cannot migrate the database: {exc}") from None
