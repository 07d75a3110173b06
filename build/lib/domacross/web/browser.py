"""The system's Chromium (Debian's `chromium` package) driven by Playwright, for the page
tests and `make screenshots`. Playwright's own browser download is never used: it needs
hosts that offline machines and many CI runners cannot reach."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

CHROMIUM = Path(os.environ.get("DOMACROSS_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",  # containers and CI runners run as root without user namespaces
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def unavailable() -> str | None:
    """Why no browser can be driven here, or None when one can."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed: pip install -e '.[dev]'"
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM}: apt-get install chromium (or set DOMACROSS_CHROMIUM)"
    return None


def launch(playwright: Playwright) -> Browser:
    """A headless Chromium of the system's, with no network of its own."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
