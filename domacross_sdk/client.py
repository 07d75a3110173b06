"""`DomaCross`: one connection, one deployment, typed contracts.

Synchronous by design. Every consumer in this toolkit reads the chain sequentially per
chain (scripts, the indexer's loop per chain, tests) and the API serves from the
database, not the chain; an async twin would double the surface without a user. From
async code, call the client through `asyncio.to_thread`.

Example:
    >>> from domacross_sdk import DomaCross, LocalSigner
    >>> dc = DomaCross.connect(  # doctest: +SKIP
    ...     "http://127.0.0.1:8545",
    ...     deployment="deployments/ethereum-local.json",
    ...     signer=LocalSigner.from_key(key),
    ... )
    >>> dc.oracle.price_of(collection, token_id)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from eth_typing import ChecksumAddress
from web3 import Web3

from domacross_sdk import suite
from domacross_sdk.abis import abi, artifact
from domacross_sdk.contracts.base import ContractBinding
from domacross_sdk.contracts.basket import DomainBasket, DomainBasketFactory
from domacross_sdk.contracts.competition import Competition
from domacross_sdk.contracts.factory import CompetitionFactory
from domacross_sdk.contracts.marketplace import DomainMarketplace
from domacross_sdk.contracts.oracle import ValuationOracle
from domacross_sdk.contracts.token import DomainFractionToken, DomaOwnershipToken
from domacross_sdk.contracts.tracker import PortfolioTracker
from domacross_sdk.convert import ChainId, to_address
from domacross_sdk.deployments import read_record_json
from domacross_sdk.errors import ChainMismatchError, ConfigurationError, NoSignerError
from domacross_sdk.events_base import ContractEvent, decode_logs
from domacross_sdk.networks import resolve_network, rpc_urls
from domacross_sdk.rpc import FailoverHTTPProvider
from domacross_sdk.tx import Sender

if TYPE_CHECKING:
    from domacross_sdk.signers import Signer


@dataclass(frozen=True, slots=True)
class Addresses:
    """Where the suite is deployed. The token stand-ins exist on local chains only."""

    oracle: ChecksumAddress | None = None
    tracker: ChecksumAddress | None = None
    factory: ChecksumAddress | None = None
    ownership_token: ChecksumAddress | None = None
    fraction_token: ChecksumAddress | None = None
    basket_factory: ChecksumAddress | None = None
    marketplace: ChecksumAddress | None = None
    chain_id: int | None = None
    """The record's chain id; the client refuses a node on another chain."""

    NAMES: ClassVar[dict[str, str]] = {c.name: c.field for c in suite.CONTRACTS if c.field}
    """Record key -> field, from the suite manifest (`domacross_sdk.suite`)."""

    @classmethod
    def from_record(cls, record: str | Path | Mapping[str, Any]) -> Addresses:
        """Reads a deployment record of `deployments/` (a path or its parsed JSON).

        Raises:
            ConfigurationError: the file is missing or is not a deployment record.
        """
        data = record if isinstance(record, Mapping) else read_record_json(record)
        contracts = data.get("contracts")
        if not isinstance(contracts, Mapping):
            raise ConfigurationError("not a deployment record: it has no 'contracts' object")
        found: dict[str, ChecksumAddress] = {}
        for name, field in cls.NAMES.items():
            entry = contracts.get(name)
            if isinstance(entry, Mapping) and entry.get("address"):
                found[field] = to_address(entry["address"])
        chain_id = data.get("chain_id")
        return cls(**found, chain_id=chain_id if isinstance(chain_id, int) else None)


class DomaCross:
    """A typed client of the DomaCross contracts over one JSON-RPC connection.

    Args:
        w3: Any web3 connection (an HTTP node, Ape's provider inside `ape test`/`ape run`).
        addresses: Where the suite lives; reads of a missing one raise ConfigurationError.
        signer: Default sender of writes; each write also takes `sender=`.
        timeout: Seconds to wait for a receipt.
        poll_interval: Seconds between receipt polls (0.02 on local chains by default).
    """

    def __init__(
        self,
        w3: Web3,
        *,
        addresses: Addresses | None = None,
        signer: Signer | None = None,
        timeout: float = 120.0,
        poll_interval: float | None = None,
    ) -> None:
        self.w3 = w3
        self.addresses = addresses or Addresses()
        self.signer = signer
        self.sender = Sender(w3, timeout=timeout, poll_interval=poll_interval)
        if self.addresses.chain_id is not None:
            self.check_chain(self.addresses.chain_id, "the deployment record")

    def check_chain(self, expected: int, source: str) -> None:
        """Refuses a node whose chain id is not ``expected`` (one eth_chainId call).

        Raises:
            ChainMismatchError: with both ids and what expected the other one.
        """
        node = self.chain_id
        if node != expected:
            raise ChainMismatchError(node, expected, source)

    # -- constructors -------------------------------------------------------------------

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        fallback_url: str | None = None,
        deployment: str | Path | Mapping[str, Any] | None = None,
        addresses: Addresses | None = None,
        signer: Signer | None = None,
        **kwargs: Any,
    ) -> DomaCross:
        """Connects to a JSON-RPC URL (with an optional fallback) and a deployment."""
        urls = [url] + ([fallback_url] if fallback_url else [])
        w3 = Web3(FailoverHTTPProvider(urls))
        return cls(w3, addresses=_addresses(deployment, addresses), signer=signer, **kwargs)

    @classmethod
    def for_network(
        cls,
        choice: str,
        *,
        deployment: str | Path | Mapping[str, Any] | None = None,
        signer: Signer | None = None,
        deployments_dir: str | Path = "deployments",
        **kwargs: Any,
    ) -> DomaCross:
        """Connects to a Doma network with the URLs of its environment variables and its
        committed record (`deployments/doma-testnet.json`, ...).

        Raises:
            UnknownNetworkError, MissingRpcUrlError: see `domacross_sdk.networks`.
        """
        network = resolve_network(choice)
        urls = rpc_urls(network)
        record = deployment or Path(deployments_dir) / f"{network.ecosystem}-{network.name}.json"
        client = cls.connect(
            urls.primary, fallback_url=urls.fallback, deployment=record, signer=signer, **kwargs
        )
        if network.chain_id is not None:
            client.check_chain(network.chain_id, f"network {network.choice}")
        return client

    @classmethod
    def from_web3(
        cls,
        w3: Web3,
        *,
        deployment: str | Path | Mapping[str, Any] | None = None,
        addresses: Addresses | None = None,
        signer: Signer | None = None,
        **kwargs: Any,
    ) -> DomaCross:
        """Wraps an existing web3 connection, e.g. `ape.chain.provider.web3`."""
        return cls(w3, addresses=_addresses(deployment, addresses), signer=signer, **kwargs)

    # -- contracts ----------------------------------------------------------------------

    @property
    def chain_id(self) -> ChainId:
        """The connected chain's id."""
        return ChainId(self.sender.chain_id)

    @property
    def oracle(self) -> ValuationOracle:
        """The deployment's ValuationOracle."""
        return ValuationOracle(self.w3, self.sender, self._need("oracle"), self.signer)

    @property
    def tracker(self) -> PortfolioTracker:
        """The deployment's PortfolioTracker."""
        return PortfolioTracker(self.w3, self.sender, self._need("tracker"), self.signer)

    @property
    def factory(self) -> CompetitionFactory:
        """The deployment's CompetitionFactory."""
        return CompetitionFactory(self.w3, self.sender, self._need("factory"), self.signer)

    @property
    def basket_factory(self) -> DomainBasketFactory:
        """The deployment's DomainBasketFactory."""
        return DomainBasketFactory(self.w3, self.sender, self._need("basket_factory"), self.signer)

    def basket(self, address: str) -> DomainBasket:
        """A domain basket by address (see `basket_factory.all_baskets()`)."""
        return DomainBasket(self.w3, self.sender, address, self.signer)

    def competition(self, address: str) -> Competition:
        """A competition by address (see `factory.all_competitions()`)."""
        return Competition(self.w3, self.sender, address, self.signer)

    def ownership_token(self, address: str | None = None) -> DomaOwnershipToken:
        """The Ownership Token stand-in (local chains), by address or from the deployment."""
        return DomaOwnershipToken(
            self.w3, self.sender, address or self._need("ownership_token"), self.signer
        )

    def fraction_token(self, address: str | None = None) -> DomainFractionToken:
        """The fractional domain token stand-in (local chains)."""
        return DomainFractionToken(
            self.w3, self.sender, address or self._need("fraction_token"), self.signer
        )

    def marketplace(self, address: str | None = None) -> DomainMarketplace:
        """The marketplace stand-in (local chains), by address or from the deployment."""
        return DomainMarketplace(
            self.w3, self.sender, address or self._need("marketplace"), self.signer
        )

    def contract(self, name: str) -> ContractBinding:
        """The typed wrapper of a deployed contract by record name or alias (``oracle``).

        Raises:
            ConfigurationError: not a contract deployed once per network, or no address.
        """
        try:
            spec = suite.contract(name)
        except KeyError as err:
            raise ConfigurationError(str(err.args[0])) from None
        wrapper = WRAPPERS.get(spec.name)
        if spec.field is None or wrapper is None:
            raise ConfigurationError(
                f"{spec.name} is deployed per competition or basket, not once per network: "
                "use DomaCross.competition(address) or DomaCross.basket(address)"
            )
        return wrapper(self.w3, self.sender, self._need(spec.field), self.signer)

    def decode_logs(self, logs: Iterable[Mapping[str, Any]]) -> list[ContractEvent]:
        """Typed events of raw logs (unknown events are skipped)."""
        return decode_logs(logs)

    def deploy(self, name: str, *args: Any, sender: Signer | None = None) -> ChecksumAddress:
        """Deploys a contract from the bytecode shipped with the package (no Ape needed).

        Returns:
            The new contract's address.
        """
        signer = sender or self.signer
        if signer is None:
            raise NoSignerError()
        factory = self.w3.eth.contract(abi=abi(name), bytecode=artifact(name)["bytecode"])
        data = bytes.fromhex(factory.constructor(*args).data_in_transaction[2:])
        result = self.sender.send(signer, None, data)
        receipt = self.w3.eth.get_transaction_receipt(result.transaction_hash)  # type: ignore[arg-type]
        address = receipt["contractAddress"]
        if address is None:
            raise ConfigurationError(f"deploying {name} created no contract")
        return to_address(address)

    def _need(self, field: str) -> ChecksumAddress:
        address: ChecksumAddress | None = getattr(self.addresses, field)
        if address is None:
            raise ConfigurationError(
                f"no {field} address: connect with deployment=<record> or "
                f"addresses=Addresses({field}=...)"
            )
        return address


WRAPPERS: dict[str, type[ContractBinding]] = {
    w.CONTRACT_NAME: w
    for w in (
        ValuationOracle,
        PortfolioTracker,
        CompetitionFactory,
        DomaOwnershipToken,
        DomainFractionToken,
        DomainMarketplace,
        DomainBasketFactory,
    )
}
"""The wrapper of each contract deployed once per network (the manifest's ``field`` ones)."""


def _addresses(
    deployment: str | Path | Mapping[str, Any] | None, addresses: Addresses | None
) -> Addresses | None:
    if deployment is not None and addresses is not None:
        raise ConfigurationError("pass either deployment= or addresses=, not both")
    return Addresses.from_record(deployment) if deployment is not None else addresses
