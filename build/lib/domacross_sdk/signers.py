"""Who signs transactions: a local key (eth-account) or an Ape account.

A signer never exposes its key: not in `repr`, logs or errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from eth_account import Account
from eth_typing import ChecksumAddress

from domacross_sdk.convert import to_address

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount


@runtime_checkable
class Signer(Protocol):
    """Signs transactions for one address."""

    @property
    def address(self) -> ChecksumAddress:
        """The sending address."""
        ...

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        """Signs a complete transaction dict and returns the raw signed transaction."""
        ...


class LocalSigner:
    """Signs with a private key held in memory (eth-account).

    Example:
        >>> signer = LocalSigner.from_key("0x" + "11" * 32)
        >>> signer.address
        '0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A'
    """

    def __init__(self, account: LocalAccount) -> None:
        self._account = account

    @classmethod
    def from_key(cls, private_key: str | bytes) -> LocalSigner:
        """A signer for a hex or bytes private key."""
        return cls(Account.from_key(private_key))

    @property
    def address(self) -> ChecksumAddress:
        """The sending address."""
        return to_address(self._account.address)

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        """Signs a complete transaction dict."""
        return bytes(self._account.sign_transaction(tx).raw_transaction)

    def __repr__(self) -> str:
        return f"LocalSigner({self.address})"


class ApeSigner:
    """Signs with an Ape account: a test account, or a keyfile account of `ape accounts`.

    Needs Ape's runtime (inside `ape run`, `ape test` or `ape console`); the rest of the SDK
    does not.
    """

    def __init__(self, account: Any) -> None:
        self._account = account

    @property
    def address(self) -> ChecksumAddress:
        """The sending address."""
        return to_address(str(self._account.address))

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        """Signs through Ape, which may ask a keyfile account for its passphrase."""
        from ape import networks

        fields = {k: v for k, v in tx.items() if k != "from"}
        fields["sender"] = self.address
        txn = networks.provider.network.ecosystem.create_transaction(**fields)
        signed = self._account.sign_transaction(txn)
        if signed is None:
            raise PermissionError(f"Ape account {self.address} refused to sign")
        return bytes(signed.serialize_transaction())

    def __repr__(self) -> str:
        return f"ApeSigner({self.address})"
