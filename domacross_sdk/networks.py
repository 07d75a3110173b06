"""The networks DomaCross deploys to, and where their RPC URLs come from.

Doma's RPC URLs are read only from the environment, never from a file of the
repository: ``DOMA_TESTNET_RPC_URL_PRIMARY`` / ``DOMA_TESTNET_RPC_URL_FALLBACK`` and
``DOMA_MAINNET_RPC_URL_PRIMARY`` / ``DOMA_MAINNET_RPC_URL_FALLBACK``.

Example:
    >>> from domacross_sdk.networks import resolve_network
    >>> resolve_network("doma:testnet").chain_id
    97476
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from domacross_sdk.convert import ChainId
from domacross_sdk.errors import ConfigurationError, MissingRpcUrlError, UnknownNetworkError


@dataclass(frozen=True, slots=True)
class NetworkSpec:
    """One network: its Ape choice, chain id and where its RPC URLs come from."""

    ecosystem: str
    name: str
    chain_id: ChainId | None
    """Fixed chain id, or None for local chains (the node decides)."""
    env_prefix: str | None
    """Prefix of the RPC URL variables, or None when Ape manages the node."""
    is_local: bool
    confirmations: int = 2
    """Blocks the indexer stays behind the head on this network (see `INDEXER_DEFAULTS`)."""
    reorg_window: int = 128
    """Recent block hashes the indexer keeps to find a common ancestor after a reorg."""

    @property
    def choice(self) -> str:
        """The ``ecosystem:network`` part of an Ape network choice."""
        return f"{self.ecosystem}:{self.name}"

    @property
    def primary_variable(self) -> str | None:
        """Name of the environment variable with the primary RPC URL."""
        return f"{self.env_prefix}_RPC_URL_PRIMARY" if self.env_prefix else None

    @property
    def fallback_variable(self) -> str | None:
        """Name of the environment variable with the fallback RPC URL."""
        return f"{self.env_prefix}_RPC_URL_FALLBACK" if self.env_prefix else None


@dataclass(frozen=True, slots=True)
class RpcUrls:
    """A network's primary RPC URL and its optional fallback."""

    primary: str
    fallback: str | None


# Indexer defaults per network, and why (`DOMACROSS_CONFIRMATIONS` / `_REORG_WINDOW` override
# them for every chain):
# - Doma: the architecture docs state no block time, finality rule or reorg depth for Doma's
#   networks (only that the chain id and RPC URLs come from the environment). Unknown depth:
#   keep 1,024 recent hashes (a few hundred KB) so a deep reorg still finds its ancestor in
#   the window. Confirmations stay at 2, the most that keeps the docs' SLO of an indexer lag
#   under 3 blocks (as /health measures it, head - indexed); a reorg deeper than 2 blocks
#   is rolled back, never silently kept.
# - Local (anvil, hardhat): blocks are mined on demand and reorg only when a test asks
#   (anvil_reorg, evm_revert): index the head at once; 128 hashes cover any test's reorg.
# - Any other chain: 2 confirmations and 128 hashes, the general default.
DOMA_CONFIRMATIONS = 2
DOMA_REORG_WINDOW = 1_024
DOMA_TESTNET = NetworkSpec(
    "doma",
    "testnet",
    ChainId(97476),
    "DOMA_TESTNET",
    is_local=False,
    confirmations=DOMA_CONFIRMATIONS,
    reorg_window=DOMA_REORG_WINDOW,
)
DOMA_MAINNET = NetworkSpec(
    "doma",
    "mainnet",
    ChainId(97477),
    "DOMA_MAINNET",
    is_local=False,
    confirmations=DOMA_CONFIRMATIONS,
    reorg_window=DOMA_REORG_WINDOW,
)
LOCAL = NetworkSpec("ethereum", "local", None, None, is_local=True, confirmations=0)
LOCAL_CHAIN_IDS = frozenset({31337, 1337})
"""Chain ids of local development nodes (anvil and hardhat: 31337; ganache: 1337)."""

NETWORKS: dict[str, NetworkSpec] = {n.choice: n for n in (LOCAL, DOMA_TESTNET, DOMA_MAINNET)}


@dataclass(frozen=True, slots=True)
class IndexerDefaults:
    """How far behind the head the indexer stays, and how many block hashes it keeps."""

    confirmations: int
    reorg_window: int


def indexer_defaults(chain_id: int) -> IndexerDefaults:
    """The indexer's defaults for a chain, by chain id: a Doma network's, a local node's,
    or the general ones (2 confirmations, 128 hashes) for any other chain.

    Example:
        >>> indexer_defaults(97476)
        IndexerDefaults(confirmations=2, reorg_window=1024)
        >>> indexer_defaults(31337)
        IndexerDefaults(confirmations=0, reorg_window=128)
    """
    for network in NETWORKS.values():
        if network.chain_id == chain_id:
            return IndexerDefaults(network.confirmations, network.reorg_window)
    if chain_id in LOCAL_CHAIN_IDS:
        return IndexerDefaults(LOCAL.confirmations, LOCAL.reorg_window)
    general = NetworkSpec("", "", None, None, is_local=False)
    return IndexerDefaults(general.confirmations, general.reorg_window)


def resolve_network(choice: str) -> NetworkSpec:
    """Finds the network of an Ape choice such as ``doma:testnet:node``.

    Args:
        choice: ``ecosystem:network`` with an optional ``:provider``.

    Returns:
        The network's spec.

    Raises:
        UnknownNetworkError: the choice names no known network.
    """
    parts = choice.split(":")
    key = ":".join(parts[:2])
    if len(parts) < 2 or key not in NETWORKS:
        raise UnknownNetworkError(choice, sorted(NETWORKS))
    return NETWORKS[key]


def rpc_urls(network: NetworkSpec, environ: Mapping[str, str] | None = None) -> RpcUrls:
    """Reads a remote network's RPC URLs from the environment.

    Args:
        network: A network that is not local.
        environ: Where to read variables from; ``os.environ`` by default.

    Returns:
        The primary URL and the fallback, if one is set.

    Raises:
        MissingRpcUrlError: the primary URL variable is unset or empty.
        ConfigurationError: the network is local and has no RPC variables (a `ValueError`).
    """
    env = os.environ if environ is None else environ
    primary_var, fallback_var = network.primary_variable, network.fallback_variable
    if primary_var is None or fallback_var is None:
        raise ConfigurationError(f"{network.choice} is a local network; Ape starts its node")
    primary = env.get(primary_var, "").strip()
    if not primary:
        raise MissingRpcUrlError(network.choice, primary_var)
    fallback = env.get(fallback_var, "").strip() or None
    return RpcUrls(primary=primary, fallback=fallback)
