"""One `except DomaCrossError` catches what the toolkit raises on purpose, and each error
is still the builtin older callers catch."""

from __future__ import annotations

import pytest

from domacross.indexer.follower import RangeChangedError, ReorgTooDeepError
from domacross.indexer.logs import LogCapError
from domacross_sdk import (
    ConfigurationError,
    DomaCrossError,
    InvalidInputError,
    UnknownContractNameError,
    prizes,
)
from domacross_sdk.abis import artifact
from domacross_sdk.convert import to_address
from domacross_sdk.networks import LOCAL, rpc_urls
from domacross_sdk.rpc import NodeError
from domacross_sdk.suite import contract


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (ReorgTooDeepError, RuntimeError),
        (RangeChangedError, RuntimeError),
        (LogCapError, RuntimeError),
        (NodeError, Exception),
        (InvalidInputError, ValueError),
        (UnknownContractNameError, KeyError),
    ],
)
def test_in_the_tree_and_still_the_builtin(error: type[Exception], builtin: type) -> None:
    assert issubclass(error, DomaCrossError)
    assert issubclass(error, builtin)


def test_bad_input_raises_invalid_input() -> None:
    with pytest.raises(InvalidInputError, match="not an address"):
        to_address("0x1234")
    with pytest.raises(InvalidInputError, match="payout schedule"):
        prizes.compute_prizes({"0x" + "11" * 20: 1}, [6_000, 3_000], 100)


def test_unknown_contract_name_is_a_key_error_in_the_tree() -> None:
    with pytest.raises(UnknownContractNameError, match="unknown contract 'Nope'"):
        artifact("Nope")
    with pytest.raises(UnknownContractNameError, match="unknown contract 'nope'"):
        contract("nope")


def test_local_network_has_no_rpc_urls() -> None:
    with pytest.raises(ConfigurationError, match="local network"):
        rpc_urls(LOCAL, environ={})
