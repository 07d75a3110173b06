"""`make screenshots`: runs a small demo and photographs its three pages (competition list,
competition, trader) at desktop and phone widths into docs/img/, in the system's headless
Chromium (see `domacross.web.browser`)."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

from domacross.demo.run import ROOT, DemoOptions, DemoResult, run_demo
from domacross.web import browser as system_browser

OUT = ROOT / "docs" / "img"
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}


def shoot(result: DemoResult, out: Path = OUT) -> list[Path]:
    """Full-page PNGs of the three pages of `result`'s competition, at each width."""
    from playwright.sync_api import sync_playwright

    leader = result.standings_api[0][0]
    pages = {
        "competitions": "/",
        "competition": f"/competitions/{result.competition_id}",
        "trader": f"/traders/{leader}",
    }
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        chromium = system_browser.launch(playwright)
        for width_name, (width, height) in WIDTHS.items():
            context = chromium.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            for name, path in pages.items():
                page.goto(result.api_url + path, wait_until="load")
                if name == "competition":
                    page.wait_for_selector('#live-status[data-state="live"]')
                target = out / f"{name}-{width_name}.png"
                page.screenshot(path=str(target), full_page=True)
                written.append(target)
            context.close()
        chromium.close()
    return written


def main() -> int:
    reason = system_browser.unavailable()
    if reason is not None:
        print(f"make screenshots: {reason}", file=sys.stderr)
        return 1
    written: list[Path] = []
    options = DemoOptions(
        traders=6, rounds=8, show=False, while_up=lambda r: written.extend(shoot(r))
    )
    run_demo(options, Console(quiet=True))
    for path in written:
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
