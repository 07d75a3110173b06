"""The `domacross` console script: the services' command line, or which extra it lacks.

The base install is the SDK only; the services come with extras. Run without them, the
command says which one to install instead of showing an ImportError's traceback. Imports
only the standard library until it hands over to `domacross.cli`.
"""

from __future__ import annotations

import sys

EXTRA_OF: dict[str, str] = {
    **dict.fromkeys(
        ("click", "rich", "pydantic_settings", "sqlalchemy", "alembic", "psycopg"), "indexer"
    ),
    **dict.fromkeys(
        (
            "fastapi",
            "starlette",
            "uvicorn",
            "uvloop",
            "httptools",
            "prometheus_client",
            "siwe",
            "abnf",
            "jwt",
            "cryptography",
            "limits",
            "redis",
            "cachetools",
            "jinja2",
            "fastapi_offline",
        ),
        "api",
    ),
    **dict.fromkeys(("matplotlib", "httpx", "ape", "solcx"), "demo"),
}
"""Top-level module -> the extra of `pyproject.toml` that installs it."""


def missing_extra_message(module: str) -> str | None:
    """What to install when ``module`` is missing, or None when no extra provides it."""
    extra = EXTRA_OF.get(module.split(".")[0])
    if extra is None:
        return None
    return (
        f"domacross: this command needs {module.split('.')[0]}, which is not installed; "
        f"it comes with the [{extra}] extra: pip install 'domacross[{extra}]'"
    )


def main() -> None:
    try:
        from domacross.cli import main as cli

        cli()
    except ModuleNotFoundError as err:
        message = missing_extra_message(err.name or "")
        if message is None:
            raise
        sys.exit(message)
