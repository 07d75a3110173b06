"""Checks of `ape run verify-deployment`: the chain against the record and the sources.

Runtime code cannot be compared byte for byte with the compiler's `deployedBytecode`: the
constructor writes the immutables (addresses, the factory's implementation) into it. So
each contract is checked twice:

1. ``keccak256(code on chain) == record.bytecode_hash``: the code is what was deployed;
2. the code on chain equals the compiled ``deployedBytecode`` once the immutables are masked
   (zeroed at the offsets solc reports in ``immutableReferences``; ape-solidity does not
   keep them, so the sources are compiled once more with that output selected): the code is
   what the current sources compile to.

Both comparisons also run without the trailing CBOR metadata that solc appends (its length
is the code's last two bytes), like Sourcify's partial match: the metadata hash covers
source paths and settings, not behaviour, so a contract whose code differs only there is
reported as "partial match (metadata only)", not as changed sources.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

from domacross_deploy.session import Session, code_hash
from domacross_deploy.suite import ZERO_ADDRESS, container, init_code_hash
from domacross_sdk.suite import LINKS


@dataclass(frozen=True)
class Compiled:
    """A contract's runtime code as compiled, with where its immutables go."""

    code: bytes
    immutables: tuple[tuple[int, int], ...]
    """(start, length) of every immutable slot."""

    def masked(self, code: bytes) -> bytes:
        out = bytearray(code)
        for start, length in self.immutables:
            out[start : start + length] = bytes(length)
        return bytes(out)


def strip_metadata(code: bytes) -> bytes:
    """``code`` without solc's trailing CBOR metadata; unchanged when it has none.

    solc ends the runtime code with a CBOR map (``0xa1``-``0xa5``: ipfs/bzzr, solc version,
    experimental) followed by its length as two big-endian bytes.
    """
    if len(code) < 2:
        return code
    length = int.from_bytes(code[-2:], "big")
    start = len(code) - 2 - length
    if length == 0 or start < 0 or not 0xA1 <= code[start] <= 0xA5:
        return code
    return code[:start]


def compile_runtime(names: Iterable[str], cache_dir: Path | None = None) -> dict[str, Compiled]:
    """Compiles the project's sources with ``immutableReferences`` selected.

    A solc run costs seconds (about 4 s per compile with solcjs), so its output is cached in
    ``cache_dir`` (default ``<project>/.build/verify-cache``), keyed by a hash of the solc
    binary and version and of the exact standard-JSON input: see :func:`compile_cached`.
    """
    from ape import compilers, project
    from solcx.install import get_executable

    wanted = set(names)
    if cache_dir is None:
        cache_dir = Path(project.path) / ".build" / CACHE_FOLDER
    solidity = compilers.get_compiler("solidity")
    source_ids = sorted(
        {
            ct.source_id
            for ct in (project.manifest.contract_types or {}).values()
            if ct.name in wanted and ct.source_id
        }
    )
    result: dict[str, Compiled] = {}
    # NOTE: in a temporary copy, as ape-solidity compiles: building the input copies the whole
    # OpenZeppelin package into <contracts>/.cache, and with more than 500 files there Ape's
    # source discovery (max_files=500) stops seeing contracts in sub-folders (local/, ...).
    with project.isolate_in_tempdir() as isolated:
        inputs = solidity.get_standard_input_json(
            [isolated.path / s for s in source_ids], project=isolated
        )
        base_path = isolated.path
        outputs = [
            compile_cached(
                _select_immutables(standard_input),
                str(version),
                Path(get_executable(version=version)),
                base_path,
                cache_dir,
            )
            for version, standard_input in inputs.items()
        ]
    for output in outputs:
        for contracts in output.get("contracts", {}).values():
            for name, data in contracts.items():
                if name not in wanted:
                    continue
                deployed = data["evm"]["deployedBytecode"]
                refs = deployed.get("immutableReferences") or {}
                slots = tuple(sorted((r["start"], r["length"]) for rs in refs.values() for r in rs))
                result[name] = Compiled(bytes.fromhex(deployed["object"]), slots)
    return result


CACHE_FOLDER = "verify-cache"
"""Folder under the project's ``.build`` that holds cached solc outputs (safe to delete)."""


def compile_cached(
    standard_input: dict[str, Any],
    version: str,
    binary: Path,
    base_path: Path,
    cache_dir: Path,
) -> dict[str, Any]:
    """solc's output for ``standard_input``, from ``cache_dir`` when an earlier run left it.

    The key hashes the compiler's version, the bytes of the ``binary`` that runs it and the
    exact standard-JSON input (every source's content inline, settings, remappings, output
    selection), so a changed byte in any of them is a miss. Entries are written to a
    temporary file and renamed into place, so a killed run or two concurrent runs never leave
    a partial entry under the key; an entry that cannot be read or parsed is compiled again
    and rewritten.
    """
    entry = cache_dir / f"{cache_key(standard_input, version, binary)}.json"
    cached = _read_entry(entry)
    if cached is not None:
        return cached
    output = run_solc(standard_input, binary, base_path)
    _write_entry(entry, output)
    return output


def cache_key(standard_input: dict[str, Any], version: str, binary: Path) -> str:
    """sha256 of the compiler's identity and the canonical JSON of ``standard_input``."""
    digest = hashlib.sha256()
    digest.update(version.encode())
    digest.update(b"\0")
    digest.update(hashlib.sha256(binary.read_bytes()).digest())
    digest.update(json.dumps(standard_input, sort_keys=True, separators=(",", ":")).encode())
    return digest.hexdigest()


def run_solc(standard_input: dict[str, Any], binary: Path, base_path: Path) -> dict[str, Any]:
    """One solc run (the step the cache saves; tests count calls here)."""
    import solcx

    output: dict[str, Any] = solcx.compile_standard(
        standard_input, solc_binary=binary, base_path=base_path
    )
    return output


def _read_entry(entry: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(entry.read_text())
    except (OSError, ValueError):
        return None  # missing, unreadable or corrupt: compile again and rewrite
    return data if isinstance(data, dict) and "contracts" in data else None


def _write_entry(entry: Path, output: dict[str, Any]) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=entry.parent, prefix=entry.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(output, f)
            os.replace(temp, entry)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a read-only checkout still verifies, only without the cache


def _select_immutables(standard_input: dict[str, Any]) -> dict[str, Any]:
    for selection in standard_input["settings"]["outputSelection"].values():
        selection["*"] = [
            "evm.deployedBytecode.object",
            "evm.deployedBytecode.immutableReferences",
        ]
        selection.pop("", None)
    return standard_input


@dataclass(frozen=True)
class Check:
    item: str
    check: str
    ok: bool
    detail: str = ""


NO_CODE = "no code at the recorded address: is this the network the record was written on?"


def verify(session: Session, compiled: dict[str, Compiled] | None = None) -> list[Check]:
    """Every check of the record against the chain and the compiled sources.

    Args:
        session: The network and its record.
        compiled: :func:`compile_runtime` of the recorded contracts and ``Competition``
            (compiled here when not given).
    """
    record = session.require_record()
    checks: list[Check] = []
    add = checks.append
    chain_id = session.chain_id
    add(
        Check("network", "chain id", record.chain_id == chain_id, f"{record.chain_id} / {chain_id}")
    )
    add(
        Check(
            "record",
            "no pending transaction",
            record.pending is None,
            "" if record.pending is None else f"{record.pending.step}: rerun `ape run deploy`",
        )
    )
    names = [*record.contracts, "Competition"]
    if compiled is None:
        compiled = compile_runtime(names)
    provider = session.provider
    codes: dict[str, bytes] = {}

    def code_at(address: str) -> bytes:
        # NOTE: each address is read once: roles and links point at recorded contracts.
        if address not in codes:
            codes[address] = bytes(provider.get_code(address))
        return codes[address]

    for name, entry in record.contracts.items():
        code = code_at(entry.address)
        label = f"{name} {entry.address}"
        if not code:
            add(Check(label, "code at address", False, "no code"))
            continue
        actual = code_hash(code)
        add(Check(label, "code hash = record", actual == entry.bytecode_hash, _short(actual)))
        runtime = _compare(label, compiled.get(name), code)
        add(runtime)
        add(_creation_check(label, entry.init_code_hash, init_code_hash(name), runtime))

    factory_entry = record.contracts.get("CompetitionFactory")
    if factory_entry is not None and not code_at(factory_entry.address):
        add(Check("Competition (implementation)", "read from the factory", False, NO_CODE))
    elif factory_entry is not None:
        factory = container("CompetitionFactory").at(factory_entry.address)
        implementation = str(factory.implementation())
        code = code_at(implementation)
        add(
            _compare(
                f"Competition {implementation} (implementation)", compiled.get("Competition"), code
            )
        )
    for grant in record.roles:
        if not code_at(grant.contract_address):
            item = f"{grant.contract}.{grant.role}"
            add(Check(item, f"held by {grant.account}", False, NO_CODE))
            continue
        instance = container(grant.contract).at(grant.contract_address)
        held = bool(instance.hasRole(grant.role_id, grant.account))
        add(Check(f"{grant.contract}.{grant.role}", f"held by {grant.account}", held))
    links = {link.name: link for link in LINKS}
    for call in record.calls:
        if call.name in links:
            link = links[call.name]
            expected = str(call.args[0])
            if not code_at(call.target):
                add(Check(call.name, f"{link.getter}() = {expected}", False, NO_CODE))
                continue
            current = str(getattr(container(link.target).at(call.target), link.getter)())
            add(
                Check(
                    call.name,
                    f"{link.getter}() = {expected}",
                    current.lower() == expected.lower() and current.lower() != ZERO_ADDRESS,
                    current,
                )
            )
    return checks


PARTIAL = "partial match (metadata only)"


def _compare(label: str, compiled: Compiled | None, code: bytes) -> Check:
    check = "code = compiled (immutables masked)"
    if compiled is None:
        return Check(label, check, False, "not in the compiled sources")
    if not code:
        return Check(label, check, False, "no code")
    masked = f"{len(compiled.immutables)} immutable slot(s) masked"
    if len(code) == len(compiled.code) and compiled.masked(code) == compiled.masked(compiled.code):
        return Check(label, check, True, f"full match, {masked}")
    # Immutables never sit in the metadata: strip first, then mask the same offsets.
    on_chain, built = strip_metadata(code), strip_metadata(compiled.code)
    if len(on_chain) == len(built) and compiled.masked(on_chain) == compiled.masked(built):
        return Check(label, check, True, f"{PARTIAL}, {masked}")
    return Check(
        label,
        check,
        False,
        f"code differs: {len(code)} bytes on chain, {len(compiled.code)} compiled; "
        "sources changed since the deployment",
    )


def _creation_check(label: str, recorded: str, compiled: str, runtime: Check) -> Check:
    """The record's creation-code hash; a metadata-only difference is named as such."""
    check = "creation code = record"
    if recorded == compiled:
        return Check(label, check, True, "")
    if runtime.ok and PARTIAL in runtime.detail:
        return Check(label, check, True, f"{PARTIAL}: same code, other metadata hash")
    return Check(label, check, False, "sources changed since the deployment")


def _short(h: str) -> str:
    return f"{h[:10]}…{h[-4:]}"


def checks_table(checks: list[Check], title: str) -> Table:
    table = Table(title=title)
    for column in ("item", "check", "result", "detail"):
        table.add_column(column)
    for c in checks:
        table.add_row(c.item, c.check, "[green]match[/]" if c.ok else "[red]MISMATCH[/]", c.detail)
    failed = sum(not c.ok for c in checks)
    table.caption = f"{len(checks) - failed} matched, {failed} did not"
    return table
