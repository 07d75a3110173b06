"""What every deploy and admin script shares: options, the network pre-check, the account,
the deployment record and journaled sending.

Sending is journaled so that a run killed at any point can be resumed: before a
transaction is broadcast its hash and nonce are written to the record as ``pending``;
once mined, the step records its outcome and clears ``pending`` in the same atomic write.
The next run looks up a pending transaction's receipt before doing anything else.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

import click
from ape.cli import ConnectedProviderCommand
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from rich.console import Console

from domacross_sdk.deployments import (
    DeploymentRecord,
    PendingTx,
    load_record,
    record_path,
    save_record,
    utc_now,
)
from domacross_sdk.errors import ConfigurationError, DomaCrossError
from domacross_sdk.networks import resolve_network, rpc_urls

if TYPE_CHECKING:
    from ape.api import AccountAPI, ProviderAPI, ReceiptAPI, TransactionAPI

CRASH_ENV = "DOMACROSS_DEPLOY_CRASH_AFTER_TX"
"""Test-only hook: exit abruptly (``os._exit``) once this many transactions were mined and
recorded by the run, as a crash or a kill would. ``N:unrecorded`` exits once the N-th is
mined but before its outcome is recorded (it stays ``pending`` in the record)."""
CRASH_EXIT_CODE = 86
DEPLOYMENTS_ENV = "DOMACROSS_DEPLOYMENTS_DIR"
DEFAULT_DEPLOYMENTS_DIR = Path("deployments")


class ScriptError(DomaCrossError, RuntimeError):
    """A script cannot go on; the message says why and what to do."""


# --------------------------------------------------------------------------------------------
# Options


def _network_from_args(args: list[str]) -> str | None:
    for i, arg in enumerate(args):
        if arg == "--network" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--network="):
            return arg.split("=", 1)[1]
    return None


def check_rpc_env(choice: str, environ: dict[str, str] | None = None) -> None:
    """Raises MissingRpcUrlError when ``choice`` is a Doma network without its RPC variable.

    Local and unknown networks pass (Ape reports unknown ones itself).
    """
    try:
        spec = resolve_network(choice)
    except ConfigurationError:
        return
    if not spec.is_local:
        rpc_urls(spec, os.environ if environ is None else environ)


class DomaCrossCommand(ConnectedProviderCommand):
    """An Ape command that checks a Doma network's RPC variable before Ape connects.

    Ape substitutes ``${VAR}`` in ``ape-config.yaml`` and leaves unset ones literal, so without
    this check a missing variable surfaces as a confusing connection error.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if (choice := _network_from_args(args)) is not None:
            try:
                check_rpc_env(choice)
            except ConfigurationError as err:
                click.echo(f"Error: {err}", err=True)
                ctx.exit(2)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """Runs the script; an expected failure is one line with its fix, not a traceback."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as err:
            line = one_line_error(err)
            if line is None:
                raise
            raise click.ClickException(line) from None


def one_line_error(err: BaseException) -> str | None:
    """The message for a failure a user can fix, or None for a bug (keep its traceback)."""
    from ape.exceptions import AccountsError, ProviderError, ProviderNotConnectedError

    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    if isinstance(err, DomaCrossError):
        return text
    if isinstance(err, ProviderNotConnectedError | ProviderError) and (
        "node found" in text or "connect" in text.lower()
    ):
        return (
            f"{text} Check the network's RPC URL (DOMA_*_RPC_URL_PRIMARY for Doma networks, "
            "APE_FOUNDRY_HOST for anvil) and that the node is up."
        )
    lowered = text.lower()
    if any(m in lowered for m in ("insufficient funds", "enough funds", "exceeds account balance")):
        return f"the signing account cannot pay for gas: {text} Fund it and rerun."
    if isinstance(err, AccountsError) or type(err).__name__ == "InvalidPasswordError":
        return f"{text} (the account's passphrase: APE_ACCOUNTS_<alias>_PASSPHRASE)"
    return None


def account_option() -> Callable[[Any], Any]:
    return click.option(
        "--account",
        "account_alias",
        envvar="DOMACROSS_ACCOUNT",
        default=None,
        metavar="ALIAS",
        help=(
            "Ape account alias (`ape accounts list`) that signs; `TEST::N` is test account N. "
            "Default on local chains: test account 0. Required on other networks."
        ),
    )


def deployments_dir_option() -> Callable[[Any], Any]:
    return click.option(
        "--deployments-dir",
        envvar=DEPLOYMENTS_ENV,
        type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_DEPLOYMENTS_DIR,
        show_default=True,
        help=f"Folder of the deployment records (env {DEPLOYMENTS_ENV}).",
    )


def load_account(alias: str | None, network_is_local: bool) -> AccountAPI:
    """The signing account: an Ape account alias, ``TEST::N``, or test account 0 locally.

    Raises:
        click.UsageError: no alias on a non-local network.
    """
    from ape import accounts

    if alias is None:
        if not network_is_local:
            raise click.UsageError("--account ALIAS is required on this network")
        return accounts.test_accounts[0]
    if alias.upper().startswith("TEST::"):
        if not network_is_local:
            raise click.UsageError("test accounts are for local chains only")
        try:
            return accounts.test_accounts[int(alias.split("::", 1)[1])]
        except (ValueError, IndexError):
            raise click.BadParameter(
                f"{alias!r}: no such test account (TEST::0 to "
                f"TEST::{len(accounts.test_accounts) - 1})",
                param_hint="--account",
            ) from None
    try:
        account = accounts.load(alias)
    except KeyError:
        raise click.BadParameter(
            f"no Ape account with alias {alias!r} (`ape accounts list` shows them; "
            "`ape accounts import NAME` adds one)",
            param_hint="--account",
        ) from None
    _autosign(account, alias)
    return account


def _autosign(account: AccountAPI, alias: str) -> None:
    """Signs without prompting when the passphrase is in the environment (unattended runs).

    Ape reads ``APE_ACCOUNTS_<alias>_PASSPHRASE`` to unlock but still asks ``Sign: [y/N]``
    for every transaction; with the passphrase given, the operator has chosen unattended
    signing, so autosign is enabled. Without it and without a terminal, fail before sending.
    """
    variable = f"APE_ACCOUNTS_{alias}_PASSPHRASE"
    set_autosign = getattr(account, "set_autosign", None)
    if set_autosign is None:  # not a keyfile account (hardware wallet, ...): it prompts itself
        return
    passphrase = os.environ.get(variable)
    if passphrase:
        from ape.exceptions import AccountsError

        try:
            set_autosign(True, passphrase=passphrase)
        except (AccountsError, ValueError) as err:
            raise ScriptError(f"{variable} does not unlock account {alias!r}: {err}") from None
    elif not sys.stdin.isatty():
        raise ScriptError(
            f"account {alias!r} would ask for its passphrase and a confirmation per "
            f"transaction, and there is no terminal: export {variable} to sign unattended"
        )


def address(value: str) -> str:
    """Checksummed address; ``click.BadParameter`` on anything else."""
    try:
        return to_checksum_address(value)
    except ValueError as err:
        raise click.BadParameter(f"not an address: {value!r}") from err


# --------------------------------------------------------------------------------------------
# Session


def wide_console() -> Console:
    """A console that does not squeeze tables to 80 columns when output is piped (CI, logs)."""
    console = Console()
    if not console.is_terminal:
        console = Console(width=200)
    return console


def code_hash(code: bytes) -> str:
    return "0x" + keccak(code).hex()


def as_json(value: Any) -> Any:
    """Contract arguments as JSON: addresses checksummed, tuples as lists, bytes as hex."""
    if isinstance(value, bool | int | str) or value is None:
        return to_checksum_address(value) if _is_address(value) else value
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [as_json(v) for v in value]
    if hasattr(value, "address"):
        return to_checksum_address(value.address)
    raise TypeError(f"cannot record {value!r}")


def _is_address(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and len(value) == 42 and value[:2].lower() == "0x"


@dataclass
class Session:
    """One script run on one network: the provider, the signer and the record."""

    provider: ProviderAPI
    ecosystem: str
    network: str
    is_local: bool
    signer: AccountAPI | None
    path: Path
    console: Console = field(default_factory=lambda: wide_console())
    record: DeploymentRecord | None = None
    sent: int = 0
    """Transactions mined (and recorded) by this run."""
    crash_after: int | None = None
    crash_unrecorded: bool = False
    read_only: bool = False
    """Dry run: the record is updated in memory only, never written."""
    _pending_receipt: ReceiptAPI | None = None

    @classmethod
    def open(
        cls,
        provider: ProviderAPI,
        account_alias: str | None,
        deployments_dir: Path,
        *,
        fresh_if_stale: bool = False,
        read_only: bool = False,
        check: bool = True,
        signer: bool = True,
    ) -> Session:
        """Connects the pieces and loads the network's record.

        Args:
            provider: The connected provider.
            account_alias: ``--account``.
            deployments_dir: ``--deployments-dir``.
            fresh_if_stale: On a local chain, start a new record when the chain no longer
                has the recorded contracts (the node was restarted).
            read_only: Never write the record (dry runs, verification).
            check: Check the record against the chain and resolve a pending transaction.
            signer: Load the signing account (verification needs none).
        """
        net = provider.network
        account = load_account(account_alias, net.is_local) if signer else None
        crash = os.environ.get(CRASH_ENV)
        session = cls(
            provider=provider,
            ecosystem=net.ecosystem.name,
            network=net.name,
            is_local=net.is_local,
            signer=account,
            path=record_path(deployments_dir, net.ecosystem.name, net.name),
            crash_after=int(crash.split(":")[0]) if crash else None,
            crash_unrecorded=crash is not None and crash.endswith(":unrecorded"),
            read_only=read_only,
        )
        session._check_network_chain()
        try:
            session.record = load_record(session.path)
        except (ValueError, OSError) as err:
            lines = [ln.strip() for ln in str(err).splitlines()[1:3] if ln.strip()]
            raise ScriptError(
                f"{session.path} is not a valid deployment record ({'; '.join(lines) or err}): "
                "restore it from git, or move it away to start a new one"
            ) from None
        if check:
            session._check_record(fresh_if_stale=fresh_if_stale)
        return session

    @property
    def account(self) -> AccountAPI:
        if self.signer is None:
            raise ScriptError("this command was opened without a signing account")
        return self.signer

    # -- record -------------------------------------------------------------------------------

    @property
    def chain_id(self) -> int:
        return int(self.provider.chain_id)

    def _check_network_chain(self) -> None:
        """Refuses a node whose chain id is not the chosen Doma network's."""
        try:
            spec = resolve_network(f"{self.ecosystem}:{self.network}")
        except ConfigurationError:
            return
        if spec.chain_id is not None and spec.chain_id != self.chain_id:
            raise ScriptError(
                f"the RPC node is on chain {self.chain_id} but network "
                f"{self.ecosystem}:{self.network} is chain {spec.chain_id}: point "
                f"{spec.primary_variable} at the right node"
            )

    def require_record(self) -> DeploymentRecord:
        if self.record is None:
            raise ScriptError(
                f"no deployment record at {self.path}: run `ape run deploy --network "
                f"{self.ecosystem}:{self.network}` first"
            )
        return self.record

    def contract_address(self, name: str) -> str:
        record = self.require_record()
        if name not in record.contracts:
            raise ScriptError(f"{self.path} records no {name}")
        return record.contracts[name].address

    def save(self, record: DeploymentRecord) -> None:
        if not self.read_only:
            save_record(record, self.path)
        self.record = record

    def ensure_record(self) -> DeploymentRecord:
        if self.record is None:
            now = utc_now()
            self.record = DeploymentRecord(
                ecosystem=self.ecosystem,
                network=self.network,
                chain_id=self.chain_id,
                deployer=self.account.address,
                created_at=now,
                updated_at=now,
            )
        return self.record

    def _check_record(self, *, fresh_if_stale: bool) -> None:
        record = self.record
        if record is None:
            return
        problem = None
        if record.chain_id != self.chain_id:
            problem = f"it is for chain id {record.chain_id}, the node is {self.chain_id}"
        else:
            for name, c in record.contracts.items():
                if not self.provider.get_code(c.address):
                    problem = f"there is no code at {c.address} (its {name})"
                    break
        if problem is None:
            self._resolve_pending()
            return
        if fresh_if_stale and self.is_local:
            self.console.print(
                f"[yellow]{self.path} is stale ({problem}): a local chain was restarted; "
                "starting a new record[/]"
            )
            self.record = None
            return
        raise ScriptError(f"{self.path} does not match the chain: {problem}")

    # -- journaled sending --------------------------------------------------------------------

    def _resolve_pending(self) -> None:
        """Finds out what became of the transaction an interrupted run left pending."""
        from web3.exceptions import TransactionNotFound

        record = self.record
        if record is None or record.pending is None:
            return
        pending = record.pending
        try:
            self.provider.web3.eth.get_transaction_receipt(pending.tx_hash)
        except TransactionNotFound:
            nonce = self.provider.get_nonce(pending.sender)
            if nonce > pending.nonce or self.is_local:
                self.console.print(
                    f"[yellow]pending {pending.step} ({pending.tx_hash}) was never mined; "
                    "redoing the step[/]"
                )
                self.save(record.with_pending(None))
                return
            raise ScriptError(
                f"{pending.step} sent {pending.tx_hash} (nonce {pending.nonce}), not mined yet: "
                "wait for it (or replace that nonce) and rerun"
            ) from None
        receipt = self.provider.get_receipt(pending.tx_hash)
        if receipt.failed:
            self.console.print(f"[yellow]pending {pending.step} reverted; redoing the step[/]")
            self.save(record.with_pending(None))
            return
        self.console.print(f"resuming: {pending.step} was mined in block {receipt.block_number}")
        self._pending_receipt = receipt

    def adopt_pending(self, step: str) -> ReceiptAPI | None:
        """The mined receipt of ``step`` left pending by an interrupted run, if any."""
        record = self.record
        if record is None or record.pending is None or record.pending.step != step:
            return None
        receipt, self._pending_receipt = self._pending_receipt, None
        return receipt

    def finish_pending(self) -> None:
        """Clears a mined pending transaction that no step of this run claimed."""
        record = self.record
        if record is not None and record.pending is not None:
            self.console.print(
                f"[yellow]{record.pending.step} ({record.pending.tx_hash}) was mined but is "
                "not part of this run's plan; dropping it from the record[/]"
            )
            self.save(record.with_pending(None))

    def send(self, step: str, txn: TransactionAPI) -> ReceiptAPI:
        """Signs ``txn``, journals it as pending, broadcasts it and waits for it to be mined.

        The caller records the outcome (which clears ``pending``), then calls :meth:`mined`.
        """
        record = self.ensure_record()
        txn.sender = self.account.address
        txn = self.account.prepare_transaction(txn)
        signed = self.account.sign_transaction(txn)
        if signed is None:
            raise ScriptError(f"{self.account.alias or self.account.address} did not sign {step}")
        pending = PendingTx(
            step=step,
            tx_hash="0x" + bytes(signed.txn_hash).hex(),
            sender=self.account.address,
            nonce=int(signed.nonce or 0),
            sent_at=utc_now(),
        )
        self.save(record.with_pending(pending))
        receipt = self.provider.send_transaction(signed)
        if self.crash_unrecorded and self.sent + 1 == self.crash_after:
            self._crash()
        if receipt.failed:
            raise ScriptError(f"{step} reverted in {receipt.txn_hash}")
        return receipt

    def mined(self) -> None:
        """Counts a mined and recorded transaction (and honours the test crash hook)."""
        self.sent += 1
        if self.crash_after is not None and self.sent >= self.crash_after:
            self._crash()

    def _crash(self) -> None:
        sys.stdout.flush()
        os._exit(CRASH_EXIT_CODE)
