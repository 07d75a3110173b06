"""What the admin scripts read from files: competition specs (YAML/JSON) and price CSVs.

Everything here is checked before anything is sent: a spec is a pydantic model whose
errors name the bad field; a price file is read whole, and any bad row stops the run.

Amounts are wei (``100000``) or a decimal with a unit (``"0.1 ether"``, ``"20 gwei"``);
times are ISO 8601 with a timezone (``2026-05-01T12:00:00Z``) or relative to the chain's
current time (``"+5m"``, ``"+1d12h"``; units s, m, h, d, w).
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from eth_utils.address import is_address, is_checksum_address, to_checksum_address
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from domacross_deploy.session import ScriptError
from domacross_sdk.generated.structs import CompetitionParams
from domacross_sdk.units import BPS

if TYPE_CHECKING:
    from domacross_sdk.generated.structs import Limits

UNITS = {"wei": 0, "gwei": 9, "ether": 18, "eth": 18}
_AMOUNT = re.compile(r"^([0-9][0-9_]*(?:\.[0-9_]+)?(?:e[0-9]+)?)\s*(\S*)$", re.IGNORECASE)
_RELATIVE = re.compile(r"^\+((?:[0-9]+[smhdw])+)$")
_RELATIVE_PART = re.compile(r"([0-9]+)([smhdw])")
_SECONDS = {"s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800}
UINT32_MAX = 2**32 - 1
UINT128_MAX = 2**128 - 1
UINT192_MAX = 2**192 - 1
UINT256_MAX = 2**256 - 1


class SpecError(ScriptError, ValueError):
    """A spec or price file is invalid; the message names every bad field or row."""


# --------------------------------------------------------------------------------------------
# Values


def parse_wei(value: object) -> int:
    """An amount in wei from an int or a string: ``"100"``, ``"0.1 ether"``, ``"20 gwei"``.

    Raises:
        ValueError: not a non-negative amount, an unknown unit, or a fraction of a wei.
    """
    if isinstance(value, bool):  # YAML `yes`/`true` would otherwise pass as 1
        raise ValueError(f"expected an amount, got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"amount must not be negative: {value}")
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected wei (an integer) or a string like '0.1 ether', got {value!r}")
    match = _AMOUNT.match(value.strip())
    if match is None:
        raise ValueError(f"not an amount: {value!r} (e.g. 100000, '0.1 ether', '20 gwei')")
    number, unit = match.group(1).replace("_", ""), match.group(2).lower()
    if unit and unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r} in {value!r}: use wei, gwei or ether")
    if not unit and not number.isdigit():
        raise ValueError(f"{value!r} is not a whole number of wei: add a unit ('{value} ether')")
    try:
        wei = Decimal(number) * (10 ** UNITS[unit or "wei"])
    except InvalidOperation as err:
        raise ValueError(f"not an amount: {value!r}") from err
    if wei != wei.to_integral_value():
        raise ValueError(f"{value!r} is not a whole number of wei")
    return int(wei)


def parse_when(value: object) -> datetime | timedelta:
    """An absolute time (aware datetime) or an offset from the chain's time (timedelta).

    Raises:
        ValueError: not ISO 8601 with a timezone, nor ``+<n><unit>...``.
    """
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, date):
        raise ValueError(f"{value} has no time of day: write e.g. {value}T12:00:00Z")
    elif isinstance(value, str):
        text = value.strip()
        if match := _RELATIVE.match(text):
            seconds = sum(int(n) * _SECONDS[u] for n, u in _RELATIVE_PART.findall(match.group(1)))
            return timedelta(seconds=seconds)
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"{value!r} is neither an ISO 8601 time (2026-05-01T12:00:00Z) nor relative "
                "to now ('+5m', '+1d12h'; units s m h d w)"
            ) from None
    else:
        raise ValueError(f"expected a time ('+1d' or 2026-05-01T12:00:00Z), got {value!r}")
    if when.tzinfo is None:
        shown = repr(when.isoformat()) if isinstance(value, datetime) else repr(value)
        raise ValueError(f"{shown} has no timezone: add Z (UTC) or an offset like +02:00")
    return when.astimezone(UTC)


def parse_address(value: object) -> str:
    """A checksummed address; lowercase and uppercase hex are accepted, a bad checksum is not."""
    if not isinstance(value, str) or not is_address(value):
        raise ValueError(f"not an address: {value!r}")
    if value != value.lower() and value[2:] != value[2:].upper() and not is_checksum_address(value):
        raise ValueError(f"{value} has a wrong EIP-55 checksum (a typo?)")
    return to_checksum_address(value)


def format_wei(wei: int) -> str:
    """``100000000000000000 (0.1 ether)``."""
    if wei == 0:
        return "0"
    ether = Decimal(wei) / Decimal(10**18)
    return f"{wei} ({ether.normalize():f} ether)"


def format_delta(delta: timedelta) -> str:
    """``1d 02h 03m 04s`` (no sign)."""
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    return (f"{days}d " if days else "") + f"{hours:02d}h {minutes:02d}m {seconds:02d}s"


def format_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------------
# Competition spec


Wei = Annotated[int, BeforeValidator(parse_wei)]
When = Annotated[datetime | timedelta, BeforeValidator(parse_when)]
Address = Annotated[str, BeforeValidator(parse_address)]


class CompetitionSpec(BaseModel):
    """A competition to create, as written in a YAML or JSON file (see examples/)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: When
    """When entry opens: ISO 8601 with a timezone, or relative to the chain's time ("+5m")."""
    end: When
    """When the competition ends (same forms as ``start``)."""
    claim_deadline: When
    """Last time winners may claim; at least ``end`` + dispute window + minimum claim period."""
    entry_fee: Wei
    """Exact entry fee: wei, or "0.1 ether"."""
    max_participants: int = Field(ge=1, le=UINT32_MAX)
    """Most entrants."""
    rake_bps: int = Field(ge=0, le=BPS)
    """Treasury's share of the pool in basis points."""
    payout_bps: list[int] = Field(min_length=1)
    """Share of the pool after rake per rank, first rank first: positive, non-increasing,
    summing to 10,000."""
    treasury: Address | None = None
    """Receives the rake and what is swept; defaults to the signing account."""

    @field_validator("entry_fee")
    @classmethod
    def _fee_fits(cls, fee: int) -> int:
        if fee > UINT128_MAX:
            raise ValueError("entry fee does not fit in uint128")
        return fee

    @field_validator("payout_bps")
    @classmethod
    def _schedule(cls, bps: list[int]) -> list[int]:
        for rank, share in enumerate(bps):
            if share <= 0:
                raise ValueError(f"rank {rank} has share {share}: every share must be positive")
        for rank, (a, b) in enumerate(itertools.pairwise(bps), start=1):
            if b > a:
                raise ValueError(f"rank {rank} pays more than rank {rank - 1}: {b} > {a}")
        if sum(bps) != BPS:
            raise ValueError(f"shares sum to {sum(bps)}, not {BPS}")
        return bps

    def resolve(self, now: datetime) -> tuple[datetime, datetime, datetime]:
        """Start, end and claim deadline as UTC times, relative ones counted from ``now``."""

        def at(when: datetime | timedelta) -> datetime:
            return now + when if isinstance(when, timedelta) else when

        return at(self.start), at(self.end), at(self.claim_deadline)

    def params(
        self, now: datetime, *, oracle: str, tracker: str, default_treasury: str
    ) -> CompetitionParams:
        """The factory's ``CompetitionParams``."""
        start, end, deadline = self.resolve(now)
        return CompetitionParams(
            start_time=start,
            end_time=end,
            claim_deadline=deadline,
            entry_fee=self.entry_fee,
            max_participants=self.max_participants,
            rake_bps=self.rake_bps,
            oracle=to_checksum_address(oracle),
            tracker=to_checksum_address(tracker),
            treasury=to_checksum_address(self.treasury or default_treasury),
            payout_bps=tuple(self.payout_bps),
        )


def load_spec(path: Path) -> CompetitionSpec:
    """Reads and validates a spec (``.yaml``/``.yml`` or ``.json``).

    Raises:
        SpecError: unreadable, not a mapping, or invalid; every bad field is named.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise SpecError(f"cannot read {path}: {err.strerror}") from err
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except ValueError as err:
            raise SpecError(f"{path} is not valid JSON: {err}") from err
    else:
        # NOTE: PyYAML (from Ape) ships no types; what it returns is checked below.
        import yaml  # type: ignore[import-untyped]

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise SpecError(f"{path} is not valid YAML: {err}") from err
    if not isinstance(data, dict):
        raise SpecError(f"{path} must hold a mapping of fields (see examples/competition.yaml)")
    try:
        return CompetitionSpec.model_validate(data)
    except ValidationError as err:
        raise SpecError(_spec_errors(path, err)) from None


def _spec_errors(path: Path, err: ValidationError) -> str:
    fields = list(CompetitionSpec.model_fields)
    lines = []
    for e in err.errors():
        field = ".".join(str(p) for p in e["loc"]) or "(spec)"
        if e["type"] == "extra_forbidden":
            message = f"unknown field (fields: {', '.join(fields)})"
        elif e["type"] == "missing":
            message = "missing"
        else:
            message = str(e["msg"]).removeprefix("Value error, ")
        lines.append(f"  {field}: {message}")
    return f"{path}: invalid competition spec\n" + "\n".join(lines)


def check_limits(params: CompetitionParams, limits: Limits, now: datetime) -> list[str]:
    """What the factory would refuse, as ``field: reason`` lines (empty when all is well).

    The same checks as ``CompetitionFactory._validate`` against its current ``limits()``.
    """
    problems = []
    start, end, deadline = params.start_time, params.end_time, params.claim_deadline
    if start < now:
        problems.append(
            f"start: {format_time(start)} is in the past (chain time {format_time(now)})"
        )
    if start >= end:
        problems.append(f"end: {format_time(end)} is not after start {format_time(start)}")
    else:
        duration = end - start
        if not limits.min_duration <= duration <= limits.max_duration:
            problems.append(
                f"end: the competition lasts {format_delta(duration)}; the factory allows "
                f"{format_delta(limits.min_duration)} to {format_delta(limits.max_duration)}"
            )
    earliest = end + limits.dispute_window + limits.min_claim_period
    if deadline < earliest:
        problems.append(
            f"claim_deadline: {format_time(deadline)} is before {format_time(earliest)} (end + "
            f"dispute window {format_delta(limits.dispute_window)} + minimum claim period "
            f"{format_delta(limits.min_claim_period)})"
        )
    if not limits.min_entry_fee <= params.entry_fee <= limits.max_entry_fee:
        problems.append(
            f"entry_fee: {format_wei(params.entry_fee)} is outside the factory's "
            f"[{format_wei(limits.min_entry_fee)}, {format_wei(limits.max_entry_fee)}]"
        )
    if params.rake_bps > limits.max_rake_bps:
        problems.append(f"rake_bps: {params.rake_bps} is above the maximum {limits.max_rake_bps}")
    if len(params.payout_bps) > limits.max_payout_ranks:
        problems.append(
            f"payout_bps: {len(params.payout_bps)} ranks, the factory pays at most "
            f"{limits.max_payout_ranks}"
        )
    return problems


# --------------------------------------------------------------------------------------------
# Price CSV


@dataclass(frozen=True)
class PriceRow:
    """One row of a price file."""

    line: int
    """Line number in the file (the header is line 1)."""
    token: str
    token_id: int | None
    """None for a fungible (ERC-20) token."""
    price: int
    """Wei per token (ERC-721) or per 1e18 base units (ERC-20)."""

    @property
    def fungible(self) -> bool:
        return self.token_id is None

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.token, self.token_id)


PRICE_COLUMNS = ("token", "token_id", "price")


def load_prices(path: Path) -> list[PriceRow]:
    """Reads a whole price file; any bad row is an error and nothing is returned.

    Columns ``token``, ``token_id`` (empty for a fungible token) and ``price`` (wei or
    ``"1.5 ether"``); other columns are ignored, so are empty lines and lines starting
    with ``#``.

    Raises:
        SpecError: a missing column or any bad row (every one is named with its line).
    """
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as err:
        raise SpecError(f"cannot read {path}: {err.strerror}") from err
    rows: list[PriceRow] = []
    problems: list[str] = []
    seen: dict[tuple[str, int | None], int] = {}
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise SpecError(f"{path} is empty: expected a header {','.join(PRICE_COLUMNS)}")
        names = [h.strip().lower() for h in header]
        missing = [c for c in PRICE_COLUMNS if c not in names]
        if missing:
            raise SpecError(
                f"{path}: missing column(s) {', '.join(missing)}; the header must name "
                f"{', '.join(PRICE_COLUMNS)} (found {', '.join(names) or 'nothing'})"
            )
        index = {c: names.index(c) for c in PRICE_COLUMNS}
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                continue
            try:
                row = _price_row(line, cells, index)
            except ValueError as err:
                problems.append(f"  line {line}: {err}")
                continue
            if row.key in seen:
                problems.append(f"  line {line}: same token and token_id as line {seen[row.key]}")
                continue
            seen[row.key] = line
            rows.append(row)
    if problems:
        raise SpecError(f"{path}: {len(problems)} bad row(s), nothing sent\n" + "\n".join(problems))
    if not rows:
        raise SpecError(f"{path} has no price rows")
    return rows


def _price_row(line: int, cells: list[str], index: dict[str, int]) -> PriceRow:
    def cell(name: str) -> str:
        i = index[name]
        return cells[i].strip() if i < len(cells) else ""

    try:
        token = parse_address(cell("token"))
    except ValueError as err:
        raise ValueError(f"token: {err}") from None
    raw_id = cell("token_id")
    token_id: int | None = None
    if raw_id:
        if not raw_id.isdigit() or int(raw_id) > UINT256_MAX:
            raise ValueError(f"token_id: {raw_id!r} is not a uint256 (leave it empty for ERC-20)")
        token_id = int(raw_id)
    try:
        price = parse_wei(cell("price"))
    except ValueError as err:
        raise ValueError(f"price: {err}") from None
    if price == 0:
        raise ValueError("price: 0 (the oracle refuses zero prices)")
    if price > UINT192_MAX:
        raise ValueError("price: above 2**192 - 1, the largest price the oracle stores")
    return PriceRow(line=line, token=token, token_id=token_id, price=price)


def chunks(rows: list[PriceRow], size: int) -> list[list[PriceRow]]:
    """``rows`` in consecutive chunks of at most ``size``."""
    return [rows[i : i + size] for i in range(0, len(rows), size)]
