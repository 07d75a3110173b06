"""Ape's compiled contract types on the fast engine: ``fast_project.Oracle.deploy(...)``.

:class:`FastProject` wraps Ape's ``project`` so that tests name contracts as they do on
Ape's chain; each contract type (``project.X.contract_type``: ABI and init code) is
compiled for the engine once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domacross_fuzz.abi import ContractAbi
from domacross_fuzz.contract import FastContract
from domacross_fuzz.evm import FastChain

_COMPILED: dict[tuple[str, bytes], CompiledContract] = {}


@dataclass(frozen=True)
class CompiledContract:
    """A contract type ready for the engine: its name, compiled ABI and init code."""

    name: str
    abi: ContractAbi
    init_code: bytes

    @classmethod
    def from_contract_type(cls, contract_type: Any) -> CompiledContract:
        """From an ethpm ``ContractType`` (what ``project.X.contract_type`` is); memoised.

        Raises:
            ValueError: The type has no init code (an interface or abstract contract).
        """
        name: str = contract_type.name or ""
        bytecode = contract_type.deployment_bytecode
        code = bytes.fromhex((bytecode.bytecode or "0x")[2:]) if bytecode is not None else b""
        key = (name, code)
        compiled = _COMPILED.get(key)
        if compiled is None:
            abi = [entry.model_dump(mode="json", by_alias=True) for entry in contract_type.abi]
            compiled = _COMPILED[key] = cls(name, ContractAbi.from_abi(abi), code)
        return compiled


class FastContainer:
    """One contract type on one :class:`FastChain`, like Ape's ``ContractContainer``."""

    def __init__(self, chain: FastChain, compiled: CompiledContract) -> None:
        self.chain = chain
        self.compiled = compiled

    def deploy(self, *args: Any, sender: Any = None, value: int = 0) -> FastContract:
        """Deploys a new instance with constructor ``args``."""
        if not self.compiled.init_code:
            raise ValueError(f"{self.compiled.name} has no init code: nothing to deploy")
        return self.chain.deploy(
            self.compiled.abi,
            self.compiled.init_code,
            *args,
            sender=sender,
            value=value,
            name=self.compiled.name,
        )

    def at(self, address: Any) -> FastContract:
        """The instance at ``address`` (a clone, or one created by another contract)."""
        return self.chain.at(self.compiled.abi, address, name=self.compiled.name)


class FastProject:
    """Ape's ``project`` on the fast engine: ``fast_project.Name`` is a :class:`FastContainer`."""

    def __init__(self, project: Any, chain: FastChain) -> None:
        self._project = project
        self.chain = chain
        self._containers: dict[str, FastContainer] = {}

    def __getattr__(self, name: str) -> FastContainer:
        if name.startswith("_"):
            raise AttributeError(name)
        container = self._containers.get(name)
        if container is None:
            contract_type = getattr(self._project, name).contract_type
            compiled = CompiledContract.from_contract_type(contract_type)
            container = self._containers[name] = FastContainer(self.chain, compiled)
        return container
