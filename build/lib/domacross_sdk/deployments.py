"""Deployment records: what the deploy script put on a network, one JSON file per network.

A record lives in ``deployments/<ecosystem>-<network>.json`` (see :func:`record_path`) and
says, for one chain, which contracts the suite consists of, where they are, how they were
built and which roles were granted. The deploy script writes it after every mined
transaction, atomically (:func:`save_record`), so an interrupted run leaves a complete,
valid record of what was done, and the next run resumes from it.

Format (schema version 1, JSON Schema in ``deployments/record.schema.json``; addresses are
EIP-55 checksummed, hashes ``0x``-prefixed lowercase hex, times ISO 8601 UTC)::

    {
      "schema_version": 1,
      "ecosystem": "doma", "network": "testnet", "chain_id": 97476,
      "deployer": "0x...",
      "created_at": "...", "updated_at": "...",
      "contracts": {
        "ValuationOracle": {
          "address": "0x...", "tx_hash": "0x...", "block_number": 12,
          "bytecode_hash": "0x...",        # keccak256 of the runtime code read back from chain
          "init_code_hash": "0x...",       # keccak256 of the compiled creation code (no args)
          "constructor_args": ["0x...", 86400, 2000],
          "deployed_at": "..."
        }, ...
      },
      "roles": [
        {"contract": "ValuationOracle", "contract_address": "0x...", "role": "REPORTER_ROLE",
         "role_id": "0x...", "account": "0x...", "tx_hash": "0x..." | null,
         "block_number": 13, "granted_at": "..."}, ...
      ],
      "calls": [
        {"name": "PortfolioTracker.setFactory", "target": "0x...", "args": ["0x..."],
         "tx_hash": "0x...", "block_number": 15, "at": "..."}
      ],
      "pending": null | {"step": "...", "tx_hash": "0x...", "sender": "0x...", "nonce": 7,
                         "sent_at": "..."}
    }

``roles`` entries with ``tx_hash: null`` were granted by the contract's constructor (the
admin role). ``pending`` names a transaction that was signed and broadcast but whose
outcome was not yet recorded: the next run looks up its receipt before sending anything.

Example:
    >>> from pathlib import Path
    >>> record_path(Path("deployments"), "doma", "testnet").name
    'doma-testnet.json'
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from domacross_sdk.errors import ConfigurationError

SCHEMA_VERSION: Literal[1] = 1
"""Version of the record format; bumped on any incompatible change."""

VOLATILE_FIELDS = frozenset(
    {"created_at", "updated_at", "deployed_at", "granted_at", "at", "sent_at", "tx_hash"}
)
"""Fields that :meth:`DeploymentRecord.fingerprint` leaves out (see there)."""


def utc_now() -> datetime:
    """The current time in UTC, to the second (what records store)."""
    return datetime.now(UTC).replace(microsecond=0)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContractRecord(_Model):
    """One deployed contract."""

    address: str
    """Checksummed address."""
    tx_hash: str
    """Hash of the creating transaction."""
    block_number: int
    """Block that included the creating transaction."""
    bytecode_hash: str
    """keccak256 of the runtime code read back from the chain (immutables included)."""
    init_code_hash: str
    """keccak256 of the compiled creation code without constructor arguments: a change of
    source, compiler or settings changes it."""
    constructor_args: list[JsonValue]
    """Constructor arguments as JSON (addresses checksummed, tuples as lists)."""
    deployed_at: datetime
    """When the deploy script saw the transaction mined."""


class RoleGrant(_Model):
    """One role held by one account on one contract, as granted by the scripts."""

    contract: str
    """Name of the contract in :attr:`DeploymentRecord.contracts`."""
    contract_address: str
    """Address of the contract the role was granted on (a redeployment drops its grants)."""
    role: str
    """Name of the role constant, e.g. ``REPORTER_ROLE`` or ``DEFAULT_ADMIN_ROLE``."""
    role_id: str
    """The role's bytes32 id (``keccak256(name)``; zero for ``DEFAULT_ADMIN_ROLE``)."""
    account: str
    """Checksummed account holding the role."""
    tx_hash: str | None
    """The granting transaction; None when the constructor granted it (the admin role) or a
    run found it held on chain without a record of the transaction."""
    block_number: int
    """Block of the granting transaction (or of the deployment)."""
    granted_at: datetime
    """When the script saw the grant mined."""


class CallRecord(_Model):
    """A one-off configuration call of the deployment (e.g. ``PortfolioTracker.setFactory``)."""

    name: str
    """``Contract.method``."""
    target: str
    """Address of the called contract."""
    args: list[JsonValue]
    """Arguments as JSON."""
    tx_hash: str | None
    """The call's transaction, or None when a run found it done on chain without a record."""
    block_number: int | None
    """Block that included it (None with ``tx_hash``)."""
    at: datetime
    """When the script saw it mined."""


class PendingTx(_Model):
    """A transaction broadcast by a step whose outcome is not recorded yet."""

    step: str
    """The step that sent it, e.g. ``deploy:ValuationOracle`` or ``grant:...``."""
    tx_hash: str
    """Hash of the signed transaction."""
    sender: str
    """Its sender."""
    nonce: int
    """Its nonce: once the sender's nonce is past it, the transaction was mined or replaced."""
    sent_at: datetime
    """When it was broadcast."""


class DeploymentRecord(_Model):
    """Everything the deploy and admin scripts did on one network."""

    schema_version: Literal[1] = SCHEMA_VERSION
    """Format version (see the module docstring)."""
    ecosystem: str
    """Ape ecosystem, e.g. ``doma``."""
    network: str
    """Ape network, e.g. ``testnet``."""
    chain_id: int
    """Chain id the record belongs to; a record never applies to another chain."""
    deployer: str
    """Checksummed account that deployed the suite and holds its admin roles."""
    created_at: datetime
    """When the first transaction of the record was mined."""
    updated_at: datetime
    """When the record last changed."""
    contracts: dict[str, ContractRecord] = Field(default_factory=dict)
    """Deployed contracts by name."""
    roles: list[RoleGrant] = Field(default_factory=list)
    """Roles granted, in the order they were granted."""
    calls: list[CallRecord] = Field(default_factory=list)
    """Configuration calls, in the order they were made."""
    pending: PendingTx | None = None
    """A broadcast transaction whose outcome is not recorded yet."""

    def with_contract(self, name: str, contract: ContractRecord) -> DeploymentRecord:
        """A copy with ``contract`` recorded as ``name``.

        Grants and calls on a previous deployment of ``name`` are dropped, and so is
        ``pending``: the step that sent it is done.
        """
        previous = self.contracts.get(name)
        gone = None if previous is None or previous.address == contract.address else previous
        roles = [r for r in self.roles if gone is None or r.contract_address != gone.address]
        calls = [c for c in self.calls if gone is None or c.target != gone.address]
        return self.model_copy(
            update={
                "contracts": {**self.contracts, name: contract},
                "roles": roles,
                "calls": calls,
                "pending": None,
                "updated_at": utc_now(),
            }
        )

    def with_role(self, grant: RoleGrant) -> DeploymentRecord:
        """A copy with ``grant`` recorded (replacing an equal grant) and no ``pending``."""
        roles = [r for r in self.roles if _grant_key(r) != _grant_key(grant)]
        return self.model_copy(
            update={"roles": [*roles, grant], "pending": None, "updated_at": utc_now()}
        )

    def without_role(self, contract_address: str, role_id: str, account: str) -> DeploymentRecord:
        """A copy without the grant of ``role_id`` to ``account`` on ``contract_address``."""
        key = (contract_address.lower(), role_id.lower(), account.lower())
        roles = [r for r in self.roles if _grant_key(r) != key]
        return self.model_copy(update={"roles": roles, "pending": None, "updated_at": utc_now()})

    def with_call(self, call: CallRecord) -> DeploymentRecord:
        """A copy with ``call`` recorded and no ``pending``."""
        return self.model_copy(
            update={"calls": [*self.calls, call], "pending": None, "updated_at": utc_now()}
        )

    def with_pending(self, pending: PendingTx | None) -> DeploymentRecord:
        """A copy with ``pending`` set (or cleared with None)."""
        return self.model_copy(update={"pending": pending, "updated_at": utc_now()})

    def has_role(self, contract_address: str, role_id: str, account: str) -> bool:
        """True when the record holds this grant."""
        key = (contract_address.lower(), role_id.lower(), account.lower())
        return any(_grant_key(r) == key for r in self.roles)

    def fingerprint(self) -> dict[str, Any]:
        """What two records of the same deployment have in common.

        Two runs that deployed the same suite from the same chain state with the same
        account and options (for instance one uninterrupted run, and one killed halfway then
        resumed) end with records whose fingerprints are equal. The fingerprint is the
        record's JSON without the fields that necessarily differ between such runs:
        every time (``created_at``, ``updated_at``, ``deployed_at``, ``granted_at``, ``at``,
        ``sent_at``) and every transaction hash (``tx_hash``: it depends on gas prices and
        signatures, not on what was deployed). Everything else is kept: chain id,
        deployer, each contract's address, block, runtime-code hash, creation-code hash and
        constructor arguments, each grant (contract, role, account, block), each call
        (target, arguments, block), and ``pending`` (None after a completed run). Equal
        blocks and addresses mean the same transactions were mined in the same order.
        """
        stripped: dict[str, Any] = _strip(self.model_dump(mode="json"))
        return stripped


def _grant_key(r: RoleGrant | tuple[str, str, str]) -> tuple[str, str, str]:
    if isinstance(r, tuple):
        return r
    return (r.contract_address.lower(), r.role_id.lower(), r.account.lower())


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE_FIELDS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def record_path(directory: Path, ecosystem: str, network: str) -> Path:
    """Where the record of ``ecosystem:network`` lives: ``<directory>/<ecosystem>-<network>.json``.

    Raises:
        ConfigurationError: a name contains a path separator or starts with a dot.
    """
    for part in (ecosystem, network):
        if not part or "/" in part or os.sep in part or part.startswith("."):
            raise ConfigurationError(f"invalid network name for a record file: {part!r}")
    return directory / f"{ecosystem}-{network}.json"


def read_record_json(path: str | Path) -> dict[str, Any]:
    """A record's raw JSON, checked only for being a record (a ``contracts`` object).

    Readers that need a few fields (addresses, chain id) use this; ``load_record`` validates
    the whole model.

    Raises:
        ConfigurationError: missing, not JSON, or without a ``contracts`` object.
    """
    file = Path(path)
    if not file.is_file():
        raise ConfigurationError(
            f"no deployment record at {path}: deploy first (`ape run deploy --network ...`) "
            "or pass the path of an existing record"
        )
    try:
        data = json.loads(file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ConfigurationError(
            f"{path} is not a deployment record (not valid JSON: {err}); restore it from git "
            "or redeploy with `ape run deploy --network ...`"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("contracts"), dict):
        raise ConfigurationError(
            f"{path} is not a deployment record: it has no 'contracts' object; pass a record "
            "that `ape run deploy` wrote"
        )
    return data


def load_record(path: Path) -> DeploymentRecord | None:
    """Reads a record.

    Returns:
        The record, or None when the file does not exist.

    Raises:
        ConfigurationError: the file is not a valid record (its path is in the message).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return DeploymentRecord.model_validate_json(text)
    except ValueError as err:
        raise ConfigurationError(f"{path} is not a valid deployment record: {err}") from err


def dumps_record(record: DeploymentRecord) -> str:
    """The record's JSON as written to disk: indented, keys in model order, final newline."""
    return json.dumps(record.model_dump(mode="json"), indent=2) + "\n"


def save_record(record: DeploymentRecord, path: Path) -> None:
    """Writes a record atomically: a reader or a crash sees the old file or the new one.

    Writes a temporary file in the same directory, fsyncs it, renames it over ``path``
    (``os.replace``, atomic on POSIX) and fsyncs the directory so the rename is durable.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    data = dumps_record(record).encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; records are meant to be read and committed
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def record_json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`DeploymentRecord` (committed as ``record.schema.json``)."""
    return DeploymentRecord.model_json_schema()
