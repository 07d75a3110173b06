"""The one exception tree of the toolkit.

Every error the SDK, the scripts and the services raise on purpose is a
:class:`DomaCrossError`. Subclasses also inherit the builtin they resemble, so
``except LookupError`` keeps working for code that does not know this package.
"""

from __future__ import annotations

from typing import ClassVar


class DomaCrossError(Exception):
    """Base class of every DomaCross error."""


class ConfigurationError(DomaCrossError, ValueError):
    """A setting, environment variable or file is missing or wrong."""


class InvalidInputError(DomaCrossError, ValueError):
    """An argument the caller passed is malformed or out of range (checked before any
    transaction is sent)."""


class UnknownContractNameError(InvalidInputError, KeyError):
    """A contract name or alias that the suite does not have."""


class UnknownNetworkError(ConfigurationError, LookupError):
    """A network choice names no network this toolkit knows."""

    def __init__(self, choice: str, known: list[str]) -> None:
        self.choice = choice
        self.known = known
        super().__init__(
            f"unknown network {choice!r}; use one of: {', '.join(known)} "
            "(format ecosystem:network[:provider])"
        )


class MissingRpcUrlError(ConfigurationError):
    """The environment variable holding a network's RPC URL is not set."""

    def __init__(self, network: str, variable: str) -> None:
        self.network = network
        self.variable = variable
        super().__init__(
            f"{variable} is not set: export it to the JSON-RPC URL of {network} "
            f"(e.g. `export {variable}=https://...`); RPC URLs are never read from the repository"
        )


class ChainMismatchError(ConfigurationError):
    """The node's chain id contradicts the network chosen or the deployment record."""

    def __init__(self, node: int, expected: int, source: str) -> None:
        self.node = node
        self.expected = expected
        self.source = source
        super().__init__(
            f"the RPC node is on chain {node} but {source} is for chain {expected}: "
            "point the RPC URL at the right network or pick the matching network/record"
        )


# -- Errors raised by the contracts --------------------------------------------------------
# Every custom error of the ABIs has a generated class in `domacross_sdk.generated.errors`
# (also exported as `domacross_sdk.contract_errors`), deriving from one family below and,
# where it fits, from a builtin (ValueError, LookupError, PermissionError).


class ContractError(DomaCrossError):
    """A contract reverted (or would revert) with a decoded reason."""

    SIGNATURE: ClassVar[str] = ""
    SELECTOR: ClassVar[bytes] = b""
    ABI_TYPES: ClassVar[tuple[str, ...]] = ()


class OracleError(ContractError):
    """ValuationOracle errors."""


class CompetitionError(ContractError):
    """Competition errors."""


class FactoryError(ContractError):
    """CompetitionFactory errors."""


class TrackerError(ContractError):
    """PortfolioTracker errors."""


class BasketError(ContractError):
    """DomainBasket and DomainBasketFactory errors."""


class DomainTokenError(ContractError):
    """Doma Ownership Token errors."""


class AccessControlError(ContractError, PermissionError):
    """OpenZeppelin AccessControl errors: the account lacks a role."""


class PausableError(ContractError):
    """OpenZeppelin Pausable errors: paused, or not paused."""


class TokenStandardError(ContractError):
    """ERC-20 and ERC-721 errors (EIP-6093)."""


class ArithmeticContractError(ContractError, ArithmeticError):
    """A value did not fit its type (OpenZeppelin SafeCast)."""


class OtherContractError(ContractError):
    """Other custom errors of the ABIs (e.g. OpenZeppelin utilities)."""


class RevertError(ContractError):
    """A revert with a string reason (`Error(string)`) or no data at all."""

    def __init__(self, reason: str | None) -> None:
        self.reason = reason
        super().__init__(f"reverted: {reason}" if reason else "reverted without a reason")


class PanicError(ContractError, ArithmeticError):
    """A Solidity panic (`Panic(uint256)`): overflow, division by zero, bad index..."""

    def __init__(self, code: int) -> None:
        self.code = code
        super().__init__(f"panic 0x{code:02x}")


class UnknownContractError(ContractError):
    """Revert data of an error that no ABI of this package declares."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        super().__init__(f"reverted with unknown error data 0x{data.hex()}")


def decode_revert(data: bytes) -> ContractError:
    """Turns revert data into the matching exception (without raising it).

    Example:
        >>> from domacross_sdk.generated.errors import OracleZeroToken
        >>> type(decode_revert(OracleZeroToken.SELECTOR)).__name__
        'OracleZeroToken'
    """
    from eth_abi.abi import decode

    from domacross_sdk.generated.errors import ERRORS

    if len(data) < 4:
        return RevertError(None)
    selector, body = data[:4], data[4:]
    if selector == bytes.fromhex("08c379a0"):
        return RevertError(str(decode(["string"], body)[0]))
    if selector == bytes.fromhex("4e487b71"):
        return PanicError(int(decode(["uint256"], body)[0]))
    cls = ERRORS.get(selector)
    if cls is None:
        return UnknownContractError(data)
    error: ContractError = cls.from_abi(list(decode(list(cls.ABI_TYPES), body)))
    return error


# -- Errors of sending ---------------------------------------------------------------------


class TransactionError(DomaCrossError):
    """A transaction could not be sent or did not succeed."""


class NoSignerError(TransactionError, ValueError):
    """A write was asked for without a signer."""

    def __init__(self) -> None:
        super().__init__(
            "no signer: pass sender=... or create the client with signer=LocalSigner(...)"
        )


class TransactionPendingError(TransactionError, TimeoutError):
    """A sent transaction was not mined in time. It may still be mined: never resend it."""

    def __init__(self, tx_hash: bytes, timeout: float) -> None:
        self.tx_hash = tx_hash
        super().__init__(
            f"transaction 0x{tx_hash.hex()} not mined after {timeout:.0f}s; it may still be "
            "mined. Check it before sending anything else from this account."
        )


class RpcUnavailableError(DomaCrossError, ConnectionError):
    """Every RPC endpoint failed."""
