"""The chart of the top portfolios over time, as SVG geometry computed on the server (no
chart library, no script): step lines, since a value holds until the next valuation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domacross.web.format import eth, utc

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 80, 16, 12, 36
TICKS = 4


@dataclass(frozen=True)
class Series:
    wallet: str
    label: str
    points: str
    """The SVG `points` of a polyline."""
    last_value: int


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    series: list[Series]
    ticks: list[Tick]
    start: datetime
    end: datetime
    plot: tuple[int, int, int, int]
    """left, top, right, bottom of the plot area."""


def build(
    histories: list[tuple[str, str, list[tuple[datetime, int]]]], now: datetime
) -> Chart | None:
    """Geometry for `(wallet, label, [(time, wei), ...] oldest first)`; each line runs on to
    `now` at its last value. None when there is nothing to draw."""
    drawn = [(w, label, pts) for w, label, pts in histories if pts]
    if not drawn:
        return None
    times = [utc(t) for _, _, pts in drawn for t, _ in pts]
    start = min(times)
    end = max([*times, utc(now)])
    span = max((end - start).total_seconds(), 1.0)
    top_value = max(v for _, _, pts in drawn for _, v in pts)
    scale = _nice_ceiling(top_value)
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM

    def x(at: datetime) -> float:
        return LEFT + (utc(at) - start).total_seconds() / span * (right - LEFT)

    def y(value: int) -> float:
        return bottom - value / scale * (bottom - TOP)

    series = []
    for wallet, label, pts in drawn:
        coords: list[tuple[float, float]] = []
        for at, value in pts:
            if coords:
                coords.append((x(at), coords[-1][1]))  # hold the previous value until now
            coords.append((x(at), y(value)))
        coords.append((x(end), coords[-1][1]))
        text = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
        series.append(Series(wallet, label, text, pts[-1][1]))
    ticks = [Tick(y(scale * i // TICKS), eth(scale * i // TICKS)) for i in range(TICKS + 1)]
    return Chart(WIDTH, HEIGHT, series, ticks, start, end, (LEFT, TOP, right, bottom))


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten (in wei) at or above `value`."""
    if value <= 0:
        return 10**18
    power = int(10 ** (len(str(value)) - 1))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # unreachable: 10 * power > value always
