"""An in-process EVM (pyrevm) with the cheats that fuzzing needs.

:class:`FastChain` deploys contracts from their ABI and init code, sends calls and
transactions from any address (there are no signatures: every sender is impersonated),
and offers snapshot/revert, time travel (:meth:`FastChain.warp`), balance setting
(:meth:`FastChain.deal`) and a default sender (:meth:`FastChain.prank`). Failed calls
raise :class:`~domacross_fuzz.errors.ContractRevertError` with the custom error decoded from
every ABI the chain has seen.

What differs from a real chain (and from Ape's test provider; each difference is asserted
by ``tests/fuzz/test_fast_differential.py``):

* Time and block number move only when told to (:meth:`warp`, :meth:`roll`); every
  transaction runs in the same block until then, and calls (views) see the warped time
  too, as in forge. Ape's calls see its latest mined block instead.
* Gas is free: ``tx.gasprice`` and ``block.basefee`` are 0 (pyrevm fixes the base fee at
  0), so balances change only by value transfers. ``block.prevrandao`` is 0, as on Ape's
  test chain.
* Hardfork: Cancun. pyrevm 0.3.7 (revm 8) has no Prague (no BLS12-381 precompiles at
  0x0b-0x11, no EIP-7702) while Ape's providers run Prague.
* EIP-6780: a contract created and self-destructed in one transaction loses its code and
  balance; its storage slots are not cleared (pyrevm cannot list them).
* Accounts and storage slots stay warm (EIP-2929) across the transactions (and the
  ``view`` calls) of one snapshot, so ``gas_used`` after the first touch is lower than on
  a chain. Behaviour
  differs only for code that branches on ``gasleft()``.
* Nonces of externally owned accounts do not advance with transactions, only with
  deployments; :meth:`set_nonce` sets one to reproduce a chain's contract addresses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth_utils.crypto import keccak
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
from domacross_fuzz.chain_api import Event, Receipt
from domacross_fuzz.contract import FastContract
from domacross_fuzz.dictionary import STORAGE_SLOTS, ValueDictionary, code_length, push_constants
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
# The hardforks pyrevm 0.3.7 (revm 8) implements fully, by revm's own names: revm maps any
# other spelling (even "CANCUN") to its LATEST spec without a word.
HARDFORKS = {"shanghai": "Shanghai", "cancun": "Cancun"}
DEFAULT_HARDFORK = "cancun"
_SELFDESTRUCT = 0xFF
# Returns EXTCODECOPY of the address in calldata: the code as the EVM sees it (pyrevm's
# get_code returns revm's analysed code, padded with 33 zero bytes).
# CALLDATALOAD(0) DUP1 EXTCODESIZE DUP1 0 0 DUP5 EXTCODECOPY 0 RETURN
_CODE_READER = bytes.fromhex("600035803b8060006000843c6000f3")
_CODE_READER_ADDRESS = "0x00000000000000000000000000000000000c0dE5"
_DESTROYED = re.compile(r"AccountDestroyed \{ address: (0x[0-9a-fA-F]{40})")
_CREATED = re.compile(r"AccountCreated \{ address: (0x[0-9a-fA-F]{40})")
_REVERT_PREFIX = "Revert { gas_used: "
_OUTPUT_MARK = ", output: 0x"


@dataclass(frozen=True)
class Snapshot:
    """A point to return to with :meth:`FastChain.revert` (block time, number and deals too)."""

    depth: int
    timestamp: int
    number: int


@dataclass(frozen=True)
class _SetBalance:
    """Undo record of a `deal`: the absolute balance to put back."""

    address: str
    balance: int


@dataclass(frozen=True)
class _SetAccount:
    """Undo record of an account rewritten outside the journal (EIP-6780 deletion)."""

    address: str
    info: AccountInfo


class FastChain:
    """One in-process EVM and its test cheats.

    Args:
        chain_id: What ``block.chainid`` returns (Ape's test chain uses 1337).
        timestamp: The initial ``block.timestamp``.
        number: The initial ``block.number``.
        gas_limit: Gas given to every call and transaction (and ``block.gaslimit``).
        hardfork: ``"cancun"`` (the default, what solc 0.8.28 targets) or ``"shanghai"``.
        call_sender: ``msg.sender`` of calls made without a sender (Ape uses its first
            test account; the ``fast_chain`` fixture does the same).

    Raises:
        ValueError: ``hardfork`` is not one pyrevm implements.
    """

    def __init__(
        self,
        *,
        chain_id: int = 1337,
        timestamp: int = 1_700_000_000,
        number: int = 1,
        gas_limit: int = DEFAULT_GAS_LIMIT,
        hardfork: str = DEFAULT_HARDFORK,
        call_sender: str = ZERO_ADDRESS,
    ) -> None:
        spec = HARDFORKS.get(hardfork.lower())
        if spec is None:
            raise ValueError(
                f"hardfork {hardfork!r} is not available in pyrevm 0.3.7 (revm 8): "
                f"choose one of {', '.join(HARDFORKS)}"
            )
        self.hardfork = hardfork.lower()
        self.gas_limit = gas_limit
        self.call_sender = address_of(call_sender)
        self._timestamp = timestamp
        self._number = number
        self._evm = EVM(
            env=Env(cfg=CfgEnv(chain_id=chain_id), block=self._block_env()),
            gas_limit=gas_limit,
            spec_id=spec,
        )
        self._evm.insert_account_info(_CODE_READER_ADDRESS, AccountInfo(code=_CODE_READER))
        # What `revert` undoes, innermost last: pyrevm journal checkpoints, and the account
        # changes the journal does not record (deals, EIP-6780 deletions). Each of those is
        # followed by a fresh checkpoint, so that later transfers are undone before it is.
        self._undo: list[Any] = []
        self._snapshots: list[Snapshot] = []
        # Any SELFDESTRUCT in deployed code: only then is the journal read after transactions.
        self._may_selfdestruct = False
        self._sender: str | None = None
        self.dictionary = ValueDictionary()
        self._labels: dict[str, str] = {}
        # PUSH constants of each runtime code, read on first use.
        self._constants: dict[bytes, list[int]] = {}
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
        arguments = abi.constructor.encode(args)
        code = init_code + arguments
        try:
            address = self._evm.deploy(deployer, code, value=value or None, gas=self.gas_limit)
        except RuntimeError as exc:
            raise self._failure(exc, ZERO_ADDRESS) from None
        finally:
            self._evm.reset_transient_storage()
        self.dictionary.add_calldata(arguments)
        contract = self.at(abi, address, name=name)
        self.dictionary.forget_code(address.lower())
        self._see_code(address)
        self._see_storage(address)
        return contract

    def at(self, abi: ContractAbi, address: Any, *, name: str = "") -> FastContract:
        """The contract at ``address``, called through ``abi``."""
        self.register(abi)
        address = checksum(address_of(address))
        self._abi_at[address.lower()] = abi
        if name:
            self._labels.setdefault(address.lower(), name)
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
            output: bytes = evm.message_call(
                self._sender_of(sender, self.call_sender),
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
        self._see_code(to)
        self.dictionary.add_calldata(data[4:])
        self.dictionary.add_words(output)
        return output

    def view(self, to: str, data: bytes, *, sender: Any = None) -> bytes:
        """Runs a call of a ``view`` or ``pure`` function; returns the output.

        Like :meth:`call` without the snapshot around it: solc compiles such functions
        without state writes (SSTORE, TSTORE, CREATE, SELFDESTRUCT, value transfers), so
        there is nothing to undo, and the invariants of a state machine make these calls
        after every step.

        Raises:
            ExecutionError: The call reverted (decoded) or halted.
        """
        try:
            output: bytes = self._evm.message_call(
                self._sender_of(sender, self.call_sender), to, data, gas=self.gas_limit
            )
        except RuntimeError as exc:
            raise self._failure(exc, to) from None
        seen = self.dictionary
        if not seen.has_code(to.lower()):
            self._see_code(to)
        if not seen.fuzzing:
            seen.add_words(data[4:])
        seen.add_words(output)
        return output

    def views(self, calls: Sequence[tuple[str, bytes]]) -> list[bytes]:
        """Runs several calls of ``view`` or ``pure`` functions, as :meth:`view` does, with
        less Python around each (an invariant that reads several values after every step).

        Args:
            calls: ``(address, calldata)`` pairs, each called from :attr:`call_sender`.

        Returns:
            Their outputs, in order.

        Raises:
            ExecutionError: A call reverted (decoded) or halted.
        """
        message_call = self._evm.message_call
        sender, gas = self.call_sender, self.gas_limit
        seen = self.dictionary
        outputs: list[bytes] = []
        for to, data in calls:
            try:
                output: bytes = message_call(sender, to, data, gas=gas)
            except RuntimeError as exc:
                raise self._failure(exc, to) from None
            if not seen.has_code(to.lower()):
                self._see_code(to)
            if not seen.fuzzing:
                seen.add_words(data[4:])
            seen.add_words(output)
            outputs.append(output)
        return outputs

    def transact(self, to: str, data: bytes, *, sender: Any = None, value: int = 0) -> Receipt:
        """Runs a transaction and keeps its effects.

        Raises:
            ExecutionError: The transaction reverted (decoded) or halted; nothing changed.
        """
        evm = self._evm
        journal = evm.journal_str if self._may_selfdestruct else ""
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
        if journal:
            self._apply_eip6780(journal)
        seen = self.dictionary
        self._see_code(to)
        seen.add_calldata(data[4:])
        seen.add_words(output)
        for log in logs:
            topics, log_data = log.data
            seen.add_words(b"".join(topics[1:]))  # the indexed arguments, a word each
            seen.add_words(bytes(log_data))
        self._see_storage(to)
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
        self._undo.append(self._evm.snapshot())
        snap = Snapshot(len(self._undo), self._timestamp, self._number)
        self._snapshots.append(snap)
        return snap

    def revert(self, snap: Snapshot) -> None:
        """Undoes everything since ``snap`` (and forgets the snapshots taken after it)."""
        snapshots = self._snapshots
        # NOTE: the innermost snapshot first: that is every example's own.
        live = bool(snapshots) and (snapshots[-1] is snap or any(s is snap for s in snapshots))
        if snap.depth > len(self._undo) or not live:
            raise ValueError("snapshot already reverted")
        evm = self._evm
        # Innermost first: the journal undoes transfers by their amounts, so each deal must
        # be put back (as the absolute balance before it) exactly between the transfers
        # made before it and those made after it.
        while len(self._undo) >= snap.depth:
            entry = self._undo.pop()
            if isinstance(entry, _SetBalance):
                evm.set_balance(entry.address, entry.balance)
            elif isinstance(entry, _SetAccount):
                evm.insert_account_info(entry.address, entry.info)
            else:
                evm.revert(entry)
        while self._snapshots and self._snapshots[-1].depth >= snap.depth:
            self._snapshots.pop()
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

    def storage_at(self, account: Any, slot: int) -> int:
        """The storage word at ``slot`` of ``account`` (forge's ``vm.load``).

        A direct read, no EVM call: an invariant that checks stored values after every step
        costs a fraction of a view call this way. :func:`mapping_slot` finds a mapping's
        entries.
        """
        value: int = self._evm.storage(address_of(account), slot)
        return value

    def balance_of(self, account: Any) -> int:
        """The native balance of ``account`` (an address or anything with ``.address``)."""
        return self._evm.get_balance(address_of(account))

    def deal(self, account: Any, amount: int) -> None:
        """Sets the native balance of ``account`` to ``amount`` (undone by :meth:`revert`)."""
        address = address_of(account)
        if self._undo:
            self._undo.append(_SetBalance(address, self._evm.get_balance(address)))
            self._evm.set_balance(address, amount)
            self._undo.append(self._evm.snapshot())
        else:
            self._evm.set_balance(address, amount)

    def nonce_of(self, account: Any) -> int:
        """The nonce of ``account``."""
        return self._evm.basic(address_of(account)).nonce

    def set_nonce(self, account: Any, nonce: int) -> None:
        """Sets the nonce of an externally owned account, so that its next deployment lands
        where it would on another chain. Outside snapshots only: it is not journaled."""
        if self._undo:
            raise RuntimeError("set_nonce inside a snapshot cannot be reverted")
        address = address_of(account)
        balance = self._evm.get_balance(address)
        if self.code_of(address):
            raise ValueError(f"{address} is a contract: set_nonce is for externally owned accounts")
        self._evm.insert_account_info(address, AccountInfo(nonce=nonce))
        self._evm.set_balance(address, balance)

    def code_of(self, account: Any) -> bytes:
        """The runtime code at ``account`` as EXTCODECOPY sees it (empty for an externally
        owned account)."""
        address = address_of(account)
        evm = self._evm
        checkpoint = evm.snapshot()
        try:
            code: bytes = evm.message_call(
                ZERO_ADDRESS,
                _CODE_READER_ADDRESS,
                bytes(12) + bytes.fromhex(address[2:]),
                gas=self.gas_limit,
            )
        finally:
            evm.revert(checkpoint)
        return code

    def label(self, account: Any, name: str) -> None:
        """Names ``account`` in failure reports (``alice`` instead of its address)."""
        self._labels[address_of(account).lower()] = name

    def describe(self, value: Any) -> str:
        """``value`` for a report: an account or contract by its label, else ``repr``."""
        address = getattr(value, "address", value)
        if isinstance(address, str) and len(address) == 42 and address.startswith("0x"):
            return self._labels.get(address.lower(), checksum(address))
        return repr(value)

    @contextmanager
    def prank(self, account: Any) -> Iterator[None]:
        """Sends every call and transaction in the body from ``account`` unless told otherwise."""
        previous, self._sender = self._sender, address_of(account)
        try:
            yield
        finally:
            self._sender = previous

    # -- internals -----------------------------------------------------------------------
    def _see_code(self, address: str) -> None:
        """Puts the PUSH constants of the code at ``address`` in the dictionary."""
        key = address.lower()
        if self.dictionary.has_code(key):
            return
        code = self.code_of(address)
        # Keyed by the code: a later deployment may put other code at the same address.
        constants = self._constants.get(code)
        if constants is None:
            # The dispatcher's selectors and the event topics are in every contract and
            # never an interesting argument: left out, they do not crowd the real constants.
            abi = self._abi_at.get(key)
            known = _identifiers(abi) if abi is not None else set()
            constants = [v for v in push_constants(code) if v not in known]
            self._constants[code] = constants
            if _SELFDESTRUCT in _opcodes(code):
                self._may_selfdestruct = True
        self.dictionary.add_code(key, constants)

    def _see_storage(self, address: str) -> None:
        """Puts the first storage slots of ``address`` in the dictionary."""
        storage = self._evm.storage
        self.dictionary.add_all([storage(address, slot) for slot in range(STORAGE_SLOTS)])

    def _apply_eip6780(self, journal_before: str) -> None:
        """Deletes the contracts created and self-destructed by the last transaction.

        pyrevm keeps one open revm transaction for the whole session, so revm never
        finalises a self-destruct; the journal says which accounts the last transaction
        created and destroyed.
        """
        journal = self._evm.journal_str
        old_destroyed = len(_DESTROYED.findall(journal_before))
        destroyed = _DESTROYED.findall(journal)[old_destroyed:]
        if not destroyed:
            return
        old_created = len(_CREATED.findall(journal_before))
        created = {a.lower() for a in _CREATED.findall(journal)[old_created:]}
        for address in destroyed:
            if address.lower() not in created:
                continue  # EIP-6780: only the balance moves, which revm did
            info = self._evm.basic(address)
            if self._undo:
                self._undo.append(_SetAccount(address, info))
            self._evm.insert_account_info(address, AccountInfo())
            if self._undo:
                self._undo.append(self._evm.snapshot())

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
        # "Revert { gas_used: 1234, output: 0x... }": sliced, not matched (every revert).
        if text.startswith(_REVERT_PREFIX) and text.endswith(" }"):
            start = text.find(_OUTPUT_MARK)
            if start > 0:
                try:
                    output = bytes.fromhex(text[start + len(_OUTPUT_MARK) : -2])
                except ValueError:
                    pass  # not revm's format after all: reported as it is, below
                else:
                    return self.decode_revert(output, checksum(address))
        if text.startswith("Halt"):
            return ExecutionHaltedError(f"{text} (call to {address})")
        if text.startswith("Transaction("):
            return InvalidTransactionError(f"{text} (call to {address})")
        return ExecutionError(f"{text} (call to {address})")


def mapping_slot(slot: int, *keys: Any) -> int:
    """The storage slot of ``mapping[keys[0]][keys[1]]...`` declared at ``slot``, as solc lays
    it out: ``keccak256(abi.encode(key, slot))``, once per key. Keys are integers or
    addresses (strings, or anything with ``.address``)."""
    for key in keys:
        word = key.to_bytes(32, "big") if isinstance(key, int) else _address_word(key)
        slot = int.from_bytes(keccak(word + slot.to_bytes(32, "big")), "big")
    return slot


def _address_word(value: Any) -> bytes:
    """An address as a 32-byte ABI word."""
    return bytes(12) + bytes.fromhex(address_of(value)[2:])


def _opcodes(code: bytes) -> set[int]:
    """The opcodes of ``code`` (PUSH operands and the metadata skipped: a metadata hash
    holding 0xFF made a contract look self-destructing, and every transaction then read
    the whole journal)."""
    found: set[int] = set()
    i, n = 0, code_length(code)
    while i < n:
        op = code[i]
        found.add(op)
        i += op - 0x5E if 0x60 <= op <= 0x7F else 1
    return found


def _identifiers(abi: ContractAbi) -> set[int]:
    """The function and error selectors and the event topics of ``abi``, as integers."""
    ids = {int.from_bytes(f.selector, "big") for fs in abi.functions.values() for f in fs}
    ids.update(int.from_bytes(selector, "big") for selector in abi.errors)
    ids.update(int.from_bytes(topic, "big") for topic in abi.events)
    return ids
