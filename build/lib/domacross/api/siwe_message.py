"""A bounded EIP-4361 reader: the message is split into its lines and each line is matched
against its fixed prefix, so the work is linear in the message and capped by its length.

NOTE: the `siwe` library's ABNF parser is superlinear (a 4 KB message cost seconds of
CPU: a cheap denial of service on `/auth/verify`). Fields read here are still validated
by `siwe.SiweMessage` (pydantic), and the message must be in the canonical form that
`SiweMessage.prepare_message()` writes, so the signed text is exactly the checked one.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

with warnings.catch_warnings():
    # NOTE: siwe's grammar redefines RFC 5234 core rules; abnf 2.8 warns, 2.9 refuses
    # (hence the `abnf<2.9` pin).
    warnings.simplefilter("ignore")
    import siwe  # type: ignore[import-untyped]

MAX_MESSAGE_CHARS = 4_096
MAX_LINES = 64
"""A message has 9 to 15 lines plus one per resource."""
HEADER = re.compile(
    r"(?:([a-zA-Z][a-zA-Z0-9+.-]{0,31})://)?([^/?#\s]{1,255})"
    r" wants you to sign in with your Ethereum account:"
)
ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
REQUIRED = (
    ("uri", "URI: "),
    ("version", "Version: "),
    ("chain_id", "Chain ID: "),
    ("nonce", "Nonce: "),
    ("issued_at", "Issued At: "),
)
OPTIONAL = (
    ("expiration_time", "Expiration Time: "),
    ("not_before", "Not Before: "),
    ("request_id", "Request ID: "),
)


class MessageShapeError(ValueError):
    """The text is not an EIP-4361 message (the reason says which part)."""


def read_message(message: str) -> siwe.SiweMessage:
    """The EIP-4361 message in `message`.

    Raises:
        MessageShapeError: too long, a line out of place, a field that does not validate,
            or not the canonical text of its fields.
    """
    if len(message) > MAX_MESSAGE_CHARS:
        raise MessageShapeError(f"longer than {MAX_MESSAGE_CHARS} characters")
    if message.count("\n") >= MAX_LINES:
        raise MessageShapeError(f"more than {MAX_LINES} lines")
    if not message.isascii():
        raise MessageShapeError("must be ASCII (a domain in punycode, URIs percent-encoded)")
    lines = message.split("\n")
    if not all(line.isprintable() for line in lines):
        raise MessageShapeError("control characters are not allowed")
    if len(lines) < 9:
        raise MessageShapeError("too few lines")
    header = HEADER.fullmatch(lines[0])
    if header is None:
        raise MessageShapeError("first line must be '<domain> wants you to sign in ...'")
    if ADDRESS.fullmatch(lines[1]) is None or lines[2] != "" or lines[4] != "":
        raise MessageShapeError("second line must be the address, then a blank line")
    fields: dict[str, Any] = {
        "scheme": header.group(1),
        "domain": header.group(2),
        "address": lines[1],
        "statement": lines[3] or None,
    }
    rest = iter(lines[5:])
    line = next(rest, None)
    for name, prefix in REQUIRED:
        if line is None or not line.startswith(prefix):
            raise MessageShapeError(f"expected the '{prefix.strip()}' line")
        fields[name] = line[len(prefix) :]
        line = next(rest, None)
    for name, prefix in OPTIONAL:
        if line is not None and line.startswith(prefix):
            fields[name] = line[len(prefix) :]
            line = next(rest, None)
    if line == "Resources:":
        fields["resources"] = resources = []
        for item in rest:
            if not item.startswith("- "):
                raise MessageShapeError("each resource line must start with '- '")
            resources.append(item[2:])
    elif line is not None:
        raise MessageShapeError(f"unexpected line {line[:40]!r}")
    if not fields["chain_id"].isascii() or not fields["chain_id"].isdigit():
        raise MessageShapeError("Chain ID must be a decimal number")
    if len(fields["chain_id"]) > 20:
        raise MessageShapeError("Chain ID is too large")
    try:
        parsed = siwe.SiweMessage(**fields)
    except Exception as exc:  # pydantic's ValidationError, ValueError of a date
        raise MessageShapeError(str(exc).splitlines()[0]) from exc
    if parsed.prepare_message() != message:
        raise MessageShapeError("not in canonical EIP-4361 form")
    return parsed
