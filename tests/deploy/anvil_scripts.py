"""An anvil node that outlives each `ape run`, and the `ape run` calls made against it.

The node is started on a free port (`.tools/bin/anvil` binds 127.0.0.1 with
--prune-history) and Ape is pointed at it with APE_FOUNDRY_HOST. Runs that must start from
the node's first state return to it with :meth:`Node.restart` (`evm_revert` to a snapshot).
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.utils import ape_cli as cli
from tests.utils.anvil import free_port
from tests.utils.ape_cli import ROOT

ANVIL = ROOT / ".tools" / "bin" / "anvil"


class Node:
    def __init__(self, url: str):
        self.url = url
        self.first_state: str | None = None

    def rpc(self, method, *params):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
        # NOTE: self.url is always http://127.0.0.1:<port> (see started_node).
        request = urllib.request.Request(  # noqa: S310
            self.url, body.encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())["result"]

    @property
    def block(self) -> int:
        return int(self.rpc("eth_blockNumber"), 16)

    def restart(self) -> None:
        """Back to the state the node started in (an anvil snapshot serves one revert, and
        a revert drops the snapshots taken after it: take it again each time)."""
        if self.first_state is not None:
            assert self.rpc("evm_revert", self.first_state) is True
        self.first_state = self.rpc("evm_snapshot")


@contextmanager
def started_node(log: Path) -> Iterator[Node]:
    """A fresh anvil node, its output in ``log``; stopped afterwards."""
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            [str(ANVIL), "--port", str(port)], stdout=out, stderr=subprocess.STDOUT
        )
    node = Node(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                node.restart()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"anvil did not start: {log.read_text()}") from None
                time.sleep(0.1)
        yield node
    finally:
        process.terminate()
        process.wait(timeout=10)


def ape_run(node, directory, *args, env=None):
    """`ape run ARGS` against ``node``, recording into ``directory``."""
    return cli.ape_run(*args, directory=directory, node=node.url, env=env, timeout=120)
