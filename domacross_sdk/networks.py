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

from domacross_sdk.errors import MissingRpcUrlError, UnknownNetworkError


@dataclass(frozen=True, slots=True)
class NetworkSpec:
    """One network: its Ape choice, chain id and where its RPC URLs come from."""

    ecosystem: str
    name: str
    chain_id: int | None
    """Fixed chain id, or None for local chains (the node decides)."""
    env_prefix: str | None
    """Prefix of the RPC URL variables, or None when Ape manages the node."""
    is_local: bool

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


DOMA_TESTNET = NetworkSpec("doma", "testnet", 97476, "DOMA_TESTNET", is_local=False)
DOMA_MAINNET = NetworkSpec("doma", "mainnet", 97477, "DOMA_MAINNET", is_local=False)
LOCAL = NetworkSpec("ethereum", "local", None, None, is_local=True)

NETWORKS: dict[str, NetworkSpec] = {n.choice: n for n in (LOCAL, DOMA_TESTNET, DOMA_MAINNET)}


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
        ValueError: the network is local and has no RPC variables.
    """
    env = os.environ if environ is None else environ
    primary_var, fallback_var = network.primary_variable, network.fallback_variable
    if primary_var is None or fallback_var is None:
        raise ValueError(f"{network.choice} is a local network; Ape starts its node")
    primary = env.get(primary_var, "").strip()
    if not primary:
        raise MissingRpcUrlError(network.choice, primary_var)
    fallback = env.get(fallback_var, "").strip() or None
    return RpcUrls(primary=primary, fallback=fallback)
