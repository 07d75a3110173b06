"""The fenced code blocks, links and headings of the README and the pages of docs/.

A block is run by tests/docs/test_snippets.py unless the line before it is a marker:
`<!-- not-run: why -->` (it needs a live network, secrets, root, or a process that runs
until stopped) or `<!-- runs-as: tests/FILE -->` (the block is a test file of the suite,
which runs it; the block must be in that file). Blocks of output (`text`, `console`) are
not code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))

RUN = {"python": "python", "py": "python", "sh": "sh", "bash": "sh", "shell": "sh"}
OUTPUT = {"text", "console"}

FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,})(?P<lang>[\w+-]*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*(?P<kind>not-run|runs-as):\s*(?P<what>.*?)\s*-->\s*$")
LINK = re.compile(r"!?\[[^\]]*\]\((?P<target>[^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(?P<title>.+?)\s*$")
CODE_SPAN = re.compile(r"`[^`]*`")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    """1-based line of the opening fence."""
    lang: str
    code: str
    marker: tuple[str, str] | None
    """(kind, what) of the marker on the line before the fence, if any."""

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def runs(self) -> str | None:
        """ "python" or "sh" when the test runs this block, else None."""
        return None if self.marker else RUN.get(self.lang)


def blocks(page: Path) -> list[Block]:
    """Every fenced block of a page, indented ones (inside list items) included."""
    lines = page.read_text().split("\n")
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence = len(opening["indent"]), opening["fence"]
        end = next(
            (j for j in range(i + 1, len(lines)) if lines[j].strip() == fence),
            None,
        )
        assert end is not None, f"{page.name}:{i + 1}: a fence that never closes"
        code = "\n".join(line[indent:] for line in lines[i + 1 : end]) + "\n"
        previous = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = MARKER.match(previous)
        kind_what = (marker["kind"], marker["what"]) if marker else None
        found.append(Block(page, i + 1, opening["lang"], code, kind_what))
        i = end + 1
    return found


def prose(page: Path) -> list[str]:
    """The page's lines outside its fenced blocks."""
    out: list[str] = []
    inside: str | None = None
    for line in page.read_text().split("\n"):
        opening = FENCE.match(line)
        if inside is None and opening:
            inside = opening["fence"]
        elif inside is not None and line.strip() == inside:
            inside = None
        elif inside is None:
            out.append(line)
    return out


def links(page: Path) -> list[str]:
    """Relative link targets (files and anchors) of a page; web links are left alone."""
    return [
        m["target"]
        for m in LINK.finditer(CODE_SPAN.sub("", "\n".join(prose(page))))  # code is not a link
        if not re.match(r"^[a-z]+:", m["target"])
    ]


def slug(title: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", title.lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {slug(m["title"]) for line in prose(page) if (m := HEADING.match(line))}
