"""What every contract binding shares: reads through eth_call, writes through the Sender."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from eth_typing import ChecksumAddress

from domacross_sdk.abis import abi
from domacross_sdk.convert import to_address
from domacross_sdk.errors import NoSignerError, RpcUnavailableError
from domacross_sdk.tx import TxResult, as_contract_error

if TYPE_CHECKING:
    from web3 import Web3
    from web3.contract import Contract

    from domacross_sdk.signers import Signer
    from domacross_sdk.tx import Sender


@cache
def _selectors(name: str) -> dict[str, Any]:
    return {
        f"{i['name']}({','.join(_canonical(p) for p in i['inputs'])})": i
        for i in abi(name)
        if i["type"] == "function"
    }


def _canonical(p: dict[str, Any]) -> str:
    t: str = p["type"]
    if t.startswith("tuple"):
        return "(" + ",".join(_canonical(c) for c in p["components"]) + ")" + t[5:]
    return t


class ContractBinding:
    """A deployed contract at one address, reached through a client's connection.

    Subclasses are generated (`domacross_sdk.generated.bindings`) with one typed method per
    external function; the wrappers of `domacross_sdk.contracts` add domain methods on top.
    """

    CONTRACT_NAME: ClassVar[str] = ""

    def __init__(
        self, w3: Web3, sender: Sender, address: str, signer: Signer | None = None
    ) -> None:
        self._w3 = w3
        self._sender = sender
        self._address = to_address(address)
        self._signer = signer
        self._contract: Contract = w3.eth.contract(
            address=self._address, abi=abi(self.CONTRACT_NAME)
        )

    @property
    def address(self) -> ChecksumAddress:
        """The contract's address."""
        return self._address

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._address})"

    def _function(self, signature: str, args: Sequence[Any]) -> Any:
        fn = self._contract.get_function_by_signature(signature)
        return fn(*args)

    def _call(self, signature: str, args: Sequence[Any], *, block: int | str = "latest") -> Any:
        try:
            return self._function(signature, args).call(block_identifier=block)
        except RpcUnavailableError:
            raise
        except Exception as exc:
            error = as_contract_error(exc)
            if error is None:
                raise
            raise error from None

    def _transact(
        self, signature: str, args: Sequence[Any], *, sender: Signer | None, value: int
    ) -> TxResult:
        signer = sender or self._signer
        if signer is None:
            raise NoSignerError()
        data = bytes.fromhex(self._function(signature, args)._encode_transaction_data()[2:])
        return self._sender.send(signer, self._address, data, value)

    def encode(self, signature: str, args: Sequence[Any]) -> bytes:
        """The calldata of a call, e.g. for a multisig or a dry run."""
        if signature not in _selectors(self.CONTRACT_NAME):
            raise KeyError(f"{self.CONTRACT_NAME} has no function {signature}")
        return bytes.fromhex(self._function(signature, args)._encode_transaction_data()[2:])
