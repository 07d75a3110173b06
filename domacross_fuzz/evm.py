"""An in-process EVM (pyrevm) with the cheats that fuzzing needs.

:class:`FastChain` deploys contracts from their ABI and init code, sends calls and
transactions from any address (there are no signatures: every sender is impersonated),
and offers snapshot/revert, time travel (:meth:`FastChain.warp`), balance setting
(:meth:`FastChain.deal`) and a default sender (:meth:`FastChain.prank`). Failed calls
raise :class:`~domacross_fuzz.errors.ContractRevertError` with the custom error decoded from
every ABI the chain has seen.

What differs from a real chain (and from Ape's test provider):

* Time and block number move only when told to (:meth:`warp`, :meth:`roll`); every
  transaction runs in the same block until then.
* Gas is free (gas price 0), so balances change only by value transfers.
* Accounts and storage slots stay warm (EIP-2929) across the transactions of one
  snapshot, so ``gas_used`` after the first touch is lower than on a chain. Behaviour
  differs only for code that branches on ``gasleft()``.
* Nonces of externally owned accounts do not advance with transactions, only with
  deployments; :meth:`set_nonce` sets one to reproduce a chain's contract addresses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyrevm import EVM, AccountInfo, BlockEnv, CfgEnv, Env

from domacross_fuzz.abi import (
    ERROR_STRING,
    PANIC,
    ContractAbi,
    ErrorAbi,
    EventAbi,
    address_of,
    checksum,
)
from domacross_fuzz.contract import Event, FastContract, Receipt
from domacross_fuzz.errors import (
    ContractRevertError,
    ExecutionError,
    ExecutionHaltedError,
    InvalidTransactionError,
)

if TYPE_CHECKING:
    from pyrevm import Log

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
DEFAULT_GAS_LIMIT = 30_000_000
_REVERT_OUTPUT = re.compile(r"^Revert \{ gas_used: \d+, output: 0x([0-9a-fA-F]*) \}$")


@dataclass(frozen=True)
class Snapshot:
    """A point to return to with :meth:`FastChain.revert` (block time, number and deals too)."""

    depth: int
    timestamp: int
    number: int
    deals: int


class FastChain:
    """One in-process EVM (Cancun rules, as solc 0.8.28 targets) and its test cheats.

    Args:
        chain_id: What ``block.chainid`` returns (Ape's test chain uses 1337).
        timestamp: The initial ``block.timestamp``.
        number: The initial ``block.number``.
        gas_limit: Gas given to every call and transaction.
    """

    def __init__(
        self,
        *,
        chain_id: int = 1337,
        timestamp: int = 1_700_000_000,
        number: int = 1,
        gas_limit: int = DEFAULT_GAS_LIMIT,
    ) -> None:
        self.gas_limit = gas_limit
        self._timestamp = timestamp
        self._number = number
        self._evm = EVM(
            env=Env(cfg=CfgEnv(chain_id=chain_id), block=self._block_env()),
            gas_limit=gas_limit,
            spec_id="CANCUN",
        )
        # pyrevm's journal checkpoints, innermost last; reverting one reverts those above it.
        self._checkpoints: list[Any] = []
        self._snapshots: list[Snapshot] = []
        # Balance jumps made by `deal` inside snapshots: the journal does not record them.
        self._deals: list[tuple[str, int]] = []
        self._sender: str | None = None
        self._abi_at: dict[str, ContractAbi] = {}
        self._errors: dict[bytes, ErrorAbi] = {
            ERROR_STRING.selector: ERROR_STRING,
            PANIC.selector: PANIC,
        }
        self._events: dict[bytes, EventAbi] = {}

    # -- contracts ---------------------------------------------------------------------
    def register(self, abi: ContractAbi) -> None:
        """Makes the errors and events of ``abi`` decodable wherever they are raised."""
        for selector, error in abi.errors.items():
            self._errors.setdefault(selector, error)
        for topic, event in abi.events.items():
            self._events.setdefault(topic, event)

    def deploy(
        self,
        abi: ContractAbi,
        init_code: bytes,
        *args: Any,
        sender: Any = None,
        value: int = 0,
        name: str = "",
    ) -> FastContract:
        """Deploys ``init_code`` with constructor ``args`` encoded after it.

        Raises:
            ContractRevertError: The constructor reverted.
        """
        self.register(abi)
        deployer = self._sender_of(sender)
        code = init_code + abi.constructor.encode(args)
        try:
            address = self._evm.deploy(deployer, code, value=value or None, gas=self.gas_limit)
        except RuntimeError as exc:
            raise self._failure(exc, ZERO_ADDRESS) from None
        finally:
            self._evm.reset_transient_storage()
        return self.at(abi, address, name=name)

    def at(self, abi: ContractAbi, address: Any, *, name: str = "") -> FastContract:
        """The contract at ``address``, called through ``abi``."""
        self.register(abi)
        address = checksum(address_of(address))
        self._abi_at[address.lower()] = abi
        return FastContract(self, abi, address, name)

    # -- calls ---------------------------------------------------------------------------
    def call(self, to: str, data: bytes, *, sender: Any = None, value: int = 0) -> bytes:
        """Runs a call and discards its effects (``eth_call``); returns the output.

        Raises:
            ExecutionError: The call reverted (decoded) or halted.
        """
        evm = self._evm
        checkpoint = evm.snapshot()
        try:
            return evm.message_call(
                self._sender_of(sender, ZERO_ADDRESS),
                to,
                data,
                value=value or None,
                gas=self.gas_limit,
            )
        except RuntimeError as exc:
            raise self._failure(exc, to) from None
        finally:
            evm.revert(checkpoint)
            evm.reset_transient_storage()

    def transact(self, to: str, data: bytes, *, sender: Any = None, value: int = 0) -> Receipt:
        """Runs a transaction and keeps its effects.

        Raises:
            ExecutionError: The transaction reverted (decoded) or halted; nothing changed.
        """
        evm = self._evm
        try:
            output = evm.message_call(
                self._sender_of(sender), to, data, value=value or None, gas=self.gas_limit
            )
        except RuntimeError as exc:
            raise self._failure(exc, to) from None
        finally:
            # NOTE: pyrevm keeps transient storage (EIP-1153) between message calls.
            evm.reset_transient_storage()
        result = evm.result
        logs: list[Log] = result.logs if result is not None else []
        return Receipt(self, to, output, logs, result.gas_used if result is not None else 0)

    def decode_revert(self, data: bytes, address: str) -> ContractRevertError:
        """The exception for revert ``data``, its error decoded from any ABI seen so far."""
        error = self._errors.get(bytes(data[:4]))
        if error is None:
            return ContractRevertError(None, {}, data, address)
        try:
            inputs = error.decode_inputs(data[4:])
        except Exception:  # malformed data under a known selector: keep it raw
            return ContractRevertError(None, {}, data, address)
        return ContractRevertError(error.name, inputs, data, address)

    def decode_log(self, log: Log) -> Event:
        """A raw log as an :class:`Event`, decoded with the emitter's ABI when known."""
        topics, data = log.data
        address = log.address
        topic0 = bytes(topics[0]) if topics else b""
        abi = self._abi_at.get(address.lower())
        event = (abi.events.get(topic0) if abi is not None else None) or self._events.get(topic0)
        if event is None:
            return Event(checksum(address), None, {"topics": list(topics), "data": bytes(data)})
        return Event(checksum(address), event.name, event.decode_args(topics, bytes(data)))

    # -- cheats --------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """Marks the current state; :meth:`revert` returns to it (once)."""
        self._checkpoints.append(self._evm.snapshot())
        snap = Snapshot(len(self._checkpoints), self._timestamp, self._number, len(self._deals))
        self._snapshots.append(snap)
        return snap

    def revert(self, snap: Snapshot) -> None:
        """Undoes everything since ``snap`` (and forgets the snapshots taken after it)."""
        if snap.depth > len(self._checkpoints) or self._snapshots[snap.depth - 1] is not snap:
            raise ValueError("snapshot already reverted")
        evm = self._evm
        while len(self._checkpoints) >= snap.depth:
            evm.revert(self._checkpoints.pop())
        del self._snapshots[snap.depth - 1 :]
        # The journal undid transfers by their amounts; deals are undone by theirs.
        for address, jump in reversed(self._deals[snap.deals :]):
            evm.set_balance(address, evm.get_balance(address) - jump)
        del self._deals[snap.deals :]
        if (snap.timestamp, snap.number) != (self._timestamp, self._number):
            self._timestamp, self._number = snap.timestamp, snap.number
            evm.set_block_env(self._block_env())

    @contextmanager
    def isolate(self) -> Iterator[None]:
        """Runs the body and then undoes whatever it changed."""
        snap = self.snapshot()
        try:
            yield
        finally:
            self.revert(snap)

    @property
    def timestamp(self) -> int:
        """``block.timestamp`` of the next call."""
        return self._timestamp

    def warp(self, timestamp: int) -> None:
        """Sets ``block.timestamp`` (backwards too: it is a test chain)."""
        self._timestamp = timestamp
        self._evm.set_block_env(self._block_env())

    def skip(self, seconds: int) -> None:
        """Moves ``block.timestamp`` forward by ``seconds``."""
        self.warp(self._timestamp + seconds)

    @property
    def number(self) -> int:
        """``block.number`` of the next call."""
        return self._number

    def roll(self, number: int) -> None:
        """Sets ``block.number``."""
        self._number = number
        self._evm.set_block_env(self._block_env())

    def balance_of(self, account: Any) -> int:
        """The native balance of ``account`` (an address or anything with ``.address``)."""
        return self._evm.get_balance(address_of(account))

    def deal(self, account: Any, amount: int) -> None:
        """Sets the native balance of ``account`` to ``amount`` (undone by :meth:`revert`)."""
        address = address_of(account)
        previous = self._evm.get_balance(address)
        self._evm.set_balance(address, amount)
        if self._checkpoints:
            self._deals.append((address, amount - previous))

    def nonce_of(self, account: Any) -> int:
        """The nonce of ``account``."""
        return self._evm.basic(address_of(account)).nonce

    def set_nonce(self, account: Any, nonce: int) -> None:
        """Sets the nonce of an externally owned account, so that its next deployment lands
        where it would on another chain. Outside snapshots only: it is not journaled."""
        if self._checkpoints:
            raise RuntimeError("set_nonce inside a snapshot cannot be reverted")
        address = address_of(account)
        balance = self._evm.get_balance(address)
        if self.code_of(address):
            raise ValueError(f"{address} is a contract: set_nonce is for externally owned accounts")
        self._evm.insert_account_info(address, AccountInfo(nonce=nonce))
        self._evm.set_balance(address, balance)

    def code_of(self, account: Any) -> bytes:
        """The runtime code at ``account`` (empty for an externally owned account)."""
        return self._evm.get_code(address_of(account)) or b""

    @contextmanager
    def prank(self, account: Any) -> Iterator[None]:
        """Sends every call and transaction in the body from ``account`` unless told otherwise."""
        previous, self._sender = self._sender, address_of(account)
        try:
            yield
        finally:
            self._sender = previous

    # -- internals -----------------------------------------------------------------------
    def _block_env(self) -> BlockEnv:
        return BlockEnv(
            number=self._number,
            timestamp=self._timestamp,
            basefee=0,
            gas_limit=self.gas_limit,
        )

    def _sender_of(self, sender: Any, default: str | None = None) -> str:
        if sender is not None:
            return address_of(sender)
        if self._sender is not None:
            return self._sender
        if default is None:
            raise TypeError("a transaction needs sender= (or a surrounding chain.prank(...))")
        return default

    def _failure(self, exc: RuntimeError, address: str) -> ExecutionError:
        text = str(exc)
        match = _REVERT_OUTPUT.match(text)
        if match is not None:
            return self.decode_revert(bytes.fromhex(match.group(1)), checksum(address))
        if text.startswith("Halt"):
            return ExecutionHaltedError(f"{text} (call to {address})")
        if text.startswith("Transaction("):
            return InvalidTransactionError(f"{text} (call to {address})")
        return ExecutionError(f"{text} (call to {address})")
