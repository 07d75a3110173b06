"""Runs a Python module as `python -m` would and writes its peak resident set (VmHWM, MiB)
to a file when it ends, however it ends:

    python -m bench.peak_rss OUT_FILE MODULE [ARGS...]

Why not `ru_maxrss` from `wait4`: Linux folds the parent's RSS at fork into the child's
`ru_maxrss` across `execve`, so a child started by a large benchmark process reports at
least the benchmark's own size. VmHWM belongs to the process's new address space.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path


def vm_hwm_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def main() -> None:
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    out, module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        Path(out).write_text(f"{vm_hwm_mib():.1f}\n")


if __name__ == "__main__":
    main()
