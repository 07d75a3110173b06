"""The one exception tree of the toolkit.

Every error the SDK, the scripts and the services raise on purpose is a
:class:`DomaCrossError`. Subclasses also inherit the builtin they resemble, so
``except LookupError`` keeps working for code that does not know this package.
"""

from __future__ import annotations


class DomaCrossError(Exception):
    """Base class of every DomaCross error."""


class ConfigurationError(DomaCrossError, ValueError):
    """A setting, environment variable or file is missing or wrong."""


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
