"""Writes the committed OpenAPI schema: `python -m domacross.api.openapi docs/openapi.json`
(`make openapi`). A test fails when the file drifts from the app."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from domacross.api.main import create_app
from domacross.api.security import generate_private_key_pem
from domacross.settings import Settings

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def schema() -> dict[str, Any]:
    """The app's schema (no database is opened: engines connect lazily)."""
    settings = Settings(
        database_url="sqlite://", jwt_private_key=SecretStr(generate_private_key_pem().decode())
    )
    return create_app(settings).openapi()


def render() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render())
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
