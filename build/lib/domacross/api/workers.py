"""What several API processes behind one port (`domacross serve --workers N`) must share.

Sign-in nonces and revoked tokens live in the database already. Two things do not:
rate-limit counters (in memory they would multiply every limit by N) and the key that
signs session tokens (a throwaway key per process would make a token from one worker
invalid on the others).
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping

from domacross.api.security import generate_private_key_pem
from domacross.settings import Settings

log = logging.getLogger("domacross.api")


def prepare_workers(settings: Settings, environ: MutableMapping[str, str]) -> None:
    """Checks `settings` for several workers and gives them one signing key.

    Raises:
        ValueError: rate limits are on but counted per process (`memory://`).
    """
    if settings.rate_limit_enabled and settings.rate_limit_storage_uri.startswith(
        ("memory://", "async+memory://")
    ):
        raise ValueError(
            "--workers needs shared rate-limit counters: set "
            "DOMACROSS_RATE_LIMIT_STORAGE_URI=redis://127.0.0.1:6379 "
            "(or DOMACROSS_RATE_LIMIT_ENABLED=false)"
        )
    if settings.jwt_private_key is None and settings.jwt_private_key_file is None:
        log.warning(
            "no DOMACROSS_JWT_PRIVATE_KEY(_FILE): the workers share a throwaway key; "
            "tokens will not survive a restart"
        )
        environ["DOMACROSS_JWT_PRIVATE_KEY"] = generate_private_key_pem().decode()
