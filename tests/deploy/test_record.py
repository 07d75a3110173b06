"""The deployment record: atomic save, load, the fingerprint and the committed schema."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domacross_sdk.deployments import (
    ContractRecord,
    DeploymentRecord,
    PendingTx,
    RoleGrant,
    dumps_record,
    load_record,
    record_json_schema,
    record_path,
    save_record,
)
from domacross_sdk.errors import ConfigurationError

SCHEMA_FILE = Path(__file__).parents[2] / "deployments" / "record.schema.json"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 1, 2, tzinfo=UTC)
A = "0x" + "11" * 20
B = "0x" + "22" * 20


def make_record(at: datetime = T0, tx: str = "0x" + "aa" * 32) -> DeploymentRecord:
    record = DeploymentRecord(
        ecosystem="doma",
        network="testnet",
        chain_id=97476,
        deployer=A,
        created_at=at,
        updated_at=at,
    )
    contract = ContractRecord(
        address=B,
        tx_hash=tx,
        block_number=7,
        bytecode_hash="0x" + "01" * 32,
        init_code_hash="0x" + "02" * 32,
        constructor_args=[A, 86_400, [1, 2]],
        deployed_at=at,
    )
    grant = RoleGrant(
        contract="ValuationOracle",
        contract_address=B,
        role="REPORTER_ROLE",
        role_id="0x" + "03" * 32,
        account=A,
        tx_hash=tx,
        block_number=8,
        granted_at=at,
    )
    return record.with_contract("ValuationOracle", contract).with_role(grant)


def test_record_path__network__ecosystem_dash_network_json(tmp_path):
    assert record_path(tmp_path, "doma", "testnet") == tmp_path / "doma-testnet.json"


def test_record_path__separator_in_name__raises(tmp_path):
    with pytest.raises(ConfigurationError):
        record_path(tmp_path, "doma", "../x")


def test_save_then_load__round_trip__equal_and_no_temp_file_left(tmp_path):
    path = tmp_path / "deployments" / "doma-testnet.json"
    record = make_record()
    save_record(record, path)
    assert load_record(path) == record
    assert sorted(p.name for p in path.parent.iterdir()) == ["doma-testnet.json"]
    assert path.read_text() == dumps_record(record)
    assert (path.stat().st_mode & 0o777) == 0o644


def test_save__write_fails__old_file_intact_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "doma-testnet.json"
    save_record(make_record(), path)
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        save_record(make_record(at=T1), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["doma-testnet.json"]


def test_load__missing_file__none(tmp_path):
    assert load_record(tmp_path / "nothing.json") is None


def test_load__truncated_file__configuration_error_names_file(tmp_path):
    path = tmp_path / "doma-testnet.json"
    path.write_text(dumps_record(make_record())[:100])
    with pytest.raises(ConfigurationError, match=r"doma-testnet\.json"):
        load_record(path)


def test_fingerprint__other_times_and_tx_hashes__equal():
    first, second = make_record(T0, "0x" + "aa" * 32), make_record(T1, "0x" + "bb" * 32)
    assert first != second
    assert first.fingerprint() == second.fingerprint()


def test_fingerprint__other_block_or_pending__differs():
    record = make_record()
    oracle = record.contracts["ValuationOracle"]
    moved = record.with_contract("ValuationOracle", oracle.model_copy(update={"block_number": 9}))
    pending = record.with_pending(
        PendingTx(step="deploy:X", tx_hash="0x" + "cc" * 32, sender=A, nonce=3, sent_at=T0)
    )
    assert moved.fingerprint() != record.fingerprint()
    assert pending.fingerprint() != record.fingerprint()


def test_with_contract__redeployed__drops_grants_of_the_old_address():
    record = make_record()
    assert record.has_role(B, "0x" + "03" * 32, A)
    redeployed = record.with_contract(
        "ValuationOracle", record.contracts["ValuationOracle"].model_copy(update={"address": A})
    )
    assert redeployed.roles == []


def test_schema__committed_file__matches_the_model():
    # The format is an interface: a change must show in review (update the file with
    # `python -c "..."` as the README says).
    assert json.loads(SCHEMA_FILE.read_text()) == record_json_schema()
