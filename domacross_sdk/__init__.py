"""DomaCross: a typed Python toolkit over the domain-trading competition contracts.

Example:
    >>> from domacross_sdk import DomaCross, LocalSigner
    >>> dc = DomaCross.connect(  # doctest: +SKIP
    ...     "http://127.0.0.1:8545",
    ...     deployment="deployments/ethereum-local.json",
    ...     signer=LocalSigner.from_key(key),
    ... )
"""

from domacross_sdk import prizes
from domacross_sdk.client import Addresses, DomaCross
from domacross_sdk.contracts.basket import DomainBasket, DomainBasketFactory
from domacross_sdk.contracts.competition import Competition
from domacross_sdk.contracts.factory import CompetitionFactory
from domacross_sdk.contracts.marketplace import DomainMarketplace
from domacross_sdk.contracts.oracle import ValuationOracle
from domacross_sdk.contracts.token import DomainFractionToken, DomaOwnershipToken
from domacross_sdk.contracts.tracker import PortfolioTracker
from domacross_sdk.convert import ChainId, Wei
from domacross_sdk.deployments import DeploymentRecord, load_record, record_path, save_record
from domacross_sdk.enums import AssetKind, ComponentKind, Status
from domacross_sdk.errors import (
    ChainMismatchError,
    ConfigurationError,
    ContractError,
    DomaCrossError,
    InvalidInputError,
    MissingRpcUrlError,
    NoSignerError,
    RpcUnavailableError,
    TransactionError,
    TransactionPendingError,
    UnknownContractNameError,
    UnknownNetworkError,
    decode_revert,
)
from domacross_sdk.events_base import ContractEvent, LogMeta, decode_log, decode_logs
from domacross_sdk.generated import errors as contract_errors
from domacross_sdk.generated import events
from domacross_sdk.generated.structs import (
    CompetitionConfig,
    CompetitionParams,
    Component,
    Holding,
    Limits,
)
from domacross_sdk.networks import NETWORKS, NetworkSpec, RpcUrls, resolve_network, rpc_urls
from domacross_sdk.signers import ApeSigner, LocalSigner, Signer
from domacross_sdk.tx import TxResult

__all__ = [
    "NETWORKS",
    "Addresses",
    "ApeSigner",
    "AssetKind",
    "ChainId",
    "ChainMismatchError",
    "Competition",
    "CompetitionConfig",
    "CompetitionFactory",
    "CompetitionParams",
    "Component",
    "ComponentKind",
    "ConfigurationError",
    "ContractError",
    "ContractEvent",
    "DeploymentRecord",
    "DomaCross",
    "DomaCrossError",
    "DomaOwnershipToken",
    "DomainBasket",
    "DomainBasketFactory",
    "DomainFractionToken",
    "DomainMarketplace",
    "Holding",
    "InvalidInputError",
    "Limits",
    "LocalSigner",
    "LogMeta",
    "MissingRpcUrlError",
    "NetworkSpec",
    "NoSignerError",
    "PortfolioTracker",
    "RpcUnavailableError",
    "RpcUrls",
    "Signer",
    "Status",
    "TransactionError",
    "TransactionPendingError",
    "TxResult",
    "UnknownContractNameError",
    "UnknownNetworkError",
    "ValuationOracle",
    "Wei",
    "contract_errors",
    "decode_log",
    "decode_logs",
    "decode_revert",
    "events",
    "load_record",
    "prizes",
    "record_path",
    "resolve_network",
    "rpc_urls",
    "save_record",
]
