"""The ``pytest11`` entry point: the fast fuzz engine's fixtures, when its extra is installed.

Installing ``domacross`` registers this plugin in every pytest run of that environment,
including a backend's own tests on the light SDK install, where pyrevm and Hypothesis
(``pip install 'domacross[fuzz]'``) are absent: then it registers nothing rather than
stopping pytest with an ImportError. With them, it is `domacross_fuzz.fixtures`.

NOTE: outside `domacross_fuzz`, whose package imports pyrevm; this module imports only
the standard library until it knows the engine is there.
"""

from __future__ import annotations

ENGINE = ("pyrevm", "hypothesis")
"""What the [fuzz] extra installs."""
MISSING: str | None = None
"""The engine's module that is not installed (None: the fixtures are registered)."""

try:
    # pytest collects fixtures and hooks from this module's attributes.
    from domacross_fuzz.fixtures import (  # noqa: F401 - registered by pytest, not called here
        fast_chain,
        fast_project,
        pytest_fixture_setup,
        pytest_runtest_call,
        pytest_runtest_teardown,
    )
except ModuleNotFoundError as err:
    if (err.name or "").split(".")[0] not in ENGINE:
        raise
    MISSING = err.name
