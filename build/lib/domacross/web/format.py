"""How the pages write amounts, times and wallets (Jinja filters; `static/app.js` writes
the live leaderboard the same way, so a pushed row reads like a rendered one)."""

from __future__ import annotations

from datetime import UTC, datetime

WEI_PER_ETH = 10**18
ETH_DECIMALS = 4


def eth(wei: int | str, signed: bool = False) -> str:
    """`wei` in ETH, rounded toward zero to 4 decimals: `1.2345 ETH`, `+0.5 ETH` when signed.

    Exact integer arithmetic (no floats): the exact wei is shown beside it on hover.
    """
    value = int(wei)
    sign = "-" if value < 0 else ("+" if signed and value > 0 else "")
    whole, rest = divmod(abs(value), WEI_PER_ETH)
    fraction = f"{rest // 10 ** (18 - ETH_DECIMALS):0{ETH_DECIMALS}d}".rstrip("0")
    number = f"{whole:,}" + (f".{fraction}" if fraction else "")
    return f"{sign}{number} ETH"


def wei_title(wei: int | str) -> str:
    """The hover text of an amount: its exact value in wei."""
    return f"{int(wei):,} wei"


def short_wallet(wallet: str) -> str:
    """`0x5B38…ddC4`: enough to tell wallets apart at a glance."""
    return f"{wallet[:6]}…{wallet[-4:]}"


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime) -> str:
    """The machine-readable time of a `<time datetime>` (the script shows it locally)."""
    return utc(value).isoformat().replace("+00:00", "Z")


def human_time(value: datetime) -> str:
    """The time as shown without script: UTC, to the minute."""
    return utc(value).strftime("%Y-%m-%d %H:%M UTC")


def duration(seconds: float) -> str:
    """`2d 3h`, `3h 12m`, `12m`, `< 1m`: the two largest units."""
    total = int(seconds)
    if total < 60:
        return "< 1m"
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    parts = [(days, "d"), (hours, "h"), (minutes, "m")]
    while parts and parts[0][0] == 0:
        parts.pop(0)
    return " ".join(f"{n}{unit}" for n, unit in parts[:2] if n) or "< 1m"


def percent_bps(bps: int) -> str:
    """Basis points as a percentage: 500 -> `5%`, 1250 -> `12.5%`."""
    whole, rest = divmod(bps, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + "%"
