"""DomaCross: a typed Python toolkit over the domain-trading competition contracts."""

from domacross_sdk.errors import (
    ConfigurationError,
    DomaCrossError,
    MissingRpcUrlError,
    UnknownNetworkError,
)
from domacross_sdk.networks import NETWORKS, NetworkSpec, RpcUrls, resolve_network, rpc_urls

__all__ = [
    "NETWORKS",
    "ConfigurationError",
    "DomaCrossError",
    "MissingRpcUrlError",
    "NetworkSpec",
    "RpcUrls",
    "UnknownNetworkError",
    "resolve_network",
    "rpc_urls",
]
