"""The end-to-end demo: `domacross demo` (see `run.py`)."""

from domacross.demo.run import DemoOptions, DemoResult, run_demo

__all__ = ["DemoOptions", "DemoResult", "run_demo"]
