"""docs/deploy.md's table of deploy role options says what the suite manifest grants."""

from __future__ import annotations

import re

from domacross_sdk.suite import GRANTS
from tests.docs.markdown import ROOT


def table_grants() -> set[tuple[str, str, str]]:
    """(option, role, contract) for every contract named in a row of the roles table."""
    text = (ROOT / "docs" / "deploy.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| `--")]
    grants = set()
    for row in rows:
        option, role, contracts = (cell.strip() for cell in row.split("|")[1:4])
        for contract in re.findall(r"`(\w+)`", contracts):
            grants.add((option.strip("`").removeprefix("--"), role.strip("`"), contract))
    return grants


def test_deploy_roles_table__matches_the_manifest():
    assert table_grants() == {(r.option, r.role, contract) for r, contract in GRANTS}
