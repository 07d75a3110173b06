"""What the admin scripts share: a session with its record, the typed SDK client over Ape's
connection, the error edge, role names and chain time.

Contract calls go through the SDK (`domacross_sdk.DomaCross`): it estimates gas before
signing, so a call that would revert raises the contract's own error (a class of
`domacross_sdk.contract_errors`) and nothing is sent. :func:`script_errors` turns any
`DomaCrossError` into one line on stderr and exit code 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from domacross_deploy.session import ScriptError, Session
from domacross_deploy.suite import role_id
from domacross_sdk import ApeSigner, DomaCross
from domacross_sdk.abis import abi
from domacross_sdk.errors import ConfigurationError, DomaCrossError
from domacross_sdk.generated.errors import AccessControlUnauthorizedAccount
from domacross_sdk.suite import ADMIN_ROLE, CONTRACTS, ROLES

if TYPE_CHECKING:
    from pathlib import Path

    from ape.api import ProviderAPI
    from rich.console import Console

    from domacross_sdk.contracts.base import ContractBinding

ROLE_NAMES = (*(r.role.removesuffix("_ROLE") for r in ROLES), "DEFAULT_ADMIN")
"""What ``--role`` accepts (with or without ``_ROLE``, any case)."""
ROLE_CONTRACTS: dict[str, tuple[str, ...]] = {r.role: r.contracts for r in ROLES}
"""The contracts each role lives on (``DEFAULT_ADMIN_ROLE``, on every contract, is not here)."""
CONTRACT_ALIASES = {
    c.alias: c.name for c in CONTRACTS if c.deployed and c.access_control and c.alias
}
"""``--contract`` accepts these aliases and names: the deployed contracts with roles."""


def _pausable(name: str) -> bool:
    functions = {f.get("name") for f in abi(name) if f.get("type") == "function"}
    return {"pause", "unpause", "paused"} <= functions


PAUSE_TARGETS = {alias: name for alias, name in CONTRACT_ALIASES.items() if _pausable(name)}
"""What ``ape run pause --target`` accepts by name (alias -> record name): the deployed
contracts with roles that can be paused (oracle, tracker, factory, basket-factory)."""
GUARDIAN_ROLE = "GUARDIAN_ROLE"
_ROLE_BY_ID = {role_id(r.role): r.role for r in ROLES} | {role_id(ADMIN_ROLE): ADMIN_ROLE}


def role_constant(name: str) -> str:
    """``reporter``, ``REPORTER`` or ``REPORTER_ROLE`` -> ``REPORTER_ROLE``.

    Raises:
        click.BadParameter: not a role of the suite.
    """
    constant = name.strip().upper().replace("-", "_")
    constant = constant if constant.endswith("_ROLE") else constant + "_ROLE"
    if constant != ADMIN_ROLE and constant not in ROLE_CONTRACTS:
        raise click.BadParameter(f"unknown role {name!r}; one of {', '.join(ROLE_NAMES)}")
    return constant


def role_contracts(constant: str, contract: str | None) -> tuple[str, ...]:
    """The contracts a grant or revoke of ``constant`` acts on: ``contract`` alone when given,
    else every contract that has the role (``GUARDIAN_ROLE``: both factories).

    Raises:
        click.UsageError: ``DEFAULT_ADMIN_ROLE`` without ``contract``.
        click.BadParameter: ``contract`` is unknown or does not have the role.
    """
    implied = ROLE_CONTRACTS.get(constant)
    if contract is None:
        if implied is None:
            raise click.UsageError(f"{constant} exists on every contract: pass --contract")
        return implied
    name = contract_name(contract)
    if implied is not None and name not in implied:
        raise click.BadParameter(
            f"{constant} is a role of {' and '.join(implied)}, not of {name}",
            param_hint="--contract",
        )
    return (name,)


def pause_target(name: str) -> str | None:
    """The record name of a contract that ``ape run pause`` targets by name or alias
    (``basket-factory`` or ``DomainBasketFactory``); None for anything else (an address).
    """
    wanted = name.strip().lower()
    for alias, full in PAUSE_TARGETS.items():
        if wanted in (alias, full.lower()):
            return full
    return None


def contract_name(name: str) -> str:
    """A record name (``ValuationOracle``) or alias (``oracle``) -> the record name.

    Raises:
        click.BadParameter: neither.
    """
    for full in CONTRACT_ALIASES.values():
        if name.lower() == full.lower():
            return full
    if name.lower() in CONTRACT_ALIASES:
        return CONTRACT_ALIASES[name.lower()]
    choices = ", ".join([*CONTRACT_ALIASES.values(), *CONTRACT_ALIASES])
    raise click.BadParameter(f"unknown contract {name!r}; one of {choices}")


def role_name(rid: bytes | str) -> str:
    """A role's constant name from its id (the hex id when it is not one of the suite's)."""
    key = rid if isinstance(rid, str) else "0x" + bytes(rid).hex()
    return _ROLE_BY_ID.get(key.lower(), key)


def describe(err: DomaCrossError) -> str:
    """One line for a user: decoded contract errors in words where that reads better."""
    if isinstance(err, AccessControlUnauthorizedAccount):
        role = role_name(err.needed_role)
        return f"{err.account} lacks {role} (AccessControlUnauthorizedAccount)"
    return str(err).strip()


@contextmanager
def script_errors() -> Iterator[None]:
    """The edge of every admin script: a `DomaCrossError` becomes ``Error: ...`` and exit 1."""
    try:
        yield
    except DomaCrossError as err:
        raise click.ClickException(describe(err)) from None


@dataclass
class Admin:
    """One admin run: the session (network, signer, record) and the SDK client."""

    session: Session
    dc: DomaCross

    @classmethod
    def open(
        cls,
        provider: ProviderAPI,
        account_alias: str | None,
        deployments_dir: Path,
        *,
        signer: bool = True,
        read_only: bool = False,
    ) -> Admin:
        """Loads the network's record (it must exist and match the chain) and the client.

        Raises:
            ScriptError: no record, a record the chain contradicts, or (unless
                ``read_only``) a deploy step still pending in it.
        """
        from ape import networks

        # NOTE: the provider Ape made active for the command. It is the `provider` argument
        # when the command connected it; when a provider of that network was already
        # connected (a command invoked inside `ape test`), the argument is a second,
        # unconnected instance.
        provider = networks.active_provider or provider
        session = Session.open(
            provider, account_alias, deployments_dir, signer=signer, read_only=read_only
        )
        record = session.require_record()
        if record.pending is not None and not read_only:
            # NOTE: a write of the record would clear `pending`, and with it what lets
            # `ape run deploy` adopt that transaction instead of redoing its step.
            raise ScriptError(
                f"{session.path} has a deploy step in flight ({record.pending.step}, "
                f"{record.pending.tx_hash}): rerun `ape run deploy` first"
            )
        dc = DomaCross.from_web3(
            provider.web3,
            deployment=session.path,
            signer=ApeSigner(session.account) if signer else None,
        )
        return cls(session, dc)

    @property
    def console(self) -> Console:
        return self.session.console

    @property
    def address(self) -> str:
        """The signing account's address."""
        return str(self.session.account.address)

    def now(self) -> datetime:
        """The chain's time: that of the block the next transaction would be in."""
        w3 = self.dc.w3
        try:
            block = w3.eth.get_block("pending")
        except Exception:  # some nodes refuse "pending"
            block = w3.eth.get_block("latest")
        return datetime.fromtimestamp(int(block["timestamp"]), UTC)

    def binding(self, name: str) -> ContractBinding:
        """The typed wrapper of a recorded contract."""
        self.session.contract_address(name)  # raises when the record lacks it
        try:
            return self.dc.contract(name)
        except ConfigurationError as err:
            raise ScriptError(str(err)) from None

    def has_role(self, contract: str, role: str) -> bool:
        """Whether the signer holds ``role`` on the recorded ``contract``."""
        holder = self.binding(contract)
        return bool(holder.has_role(role_id(role), self.address))  # type: ignore[attr-defined]

    def require_role(self, contract: str, role: str, what: str) -> None:
        """Raises ScriptError when the signer lacks ``role`` on ``contract`` (before sending)."""
        if not self.has_role(contract, role):
            raise ScriptError(f"{self.address} lacks {contract}.{role}, needed to {what}")
