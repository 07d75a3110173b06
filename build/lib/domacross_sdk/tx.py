"""Sending transactions: gas, EIP-1559 fees, nonces, broadcast, receipt, decoded results.

Safety rules:
    * A transaction is signed once. Retries (here and in `rpc.FailoverHTTPProvider`) resend
      the same signed bytes, which a chain executes at most once: never a double spend.
    * Nonces come from one `NonceManager` per client, locked per account from reservation
      to broadcast, so a burst of concurrent sends gets consecutive nonces without gaps.
      When a broadcast's fate is unknown the manager forgets the account and re-reads the
      pending nonce from the node next time.
    * Gas is estimated first: a call that would revert raises its decoded contract error
      before anything is signed or paid.
"""

from __future__ import annotations

import ast
import math
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from hexbytes import HexBytes
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3RPCError

from domacross_sdk.errors import (
    ContractError,
    RevertError,
    RpcUnavailableError,
    TransactionError,
    TransactionPendingError,
    decode_revert,
)
from domacross_sdk.events_base import ContractEvent, decode_logs

if TYPE_CHECKING:
    from web3 import Web3

    from domacross_sdk.signers import Signer

E = TypeVar("E", bound=ContractEvent)
LOCAL_CHAIN_IDS = frozenset({1337, 31337})


@dataclass(frozen=True)
class TxResult:
    """A mined, successful transaction and the events it emitted, decoded."""

    transaction_hash: bytes
    block_number: int
    gas_used: int
    effective_gas_price: int
    events: tuple[ContractEvent, ...] = field(default=())

    def events_of(self, kind: type[E]) -> list[E]:
        """The events of one kind, in log order."""
        return [e for e in self.events if isinstance(e, kind)]

    def event(self, kind: type[E]) -> E:
        """The one event of a kind.

        Raises:
            LookupError: none, or more than one, was emitted.
        """
        found = self.events_of(kind)
        if len(found) != 1:
            raise LookupError(f"expected one {kind.__name__} event, found {len(found)}")
        return found[0]


_TESTER_REVERT = re.compile(r"^execution reverted: (b'.*'|b\".*\")$", re.DOTALL)


def revert_data(exc: BaseException) -> bytes | None:
    """The revert data carried by a web3 exception, if any."""
    data: Any = getattr(exc, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        return bytes(HexBytes(data))
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    # NOTE: web3's EthereumTesterProvider (Ape's embedded chain) only keeps the repr of the
    # revert bytes in its message: "execution reverted: b'...'". A bytes literal is safe
    # to evaluate.
    match = _TESTER_REVERT.match(str(exc))
    if match:
        value = ast.literal_eval(match.group(1))
        if isinstance(value, bytes):
            return value
    return None


def as_contract_error(exc: BaseException) -> ContractError | None:
    """The decoded contract error behind a web3 exception, or None if it is not a revert."""
    data = revert_data(exc)
    if data is not None:
        return decode_revert(data)
    if isinstance(exc, ContractLogicError):
        return RevertError(str(exc) or None)
    return None


class NonceManager:
    """Hands out consecutive nonces per account, safe under concurrent sends."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._next: dict[str, int] = {}

    def _lock(self, address: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(address, threading.Lock())

    @contextmanager
    def reserve(self, w3: Web3, address: ChecksumAddress) -> Iterator[int]:
        """Yields the account's next nonce, holding the account's lock.

        The nonce counts as used when the block exits normally. On `NonceNotUsedError` it is
        handed out again; on any other exception the account is forgotten and re-read
        from the node's pending count.
        """
        with self._lock(address):
            nonce = self._next.get(address)
            if nonce is None:
                nonce = w3.eth.get_transaction_count(address, "pending")
            try:
                yield nonce
            except NonceNotUsedError:
                self._next[address] = nonce
                raise
            except BaseException:
                self._next.pop(address, None)
                raise
            self._next[address] = nonce + 1

    def forget(self, address: ChecksumAddress) -> None:
        """Drops the cached nonce of an account (e.g. after it sent elsewhere)."""
        with self._lock(address):
            self._next.pop(address, None)


class NonceNotUsedError(TransactionError):
    """The node rejected a transaction before accepting it; its nonce is free again."""


class Sender:
    """Estimates, prices, signs, broadcasts and waits for transactions.

    Args:
        w3: The connection.
        timeout: Seconds to wait for a receipt.
        poll_interval: Seconds between receipt polls; defaults to 0.02 on local chains.
        gas_margin: Multiplier applied to the gas estimate. NOTE: 1.5, not 1.2: an estimate
            runs at the latest block's timestamp, and a write of `block.timestamp` that is a
            no-op there (100 gas) costs 2,900 gas in the next block; a batch of such writes
            (e.g. `setPrices`) ran out of gas with 1.2.
        priority_fee: EIP-1559 tip in wei; None asks the node.
    """

    def __init__(
        self,
        w3: Web3,
        *,
        timeout: float = 120.0,
        poll_interval: float | None = None,
        gas_margin: float = 1.5,
        priority_fee: int | None = None,
    ) -> None:
        self.w3 = w3
        self.nonces = NonceManager()
        self.timeout = timeout
        self._poll = poll_interval
        self.gas_margin = gas_margin
        self.priority_fee = priority_fee
        self._chain_id: int | None = None

    @property
    def chain_id(self) -> int:
        """The chain id, read once."""
        if self._chain_id is None:
            self._chain_id = int(self.w3.eth.chain_id)
        return self._chain_id

    def send(
        self, signer: Signer, to: ChecksumAddress | None, data: bytes, value: int = 0
    ) -> TxResult:
        """Sends one transaction and returns it mined, with its events decoded.

        Raises:
            ContractError: the call reverts (found when estimating, or after mining).
            TransactionError: the node refused the transaction.
            TransactionPendingError: not mined within the timeout (it may still be).
            RpcUnavailableError: no RPC endpoint answered.
        """
        tx: dict[str, Any] = {
            "from": signer.address,
            "data": "0x" + data.hex(),
            "value": value,
            "chainId": self.chain_id,
        }
        if to is not None:
            tx["to"] = to
        try:
            estimate = self.w3.eth.estimate_gas(tx)  # type: ignore[arg-type]
        except RpcUnavailableError:
            raise
        except Exception as exc:
            error = as_contract_error(exc)
            if error is not None:
                raise error from None
            raise TransactionError(f"gas estimation failed: {exc}") from exc
        tx["gas"] = math.ceil(estimate * self.gas_margin)
        tx.update(self._fees())
        tx_hash = self._broadcast(signer, tx)
        receipt = self._wait(tx_hash)
        if receipt["status"] != 1:
            raise self._failure(tx, receipt)
        return TxResult(
            transaction_hash=tx_hash,
            block_number=int(receipt["blockNumber"]),
            gas_used=int(receipt["gasUsed"]),
            effective_gas_price=int(receipt.get("effectiveGasPrice", 0)),
            events=tuple(decode_logs(receipt["logs"])),
        )

    def _fees(self) -> dict[str, int]:
        block = self.w3.eth.get_block("latest")
        base = block.get("baseFeePerGas")
        if base is None:
            return {"gasPrice": int(self.w3.eth.gas_price)}
        tip = self.priority_fee
        if tip is None:
            try:
                tip = int(self.w3.eth.max_priority_fee)
            except (Web3RPCError, ValueError):
                tip = 10**9
        return {"maxFeePerGas": 2 * int(base) + tip, "maxPriorityFeePerGas": tip}

    def _broadcast(self, signer: Signer, tx: dict[str, Any]) -> bytes:
        with self.nonces.reserve(self.w3, signer.address) as nonce:
            tx["nonce"] = nonce
            raw = signer.sign_transaction(tx)
            tx_hash = keccak(raw)
            try:
                self.w3.eth.send_raw_transaction(raw)
            except RpcUnavailableError:
                raise  # fate unknown: the manager re-reads the pending nonce next time
            except (Web3RPCError, ValueError) as exc:
                message = str(exc).lower()
                if "already known" in message or "known transaction" in message:
                    return tx_hash  # an earlier try of these same bytes got through
                if "nonce too low" in message and self._known(tx_hash):
                    return tx_hash
                if "nonce too low" in message:
                    raise TransactionError(
                        f"nonce {nonce} of {signer.address} is already used (another sender?): "
                        f"{exc}; the nonce will be re-read from the node"
                    ) from exc
                raise NonceNotUsedError(f"the node refused the transaction: {exc}") from exc
            return tx_hash

    def _known(self, tx_hash: bytes) -> bool:
        try:
            self.w3.eth.get_transaction(HexBytes(tx_hash))
        except TransactionNotFound:
            return False
        return True

    def _wait(self, tx_hash: bytes) -> Any:
        poll = self._poll
        if poll is None:
            poll = 0.02 if self.chain_id in LOCAL_CHAIN_IDS else 0.5
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return self.w3.eth.get_transaction_receipt(HexBytes(tx_hash))
            except TransactionNotFound:
                if time.monotonic() > deadline:
                    raise TransactionPendingError(tx_hash, self.timeout) from None
                time.sleep(poll)

    def _failure(self, tx: dict[str, Any], receipt: Any) -> ContractError:
        """Replays a failed transaction as a call at its block to learn why it reverted."""
        call = {k: tx[k] for k in ("from", "to", "data", "value") if k in tx}
        try:
            self.w3.eth.call(call, int(receipt["blockNumber"]) - 1)  # type: ignore[arg-type]
        except Exception as exc:
            error = as_contract_error(exc)
            if error is not None:
                return error
        used, limit = int(receipt["gasUsed"]), int(tx["gas"])
        why = " (out of gas)" if used >= limit else ""
        return RevertError(
            f"transaction 0x{bytes(receipt['transactionHash']).hex()} reverted{why}: "
            f"gas used {used} of {limit}"
        )
