"""Constructor arguments and the plan/execute loop of `ape run deploy`.

Which contracts are deployed, in which order, with which roles and links, is the suite
manifest (`domacross_sdk.suite`); this module adds what only a deployment needs: the
constructor arguments and the steps.

One walk over the steps serves both the dry run (``--dry-run``: decide and estimate, send
nothing) and the real run (decide, send, record), so the printed plan is what a run does.
Every step first looks at the record and at the chain, which makes a rerun send nothing
and an interrupted run resume where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from eth_utils.crypto import keccak
from rich.table import Table

from domacross_deploy.session import ScriptError, Session, as_json, code_hash
from domacross_sdk.deployments import CallRecord, ContractRecord, RoleGrant, utc_now
from domacross_sdk.suite import (
    ADMIN_ROLE,
    DEPLOY_ORDER,
    GRANTS,
    LINKS,
    ROLES,
    SuiteContract,
    SuiteLink,
    SuiteRole,
    deployed,
)

if TYPE_CHECKING:
    from ape.api import ReceiptAPI
    from ape.contracts import ContractContainer

ZERO_ADDRESS = "0x" + "00" * 20
# Gas of a grantRole on a contract not deployed yet (cannot be estimated): measured.
TYPICAL_GRANT_GAS = 51_500
TYPICAL_CALL_GAS = 46_500

# Defaults of the constructor arguments (the same as the test suite's).
MAX_PRICE_AGE = 86_400
MAX_CHANGE_BPS = 2_000
# minDuration, maxDuration, disputeWindow, minClaimPeriod, minEntryFee, maxEntryFee,
# maxRakeBps, maxPayoutRanks
LIMITS = (3_600, 30 * 86_400, 3_600, 86_400, 0, 100 * 10**18, 1_000, 10)
FRACTION_NAME, FRACTION_SYMBOL = "Domain fraction (local)", "DFRAC"

Action = Literal["deploy", "redeploy", "skip", "changed", "send", "record"]


def role_id(role: str) -> str:
    """bytes32 id of an AccessControl role constant, as hex."""
    return "0x" + ("00" * 32 if role == ADMIN_ROLE else keccak(text=role).hex())


@dataclass(frozen=True)
class SuiteConfig:
    """What a deployment is made of, from the options."""

    deployer: str
    local: bool
    max_price_age: int = MAX_PRICE_AGE
    max_change_bps: int = MAX_CHANGE_BPS
    limits: tuple[int, ...] = LIMITS
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Accounts per role option; an option absent here defaults to the deployer locally."""

    def holders(self, option: str) -> tuple[str, ...]:
        if option in self.roles:
            return self.roles[option]
        return (self.deployer,) if self.local else ()


Addresses = dict[str, str | None]
"""Address per contract deployed so far; None when a dry run would deploy it."""

ARGS: dict[str, Callable[[SuiteConfig, Addresses], list[Any]]] = {
    "ValuationOracle": lambda c, a: [c.deployer, c.max_price_age, c.max_change_bps],
    "PortfolioTracker": lambda c, a: [c.deployer, a["ValuationOracle"]],
    "CompetitionFactory": lambda c, a: [c.deployer, list(c.limits)],
    "DomaOwnershipToken": lambda c, a: [c.deployer],
    "DomainFractionToken": lambda c, a: [c.deployer, FRACTION_NAME, FRACTION_SYMBOL],
    "DomainMarketplace": lambda c, a: [],
    "DomainBasketFactory": lambda c, a: [c.deployer, a["ValuationOracle"]],
}
"""Constructor arguments of every contract the manifest says `ape run deploy` deploys."""
CONTRACT_NAMES = DEPLOY_ORDER
ROLE_OPTIONS = tuple(r.option for r in ROLES)


def constructor_args(spec: SuiteContract, config: SuiteConfig, addresses: Addresses) -> list[Any]:
    """The constructor arguments of ``spec``; None stands for a contract a dry run would deploy.

    Raises:
        ScriptError: the suite manifest names a contract this module has no arguments for.
    """
    args = ARGS.get(spec.name)
    if args is None:
        raise ScriptError(
            f"{spec.name} is in the suite manifest (domacross_sdk.suite) but "
            "domacross_deploy.suite.ARGS has no constructor arguments for it: add them"
        )
    return args(config, addresses)


@dataclass(frozen=True)
class Row:
    """One line of the plan (dry run) or of the report (real run)."""

    step: str
    action: Action
    detail: str
    gas: int | None = None
    gas_is_typical: bool = False
    tx_hash: str | None = None


@dataclass
class Outcome:
    rows: list[Row] = field(default_factory=list)
    sent: int = 0
    changed: list[str] = field(default_factory=list)
    """Contracts whose compiled code or arguments changed, left as they are."""


def container(name: str) -> ContractContainer:
    from ape import project

    return project.get_contract(name)


def init_code_hash(name: str) -> str:
    bytecode = container(name).contract_type.deployment_bytecode
    if bytecode is None or bytecode.bytecode is None:
        raise ScriptError(f"{name} has no compiled creation code: run `ape compile`")
    return code_hash(bytes.fromhex(bytecode.bytecode.removeprefix("0x")))


def deploy_suite(
    session: Session,
    config: SuiteConfig,
    *,
    redeploy: Sequence[str] = (),
    dry_run: bool = False,
) -> Outcome:
    """Deploys what is missing, grants what is not granted, records each step when mined.

    Args:
        session: The network, signer and record.
        config: The suite's constructor arguments and role holders.
        redeploy: Contracts to deploy again although recorded (when their code changed).
        dry_run: Decide and estimate gas only; send nothing, write nothing.

    Raises:
        ScriptError: the record belongs to another deployer, a stand-in was asked for on a
            non-local network, or the chain contradicts the record.
    """
    unknown = sorted(set(redeploy) - set(CONTRACT_NAMES))
    if unknown:
        raise ScriptError(f"--redeploy: unknown contract(s) {', '.join(unknown)}")
    record = session.record
    if record is not None and record.deployer != session.account.address:
        raise ScriptError(
            f"{session.path} was deployed by {record.deployer}; sign with that account "
            f"(not {session.account.address}) or use another --deployments-dir"
        )
    if not session.is_local and any(
        c.name in redeploy for c in deployed(local=True) if c.local_only
    ):
        raise ScriptError("the stand-in tokens are deployed on local chains only")

    run = _Run(session, config, set(redeploy), dry_run)
    for spec in deployed(local=session.is_local):
        run.contract(spec)
        for link in LINKS:
            if spec.name == link.runs_after:
                run.link(link)
    for role, contract in GRANTS:
        run.grants(role, contract)
    if not dry_run:
        session.finish_pending()
    run.outcome.sent = session.sent
    return run.outcome


@dataclass
class _Run:
    session: Session
    config: SuiteConfig
    redeploy: set[str]
    dry_run: bool
    addresses: Addresses = field(default_factory=dict)
    outcome: Outcome = field(default_factory=Outcome)

    def _row(self, row: Row) -> None:
        self.outcome.rows.append(row)

    def _receipt_fields(self, receipt: ReceiptAPI) -> tuple[str, int]:
        return str(receipt.txn_hash), int(receipt.block_number)

    # -- contracts ----------------------------------------------------------------------------

    def contract(self, spec: SuiteContract) -> None:
        name = spec.name
        deps_pending = [d for d, a in self.addresses.items() if a is None]
        args = constructor_args(spec, self.config, self.addresses)
        record = self.session.record
        recorded = record.contracts.get(name) if record else None
        step = f"deploy:{name}"
        action: Action = "deploy"
        detail = "not recorded"
        if recorded is not None:
            diffs = []
            if recorded.init_code_hash != init_code_hash(name):
                diffs.append("compiled bytecode changed")
            if None in args:
                diffs.append(f"depends on {', '.join(deps_pending)}, to be deployed")
            elif recorded.constructor_args != as_json(args):
                diffs.append(f"constructor args {recorded.constructor_args} -> {as_json(args)}")
            if not diffs:
                self.addresses[name] = recorded.address
                self._row(Row(step, "skip", f"recorded at {recorded.address}"))
                return
            detail = "; ".join(diffs)
            if name not in self.redeploy:
                self.addresses[name] = recorded.address
                self.outcome.changed.append(name)
                self._row(
                    Row(step, "changed", f"{detail}: kept {recorded.address}; --redeploy {name}")
                )
                return
            action = "redeploy"
        if self.dry_run:
            placeholder = [self.session.account.address if a is None else a for a in args]
            txn = container(name)(*placeholder)
            txn.sender = self.session.account.address
            gas = int(self.session.provider.estimate_gas_cost(txn))
            self.addresses[name] = None
            self._row(Row(step, action, detail, gas=gas))
            return
        receipt = self.session.adopt_pending(step) or self.session.send(
            step, container(name)(*args)
        )
        address = receipt.contract_address
        if not address:
            raise ScriptError(f"{step}: {receipt.txn_hash} created no contract")
        tx_hash, block = self._receipt_fields(receipt)
        now = utc_now()
        entry = ContractRecord(
            address=address,
            tx_hash=tx_hash,
            block_number=block,
            bytecode_hash=code_hash(bytes(self.session.provider.get_code(address))),
            init_code_hash=init_code_hash(name),
            constructor_args=as_json(args),
            deployed_at=now,
        )
        admin = RoleGrant(
            contract=name,
            contract_address=address,
            role=ADMIN_ROLE,
            role_id=role_id(ADMIN_ROLE),
            account=self.config.deployer,
            tx_hash=None,
            block_number=block,
            granted_at=now,
        )
        record = self.session.ensure_record().with_contract(name, entry)
        if spec.access_control:
            record = record.with_role(admin)
        self.session.save(record)
        self.addresses[name] = address
        self._row(
            Row(step, action, f"{detail} -> {address}", gas=receipt.gas_used, tx_hash=tx_hash)
        )
        self.session.mined()

    # -- set-once links (tracker.setFactory, tracker.setBasketFactory) ------------------------

    def link(self, spec: SuiteLink) -> None:
        step = f"call:{spec.name}"
        target, value = self.addresses[spec.target], self.addresses[spec.value]
        if target is None or value is None:
            self._row(
                Row(step, "send", f"{spec.getter} of the new {spec.target}", TYPICAL_CALL_GAS, True)
            )
            return
        instance = container(spec.target).at(target)
        current = str(getattr(instance, spec.getter)())
        record = self.session.record
        recorded = record is not None and any(
            c.name == spec.name and c.target == target and c.args == [value] for c in record.calls
        )
        if current.lower() == value.lower():
            if recorded:
                self._row(Row(step, "skip", f"{spec.getter} is {value}"))
                return
            receipt = None if self.dry_run else self.session.adopt_pending(step)
            if not self.dry_run:
                self._record_call(spec, target, value, receipt)
            self._row(Row(step, "record", "already set on chain", tx_hash=_hash(receipt)))
            return
        if spec.once and current.lower() != ZERO_ADDRESS:
            raise ScriptError(
                f"{spec.target} {target} has {spec.getter} {current}, not {value}, and "
                f"{spec.setter} works once: redeploy it too (--redeploy {spec.target})"
            )
        setter = getattr(instance, spec.setter)
        if self.dry_run:
            gas = setter.estimate_gas_cost(value, sender=self.session.account)
            self._row(Row(step, "send", f"{spec.getter} {value}", gas=int(gas)))
            return
        receipt = self.session.send(step, setter.as_transaction(value, sender=self.session.account))
        self._record_call(spec, target, value, receipt)
        self._row(
            Row(step, "send", f"{spec.getter} {value}", receipt.gas_used, tx_hash=_hash(receipt))
        )
        self.session.mined()

    def _record_call(
        self, spec: SuiteLink, target: str, value: str, receipt: ReceiptAPI | None
    ) -> None:
        block = None if receipt is None else int(receipt.block_number)
        call = CallRecord(
            name=spec.name,
            target=target,
            args=[value],
            tx_hash=_hash(receipt),
            block_number=block,
            at=utc_now(),
        )
        record = self.session.ensure_record()
        self.session.save(record.with_call(call))

    # -- roles --------------------------------------------------------------------------------

    def grants(self, spec: SuiteRole, contract: str) -> None:
        """Grants ``spec`` on ``contract`` (one of ``spec.contracts``) to each holder."""
        if contract not in self.addresses:
            return  # a local-only contract on a real network
        target = self.addresses[contract]
        rid = role_id(spec.role)
        for account in self.config.holders(spec.option):
            step = f"grant:{contract}.{spec.role}:{account}"
            if target is None:
                self._row(Row(step, "send", "on the new contract", TYPICAL_GRANT_GAS, True))
                continue
            instance = container(contract).at(target)
            record = self.session.record
            if instance.hasRole(rid, account):
                if record is not None and record.has_role(target, rid, account):
                    self._row(Row(step, "skip", "granted and recorded"))
                    continue
                receipt = None if self.dry_run else self.session.adopt_pending(step)
                if not self.dry_run:
                    self._record_grant(spec, contract, target, account, receipt)
                self._row(Row(step, "record", "held on chain", tx_hash=_hash(receipt)))
                continue
            if self.dry_run:
                gas = instance.grantRole.estimate_gas_cost(
                    rid, account, sender=self.session.account
                )
                self._row(Row(step, "send", "", gas=int(gas)))
                continue
            receipt = self.session.send(
                step, instance.grantRole.as_transaction(rid, account, sender=self.session.account)
            )
            self._record_grant(spec, contract, target, account, receipt)
            self._row(Row(step, "send", "", receipt.gas_used, tx_hash=_hash(receipt)))
            self.session.mined()

    def _record_grant(
        self,
        spec: SuiteRole,
        contract: str,
        target: str,
        account: str,
        receipt: ReceiptAPI | None,
    ) -> None:
        block = (
            int(receipt.block_number)
            if receipt is not None
            else int(self.session.provider.get_block("latest").number or 0)
        )
        grant = RoleGrant(
            contract=contract,
            contract_address=target,
            role=spec.role,
            role_id=role_id(spec.role),
            account=account,
            tx_hash=_hash(receipt),
            block_number=block,
            granted_at=utc_now(),
        )
        record = self.session.ensure_record()
        self.session.save(record.with_role(grant))


def _hash(receipt: ReceiptAPI | None) -> str | None:
    return None if receipt is None else str(receipt.txn_hash)


def plan_table(outcome: Outcome, title: str, *, dry_run: bool) -> Table:
    """The rows as a rich table."""
    table = Table(title=title)
    table.add_column("step", no_wrap=True)
    table.add_column("action")
    table.add_column("detail")
    table.add_column("gas (estimated)" if dry_run else "gas used", justify="right")
    if not dry_run:
        table.add_column("tx", no_wrap=True)
    style = {
        "skip": "dim",
        "changed": "yellow",
        "deploy": "green",
        "redeploy": "magenta",
        "send": "green",
        "record": "cyan",
    }
    total = 0
    for row in outcome.rows:
        gas = "" if row.gas is None else f"{'≈' if row.gas_is_typical else ''}{row.gas:,}"
        total += row.gas or 0
        cells = [row.step, f"[{style[row.action]}]{row.action}[/]", row.detail, gas]
        if not dry_run:
            cells.append(f"{row.tx_hash[:10]}…{row.tx_hash[-4:]}" if row.tx_hash else "")
        table.add_row(*cells)
    table.caption = f"total gas {'(estimated) ' if dry_run else ''}{total:,}"
    return table
