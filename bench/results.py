"""What every benchmark reports: repeated samples, a yardstick measured in the same run, a
target, and a verdict. Each `bench/*_bench.py` prints its rows and, with `--json PATH`,
writes them for `bench/run.py` (`make bench`), which renders bench/RESULTS.md."""

from __future__ import annotations

import json
import operator
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.table import Table

Op = Literal["<", "<=", ">", ">="]
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Target:
    op: Op
    value: float
    source: str
    """Where the target comes from (a product target, an SLO, our own budget)."""

    def met(self, figure: float) -> bool:
        return _OPS[self.op](figure, self.value)

    def __str__(self) -> str:
        return f"{self.op} {fmt(self.value)} ({self.source})"


@dataclass
class Row:
    bench: str
    measure: str
    unit: str
    samples: list[float]
    yardstick: str | None = None
    """What the figure is compared with, measured in the same run (or a fixed budget)."""
    yardstick_samples: list[float] = field(default_factory=list)
    target: Target | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def yardstick_median(self) -> float | None:
        return statistics.median(self.yardstick_samples) if self.yardstick_samples else None

    @property
    def ratio(self) -> float | None:
        y = self.yardstick_median
        return None if not y else self.median / y

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.target.met(self.median)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Row:
        target = data.pop("target")
        return cls(**data, target=Target(**target) if target else None)


def fmt(value: float) -> str:
    """Figures as people read them: thousands separated, at most 3 significant decimals."""
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.3g}"


def spread(samples: Sequence[float]) -> str:
    return "" if len(samples) < 2 else f"{fmt(min(samples))}-{fmt(max(samples))}"


def verdict(row: Row) -> str:
    return {None: "", True: "met", False: "MISSED"}[row.met]


def report(rows: list[Row], json_path: str | None, title: str) -> int:
    """Prints the rows, writes them as JSON when asked; 1 if a target was missed."""
    table = Table(title=title)
    for column in ("measure", "median", "spread", "n", "yardstick", "ratio", "target", ""):
        table.add_column(column)
    for row in rows:
        y = row.yardstick_median
        table.add_row(
            row.measure,
            f"{fmt(row.median)} {row.unit}",
            spread(row.samples),
            str(len(row.samples)),
            "" if row.yardstick is None else f"{row.yardstick}: {fmt(y) if y else '-'} {row.unit}",
            "" if row.ratio is None else f"{row.ratio:.2f}",
            "" if row.target is None else str(row.target),
            verdict(row),
        )
    Console(width=max(Console().width, 160)).print(table)
    if json_path:
        Path(json_path).write_text(json.dumps([r.to_json() for r in rows], indent=1))
    return 1 if any(r.met is False for r in rows) else 0
