"""`ape run roles`: grant, revoke and list the suite's roles, keeping the record in step.

    ape run roles grant  --network N --role REPORTER --account 0x...   # contract implied
    ape run roles grant  --network N --role GUARDIAN --account 0x...   # on both factories
    ape run roles revoke --network N --contract basket-factory --role GUARDIAN --account 0x...
    ape run roles list   --network N [--account 0x...]

``--account`` names the account that gains or loses a role (as in ``grantRole(role,
account)``); the signer is ``--sender ALIAS`` here (``--account ALIAS`` in the other scripts).

Roles: REPORTER (ValuationOracle), UPDATER (PortfolioTracker), ORGANIZER, RESOLVER
(CompetitionFactory), GUARDIAN (CompetitionFactory and DomainBasketFactory), REGISTRAR
(DomaOwnershipToken), MINTER (DomainFractionToken) and DEFAULT_ADMIN (any contract:
``--contract`` required). Without ``--contract`` a role is granted or revoked on every contract
that has it (GUARDIAN: both factories); ``--contract`` picks one. Before anything is sent the
signer's DEFAULT_ADMIN is checked on every contract that needs a transaction, so a refusal
sends nothing. A grant or revoke looks at the chain first: a role already held (or already
gone) is only brought into the record, so a rerun after an interrupted run sends nothing and
`verify-deployment` keeps passing. The record is rewritten atomically (`save_record`) right
after the transaction is mined.

``list`` shows every grant of the record with an on-chain ``hasRole`` check; with
``--account`` it also checks every role of every recorded contract for that account.
"""

from __future__ import annotations

import click
from ape.cli import network_option
from rich.table import Table

from domacross_deploy.admin import (
    CONTRACT_ALIASES,
    ROLE_CONTRACTS,
    ROLE_NAMES,
    Admin,
    role_constant,
    role_contracts,
    script_errors,
)
from domacross_deploy.session import (
    DomaCrossCommand,
    ScriptError,
    address,
    deployments_dir_option,
)
from domacross_deploy.suite import role_id
from domacross_sdk.deployments import RoleGrant, utc_now
from domacross_sdk.suite import ADMIN_ROLE
from domacross_sdk.suite import contract as suite_contract


@click.command(cls=DomaCrossCommand, short_help="Grant, revoke or list roles")
@click.argument("action", type=click.Choice(["grant", "revoke", "list"]))
@network_option(required=True)
@click.option(
    "--sender",
    "account_alias",
    envvar="DOMACROSS_ACCOUNT",
    default=None,
    metavar="ALIAS",
    help="Ape account alias that signs (`TEST::N` locally; default there: test account 0). "
    "NOTE: here --account is the role holder, so the signer is --sender.",
)
@deployments_dir_option()
@click.option(
    "--contract",
    "contract",
    default=None,
    help=f"{'|'.join(CONTRACT_ALIASES.values())}, or {'|'.join(CONTRACT_ALIASES)}. "
    "Default: every contract that has the role (GUARDIAN: both factories); "
    "required for DEFAULT_ADMIN.",
)
@click.option("--role", default=None, help=f"One of {', '.join(ROLE_NAMES)}.")
@click.option(
    "--account",
    "holder",
    default=None,
    metavar="ADDRESS",
    help="The account that gains or loses the role; for list, whose roles to check.",
)
@click.option(
    "--allow-self-admin-revoke",
    is_flag=True,
    help="Let the signer revoke its own DEFAULT_ADMIN (it may lose control of the contract).",
)
def cli(
    action,
    provider,
    account_alias,
    deployments_dir,
    contract,
    role,
    holder,
    allow_self_admin_revoke,
):
    with script_errors():
        if action == "list":
            admin = _open(provider, account_alias, deployments_dir, read_only=True)
            admin.console.print(list_table(admin, None if holder is None else _holder(holder)))
            return
        if role is None or holder is None:
            raise click.UsageError(f"{action} needs --role ROLE and --account ADDRESS")
        constant = role_constant(role)
        names = role_contracts(constant, contract)
        account = _holder(holder)
        admin = _open(provider, account_alias, deployments_dir)
        _require_recorded(admin, names, constant)
        if action == "grant":
            pending = [n for n in names if not _held(admin, n, constant, account)]
            _require_admin(admin, pending, f"grant {constant}")
            messages = [grant(admin, n, constant, account) for n in names]
        else:
            pending = [n for n in names if _held(admin, n, constant, account)]
            _require_admin(admin, pending, f"revoke {constant}")
            messages = [
                revoke(admin, n, constant, account, allow_self=allow_self_admin_revoke)
                for n in names
            ]
        click.echo("\n".join(messages))


def _open(provider, account_alias, deployments_dir, *, read_only: bool = False) -> Admin:
    try:
        return Admin.open(provider, account_alias, deployments_dir, read_only=read_only)
    except click.BadParameter as err:
        if err.param_hint == "--account":  # the signer's option is --sender here
            err.param_hint = "--sender"
        raise


def _holder(value: str) -> str:
    if not value.lower().startswith("0x"):
        raise click.BadParameter(
            f"{value!r}: --account is the role holder's ADDRESS here; sign with --sender ALIAS",
            param_hint="--account",
        )
    return address(value)


def _require_recorded(admin: Admin, names: tuple[str, ...], constant: str) -> None:
    record = admin.session.require_record()
    missing = [n for n in names if n not in record.contracts]
    if not missing:
        return
    aliases = {name: alias for alias, name in CONTRACT_ALIASES.items()}
    others = [aliases[n] for n in names if n not in missing]
    if any(suite_contract(n).local_only for n in missing):
        fix = "it is a stand-in, deployed on local chains only"
    else:
        fix = "deploy it with `ape run deploy`"
    if others:
        fix += f", or pass --contract {' or '.join(others)} to act there only"
    raise ScriptError(
        f"{constant} is a role of {' and '.join(missing)}, which {admin.session.path} does "
        f"not record: {fix}"
    )


def _held(admin: Admin, name: str, constant: str, account: str) -> bool:
    return bool(admin.binding(name).has_role(role_id(constant), account))  # type: ignore[attr-defined]


def _require_admin(admin: Admin, names: list[str], what: str) -> None:
    """Refuses before the first transaction when the signer cannot send every one of them."""
    lacking = [n for n in names if not admin.has_role(n, ADMIN_ROLE)]
    if lacking:
        roles = " and ".join(f"{n}.{ADMIN_ROLE}" for n in lacking)
        raise ScriptError(
            f"{admin.address} lacks {roles}, needed to {what}; sign with an admin (--sender ALIAS)"
        )


def grant(admin: Admin, name: str, constant: str, account: str) -> str:
    """Grants ``constant`` on ``name`` to ``account`` unless held; records it. Says what it did."""
    session = admin.session
    target = session.contract_address(name)
    rid = role_id(constant)
    binding = admin.binding(name)
    label = f"{name}.{constant} for {account}"
    record = session.require_record()
    if binding.has_role(rid, account):  # type: ignore[attr-defined]
        if record.has_role(target, rid, account):
            return f"{label}: already granted and recorded; nothing sent"
        block = int(admin.dc.w3.eth.block_number)
        session.save(record.with_role(_grant(name, target, constant, account, None, block)))
        return f"{label}: already held on chain; recorded ({session.path})"
    admin.require_role(name, ADMIN_ROLE, f"grant {constant}")
    result = binding.grant_role(rid, account)  # type: ignore[attr-defined]
    tx = "0x" + result.transaction_hash.hex()
    entry = _grant(name, target, constant, account, tx, result.block_number)
    session.save(session.require_record().with_role(entry))
    return f"{label}: granted in {tx} (block {result.block_number}); recorded ({session.path})"


def revoke(admin: Admin, name: str, constant: str, account: str, *, allow_self: bool) -> str:
    """Revokes ``constant`` on ``name`` from ``account`` if held; drops it from the record."""
    session = admin.session
    target = session.contract_address(name)
    rid = role_id(constant)
    binding = admin.binding(name)
    label = f"{name}.{constant} of {account}"
    record = session.require_record()
    if not binding.has_role(rid, account):  # type: ignore[attr-defined]
        if record.has_role(target, rid, account):
            session.save(record.without_role(target, rid, account))
            return f"{label}: not held on chain; removed from the record ({session.path})"
        return f"{label}: not held; nothing sent"
    if constant == ADMIN_ROLE and account == admin.address and not allow_self:
        raise ScriptError(
            f"{account} is the signer: revoking its own DEFAULT_ADMIN_ROLE may leave {name} "
            "without an admin; pass --allow-self-admin-revoke if that is intended"
        )
    admin.require_role(name, ADMIN_ROLE, f"revoke {constant}")
    result = binding.revoke_role(rid, account)  # type: ignore[attr-defined]
    tx = "0x" + result.transaction_hash.hex()
    session.save(session.require_record().without_role(target, rid, account))
    return f"{label}: revoked in {tx} (block {result.block_number}); removed from the record"


def _grant(
    name: str, target: str, constant: str, account: str, tx: str | None, block: int
) -> RoleGrant:
    return RoleGrant(
        contract=name,
        contract_address=target,
        role=constant,
        role_id=role_id(constant),
        account=account,
        tx_hash=tx,
        block_number=block,
        granted_at=utc_now(),
    )


def list_table(admin: Admin, account: str | None) -> Table:
    """Recorded grants with their on-chain state; with ``account``, every role it may hold."""
    record = admin.session.require_record()
    table = Table(title=f"Roles on {admin.session.ecosystem}:{admin.session.network}")
    for column in ("contract", "role", "account", "recorded", "on chain"):
        table.add_column(column, no_wrap=column in ("account",))
    rows: list[tuple[str, str, str, bool, bool]] = []
    for g in record.roles:
        held = bool(admin.binding(g.contract).has_role(g.role_id, g.account))  # type: ignore[attr-defined]
        rows.append((g.contract, g.role, g.account, True, held))
    if account is not None:
        rows = [r for r in rows if r[2] == account]
        for name in record.contracts:
            if name not in CONTRACT_ALIASES.values():
                continue  # no AccessControl (DomainMarketplace): it has no roles
            roles = [r for r, on in ROLE_CONTRACTS.items() if name in on] + [ADMIN_ROLE]
            binding = admin.binding(name)
            for constant in roles:
                if any(r[0] == name and r[1] == constant for r in rows):
                    continue
                held = bool(binding.has_role(role_id(constant), account))  # type: ignore[attr-defined]
                rows.append((name, constant, account, False, held))
    for name, constant, holder, recorded, held in rows:
        table.add_row(
            name,
            constant,
            holder,
            "yes" if recorded else "no",
            "[green]held[/]" if held else ("[red]NOT HELD[/]" if recorded else "not held"),
        )
    stale = sum(r[3] and not r[4] for r in rows)
    untracked = sum(not r[3] and r[4] for r in rows)
    table.caption = (
        f"{len(rows)} row(s); {stale} recorded but not held; {untracked} held but not recorded"
    )
    return table
