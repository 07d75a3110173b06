"""Rows and their encoding: event values as JSON, and idempotent bulk inserts.

A leaf module: it imports nothing of the indexer, so every projection can use it.
History rows are inserted with ON CONFLICT DO NOTHING on (chain, block, log index), so a
replayed range writes nothing twice.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from domacross.db.types import UINT256_DIGITS, Uint256

Row = dict[str, Any]


def hexstr(value: bytes) -> str:
    """Bytes as 0x-prefixed lower-case hex (how hashes are stored)."""
    return "0x" + value.hex()


def jsonable(value: Any) -> Any:
    """An event value as JSON: ints as decimal strings (exact), bytes as hex."""
    kind = type(value)
    if kind is int:  # NOTE: the common cases first, by exact type (bool is an int too)
        return str(value)
    if kind is str:
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes):
        return hexstr(value)
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
    if hasattr(value, "total_seconds"):
        return int(value.total_seconds())
    return value


_FIELDS: dict[type, tuple[str, ...]] = {}


def value_fields(cls: type) -> tuple[str, ...]:
    """The value fields of an event class (all but `meta`), listed once per class."""
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple(f.name for f in fields(cls) if f.name != "meta")
    return found


def event_args(event: object) -> dict[str, Any]:
    """An event's values as the JSON object stored in `raw_events.args`."""
    args = {}
    for name in value_fields(type(event)):
        value = getattr(event, name)
        kind = type(value)  # NOTE: the common cases inline: jsonable per value cost more
        if kind is int:
            args[name] = str(value)
        elif kind is str or kind is bool:
            args[name] = value
        else:
            args[name] = jsonable(value)
    return args


class JsonText(str):
    """A value already serialized as JSON text (exactly as `json.dumps` would): bulk
    inserts pass it to a JSON column as it is."""

    __slots__ = ()


_ESCAPE = json.encoder.encode_basestring_ascii
_ARGS_ENCODERS: dict[type, Any] = {}


def args_json(event: object) -> JsonText:
    """`json.dumps(event_args(event))`, built directly as text by an encoder compiled per
    event class: the dict and the serializer cost more per log than the decoding."""
    cls = type(event)
    encode = _ARGS_ENCODERS.get(cls)
    if encode is None:
        encode = _ARGS_ENCODERS[cls] = _args_encoder(cls, event)
    return JsonText(encode(event))


def _args_encoder(cls: type, sample: object) -> Any:
    """The encoder of `cls`'s args: one f-string. Each field whose value in `sample` is an
    exact int, str or bool is written inline, guarded by that type (an address, which is
    hex, also by being ASCII letters and digits, so it needs no escaping); any other value,
    or a guard that fails, goes through `event_args` and `json.dumps`."""
    names = value_fields(cls)
    abi_types = getattr(cls, "ABI_TYPES", ())
    addresses = (
        {n for n, t in zip(names, abi_types, strict=True) if t == "address"}
        if len(abi_types) == len(names)
        else set()
    )
    guards: list[str] = []
    parts: list[str] = []
    for i, name in enumerate(names):
        kind = type(getattr(sample, name))
        key = json.dumps(name) + ": "
        sep = "" if i == 0 else ", "
        if kind is int:
            guards.append(f"type(v{i}) is int")
            parts.append(f'{sep}{key}"{{v{i}}}"')
        elif kind is str and name in addresses:
            guards.append(f"type(v{i}) is str and v{i}.isascii() and v{i}.isalnum()")
            parts.append(f'{sep}{key}"{{v{i}}}"')
        elif kind is str:
            guards.append(f"type(v{i}) is str")
            parts.append(f"{sep}{key}{{_escape(v{i})}}")
        elif kind is bool:
            guards.append(f"type(v{i}) is bool")
            parts.append(f"{sep}{key}{{_bool[v{i}]}}")
        else:
            parts.append(f"{sep}{key}{{_dumps(_jsonable(v{i}))}}")
    reads = "".join(f"    v{i} = e.{name}\n" for i, name in enumerate(names))
    guard = " and ".join(guards) or "True"
    # NOTE: one f-string (a single BUILD_STRING), where `+` made a string per part; the
    # literal braces of the JSON object are doubled, and no part quotes (repr keeps it
    # free of the backslashes an f-string's expressions may not hold).
    body = "f" + repr("{{" + "".join(parts) + "}}") if names else "'{}'"
    source = (
        f"def encode(e):\n{reads}"
        f"    if {guard}:\n        return {body}\n"
        "    return _dumps(_event_args(e))\n"
    )
    scope: dict[str, Any] = {
        "_bool": ("false", "true"),
        "_escape": _ESCAPE,
        "_dumps": json.dumps,
        "_jsonable": jsonable,
        "_event_args": event_args,
    }
    # NOTE: the source is built from the class's own field names (identifiers), never input.
    exec(compile(source, f"<args of {cls.__name__}>", "exec"), scope)  # noqa: S102
    return scope["encode"]


def insert_ignore(session: Session, table: Table, rows: list[Row]) -> None:
    """Inserts rows, skipping those whose unique event key already exists."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(table).on_conflict_do_nothing(), rows)


def upsert(session: Session, table: Table, rows: list[Row], keys: list[str]) -> None:
    """Inserts rows, or sets every other column where a row with the same `keys` (its
    primary key) exists: one statement for all, where `session.merge` read each first."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    changed = {c: insert.excluded[c] for c in rows[0] if c not in keys}
    session.execute(insert.on_conflict_do_update(index_elements=keys, set_=changed), rows)


_BULK: dict[tuple[str, str, tuple[str, ...]], tuple[str, list[Any], bool]] = {}


def _bulk_statement(
    session: Session, table: Table, columns: tuple[str, ...]
) -> tuple[str, list[Any], bool]:
    """(SQL, one bind processor per column, positional?) of INSERT .. ON CONFLICT DO
    NOTHING of `columns` into `table`, compiled once per dialect."""
    dialect = session.get_bind().dialect
    key = (table.name, dialect.name, columns)
    found = _BULK.get(key)
    if found is None:
        insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        compiled = (
            insert(table)
            .on_conflict_do_nothing()
            .compile(dialect=dialect, column_keys=list(columns))
        )
        positional = bool(compiled.positional)
        order = list(compiled.positiontup or []) if positional else list(columns)
        if sorted(order) != sorted(columns):
            raise RuntimeError(f"unexpected parameters {order} for {table.name}")
        processors = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in order
        ]
        found = (compiled.string, [order, processors], positional)
        _BULK[key] = found
    return found


def bulk_insert_ignore(session: Session, table: Table, rows: list[Row]) -> None:
    """`insert_ignore` of many rows of one shape, straight to the driver's executemany: the
    statement is compiled once and each value goes through its column's own bind processor
    (what SQLAlchemy does per row, minus its per-row bookkeeping, which cost more than the
    database's own work on a backfill). Rows must name every column that has a default."""
    if rows:
        bulk_insert_columns(session, table, {name: [row[name] for row in rows] for name in rows[0]})


Columns = dict[str, list[Any]]
"""Rows by column: each column's values, in row order (all of one length)."""


def bulk_insert_columns(session: Session, table: Table, columns: Columns) -> None:
    """`bulk_insert_ignore` of rows given column by column, as a projection that gathers a
    range's events in batches builds them: no dict per row."""
    count = len(next(iter(columns.values()), []))
    if not count:
        return
    if any(len(values) != count for values in columns.values()):
        raise ValueError(f"columns of {table.name} differ in length")
    missing = [
        c.name
        for c in table.columns
        if c.name not in columns and (c.default is not None and not c.primary_key)
    ]
    if missing:
        # NOTE: SQLAlchemy serializes JSON columns itself: pre-serialized text goes back.
        rows = [
            {
                k: json.loads(v) if type(v) is JsonText else v
                for k, v in zip(columns, row, strict=True)
            }
            for row in zip(*columns.values(), strict=True)
        ]
        insert_ignore(session, table, rows)
        return
    sql, (order, processors), positional = _bulk_statement(session, table, tuple(columns))
    postgres = session.get_bind().dialect.name == "postgresql"
    # A list comprehension per column is far cheaper than a generator per row; a block's
    # timestamp recurs on every row of the block, and a boolean is one of two: each
    # distinct value processed once.
    values: list[list[Any]] = []
    for name, process in zip(order, processors, strict=True):
        column = columns[name]
        kind = table.c[name].type
        if isinstance(kind, Uint256):
            column = _uint256_column(column, postgres)
        elif isinstance(kind, JSON) and (postgres or type(column[0]) is JsonText):
            # NOTE: the JSON text as SQLAlchemy's processor would make it (json.dumps), once:
            # on PostgreSQL the processor wraps each value for psycopg to serialize, at
            # several times the cost; `JsonText` values are that text already.
            column = [v if type(v) is JsonText or v is None else json.dumps(v) for v in column]
        elif process is not None:
            if isinstance(column[0], datetime) or type(column[0]) is bool:
                # Equal values process alike (1 and True included): each distinct one once.
                memo = {v: process(v) for v in set(column)}
                column = [memo[v] for v in column]
            else:
                column = [process(v) for v in column]
        values.append(column)
    if postgres:
        _copy_ignore(session, table, order, values)
        return
    params: list[Any] = (
        list(zip(*values, strict=True))
        if positional
        else [dict(zip(order, row, strict=True)) for row in zip(*values, strict=True)]
    )
    session.connection().exec_driver_sql(sql, params)


def _uint256_column(column: list[Any], postgres: bool) -> list[Any]:
    """`Uint256`'s bind processing of a whole column: one range check (min and max), then
    the digits SQLite stores (PostgreSQL takes the ints)."""
    present = [v for v in column if v is not None]
    if present and (min(present) < 0 or max(present) >= 2**256):
        bad = next(v for v in present if not 0 <= v < 2**256)
        raise ValueError(f"not a uint256: {bad}")
    if postgres:
        return [None if v is None else int(v) for v in column]
    # NOTE: zfill, not a format spec: a quarter of the cost per value (two columns a price).
    return [None if v is None else str(int(v)).zfill(UINT256_DIGITS) for v in column]


def _copy_ignore(
    session: Session, table: Table, columns: list[str], values: list[list[Any]]
) -> None:
    """PostgreSQL: COPY straight into the table inside a savepoint; when a row already
    exists (a replayed range), the savepoint is rolled back and the rows go through a
    temporary table of the transaction and one INSERT .. SELECT .. ON CONFLICT DO NOTHING
    (COPY alone cannot skip existing rows). executemany sent one statement per row: on a
    backfill it took most of the time; the direct COPY halves the server's work again."""
    from psycopg.errors import UniqueViolation

    names = ", ".join(columns)
    raw = session.connection().connection.driver_connection
    data = copy_text(values)
    rows = list(zip(*values, strict=True)) if data is None else []

    def send(copy: Any) -> None:
        if data is not None:
            copy.write(data)
            return
        for row in rows:
            copy.write_row(row)

    with raw.cursor() as cursor:  # type: ignore[union-attr]
        try:
            # NOTE: the names are our own tables' and columns', never input.
            direct = f"COPY {table.name} ({names}) FROM STDIN"
            with raw.transaction(), cursor.copy(direct) as copy:  # type: ignore[union-attr]
                send(copy)
            return
        except UniqueViolation:
            pass
        stage = f"stage_{table.name}"
        create = f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS SELECT "
        create += f"{names} FROM {table.name} WITH NO DATA"
        move = f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {stage} "  # noqa: S608
        move += "ON CONFLICT DO NOTHING"
        cursor.execute(create)
        with cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
            send(copy)
        cursor.execute(move)
        cursor.execute(f"TRUNCATE {stage}")


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_column(column: list[Any]) -> list[str] | None:
    """One column in COPY's text format (NULL as \\N), or None when it holds a type this
    does not write (its values then go through psycopg's own dumpers)."""
    present = [v for v in column if v is not None]
    if not present:
        return ["\\N"] * len(column)
    first = present[0]
    if type(first) is bool or type(first) is int:
        if any(type(v) is not type(first) for v in present):
            return None
        if type(first) is bool:
            return ["\\N" if v is None else "t" if v else "f" for v in column]
        return ["\\N" if v is None else str(v) for v in column]
    if isinstance(first, str):
        if not all(isinstance(v, str) for v in present):
            return None
        # NOTE: hashes, addresses and JSON text (ASCII, `args_json`) need no escaping;
        # one scan of the whole column tells (`in` on one character is a memchr).
        joined = "".join(present)
        if any(special in joined for special in "\\\t\n\r"):
            return ["\\N" if v is None else v.translate(_COPY_ESCAPES) for v in column]
        return (
            column if len(present) == len(column) else ["\\N" if v is None else v for v in column]
        )
    if isinstance(first, datetime):
        if not all(isinstance(v, datetime) and v.tzinfo is not None for v in present):
            return None
        memo = {v: v.isoformat() for v in set(present)}  # a block's time recurs per row
        return ["\\N" if v is None else memo[v] for v in column]
    return None


def copy_text(values: list[list[Any]]) -> bytes | None:
    """Rows given column by column as one COPY FROM STDIN text-format payload, or None if a
    column holds a type this does not write.

    NOTE: the backfill's PostgreSQL hot path: psycopg's `write_row` cost ~4 µs a row in
    Python (a dumper looked up per value), as much as the server's insert; whole columns
    formatted at once cost a fraction of it.
    """
    texts = []
    for column in values:
        text = _copy_column(column)
        if text is None:
            return None
        texts.append(text)
    lines = ["\t".join(row) for row in zip(*texts, strict=True)]
    lines.append("")
    return "\n".join(lines).encode()
