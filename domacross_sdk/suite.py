"""The suite manifest: which contracts make up DomaCross, and how they are wired.

The one list that the SDK (shipped ABIs, `Addresses`, the client's wrappers), the binding
generator (`toolchain/gen_sdk.py`), the deploy and verify scripts and the admin scripts
read, so that adding a contract is one entry here rather than an edit in each of them.
Plain data: it imports nothing beyond the standard library.

Example:
    >>> from domacross_sdk.suite import contract, deployed
    >>> [c.name for c in deployed(local=False)]
    ['ValuationOracle', 'PortfolioTracker', 'CompetitionFactory', 'DomainBasketFactory']
    >>> contract("oracle").name, contract("ValuationOracle").field
    ('ValuationOracle', 'oracle')
"""

from __future__ import annotations

from dataclasses import dataclass

from domacross_sdk.errors import UnknownContractNameError

ADMIN_ROLE = "DEFAULT_ADMIN_ROLE"


@dataclass(frozen=True, slots=True)
class SuiteContract:
    """One contract of the suite. Its ``name`` is also its key in a deployment record."""

    name: str
    field: str | None = None
    """Attribute of `Addresses` (and name on the client) of a contract deployed once per
    network; None for one deployed many times by a factory (`Competition`, `DomainBasket`)."""
    alias: str | None = None
    """Short name the admin scripts accept (``--contract oracle``)."""
    local_only: bool = False
    """A stand-in for a Doma contract: deployed on local chains only."""
    access_control: bool = True
    """Whether its constructor grants DEFAULT_ADMIN_ROLE to the deployer."""

    @property
    def deployed(self) -> bool:
        """Whether `ape run deploy` deploys it (and a deployment record names it)."""
        return self.field is not None


@dataclass(frozen=True, slots=True)
class SuiteRole:
    """An AccessControl role that the deploy script grants (``--reporter ADDRESS``)."""

    option: str
    """Option name of the deploy script (``--reporter``)."""
    contracts: tuple[str, ...]
    """Every deployed contract that has this role, in deploy order: the deploy script grants
    it on each, and ``ape run roles`` grants or revokes it on each unless told one."""
    role: str
    """The role's constant name (``REPORTER_ROLE``)."""


@dataclass(frozen=True, slots=True)
class SuiteLink:
    """A link set after deployment: ``target.setter(address of value)``, read back by
    ``target.getter()``; recorded as the call ``Target.setter``."""

    target: str
    setter: str
    getter: str
    value: str
    once: bool = True
    """Whether the setter works once only (else a changed value is set again)."""
    after: str = ""
    """The contract after whose deploy step the link is set; default: the later of the two."""

    @property
    def name(self) -> str:
        """The call's name in the record (``PortfolioTracker.setFactory``)."""
        return f"{self.target}.{self.setter}"

    @property
    def runs_after(self) -> str:
        return self.after or max(self.target, self.value, key=DEPLOY_ORDER.index)


# NOTE: the order is that of the generated bindings and, for the deployed ones, the deploy
# order: the stand-ins come before DomainBasketFactory so that they keep the addresses
# examples/prices.csv names on a fresh local chain.
CONTRACTS: tuple[SuiteContract, ...] = (
    SuiteContract("ValuationOracle", "oracle", "oracle"),
    SuiteContract("PortfolioTracker", "tracker", "tracker"),
    SuiteContract("CompetitionFactory", "factory", "factory"),
    SuiteContract("Competition"),
    SuiteContract("DomaOwnershipToken", "ownership_token", "ownership-token", local_only=True),
    SuiteContract("DomainFractionToken", "fraction_token", "fraction-token", local_only=True),
    # Fixed-price listings so that local chains and the demo have trades with prices.
    SuiteContract(
        "DomainMarketplace", "marketplace", "marketplace", local_only=True, access_control=False
    ),
    SuiteContract("DomainBasketFactory", "basket_factory", "basket-factory"),
    SuiteContract("DomainBasket"),
)
CONTRACT_NAMES: tuple[str, ...] = tuple(c.name for c in CONTRACTS)
"""Every contract whose ABI ships with the SDK, in the generator's order."""
DEPLOY_ORDER: tuple[str, ...] = tuple(c.name for c in CONTRACTS if c.deployed)
"""The contracts `ape run deploy` deploys (stand-ins on local chains only), in order."""

ROLES: tuple[SuiteRole, ...] = (
    SuiteRole("reporter", ("ValuationOracle",), "REPORTER_ROLE"),
    SuiteRole("updater", ("PortfolioTracker",), "UPDATER_ROLE"),
    SuiteRole("organizer", ("CompetitionFactory",), "ORGANIZER_ROLE"),
    SuiteRole("resolver", ("CompetitionFactory",), "RESOLVER_ROLE"),
    # Both factories inherit RegistryFactory: a guardian stops competition and basket
    # creation alike, so one --guardian is granted on both.
    SuiteRole("guardian", ("CompetitionFactory", "DomainBasketFactory"), "GUARDIAN_ROLE"),
    SuiteRole("registrar", ("DomaOwnershipToken",), "REGISTRAR_ROLE"),
    SuiteRole("minter", ("DomainFractionToken",), "MINTER_ROLE"),
)
GRANTS: tuple[tuple[SuiteRole, str], ...] = tuple((r, c) for r in ROLES for c in r.contracts)
"""Every (role, contract) pair the deploy script grants, in its order."""

LINKS: tuple[SuiteLink, ...] = (
    SuiteLink("PortfolioTracker", "setFactory", "factory", "CompetitionFactory"),
    SuiteLink("PortfolioTracker", "setBasketFactory", "basketFactory", "DomainBasketFactory"),
    # The factory accepts competitions on its own tracker only (the organizer does not pick
    # who computes the results); the tracker must be bound to it first. Last of all, so that
    # the stand-ins keep the addresses examples/prices.csv names.
    SuiteLink(
        "CompetitionFactory",
        "setTracker",
        "tracker",
        "PortfolioTracker",
        once=False,
        after="DomainBasketFactory",
    ),
)


def contract(name: str) -> SuiteContract:
    """A contract by name (``ValuationOracle``, any case) or alias (``oracle``).

    Raises:
        UnknownContractNameError: neither (a `KeyError`); the message lists the names and
            aliases.
    """
    wanted = name.strip().lower()
    for c in CONTRACTS:
        if wanted in (c.name.lower(), c.alias):
            return c
    choices = ", ".join([*CONTRACT_NAMES, *(c.alias for c in CONTRACTS if c.alias)])
    raise UnknownContractNameError(f"unknown contract {name!r}; one of {choices}")


def deployed(*, local: bool) -> tuple[SuiteContract, ...]:
    """What `ape run deploy` deploys on a local chain (``local=True``) or another network."""
    return tuple(c for c in CONTRACTS if c.deployed and (local or not c.local_only))
