"""The score's definition on hand-made logs: pure, exact, no chain needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domacross_sdk.scoring import Entry, Mark, Move, compute_scores

ROOT = Path(__file__).resolve().parents[2]
ZERO, A, B = "0x" + "00" * 20, "0x" + "aa" * 20, "0x" + "bb" * 20
FRACTION = "0x" + "f0" * 20
ETH = 10**18


def test_docs_scores_example__runs():
    text = (ROOT / "docs" / "scores.md").read_text()
    [block] = re.findall(r"```python\n(.*?)```", text, re.S)
    exec(compile(block, "docs/scores.md", "exec"), {})  # noqa: S102 - our own documentation


def test_fraction__first_price_is_capital_and_sub_wei_moves_stay_exact():
    moves = [Move((1, 0), FRACTION, 0, 3, ZERO, A, True)]  # 3 base units
    marks = [
        Mark((3, 0), FRACTION, 0, True, ETH),  # first price after the join: capital
        Mark((4, 0), FRACTION, 0, True, ETH + 1),  # +1 wei per 1e18 units: 3e-18 wei
    ]
    [score] = compute_scores(moves, marks, [Entry((2, 0), A)], end_block=9).values()
    assert (score.score_e18, score.score, score.first_priced_e18) == (3, 0, 3 * ETH)
    assert score.end_value_e18 - score.start_value_e18 - score.first_priced_e18 == 3


def test_moves_after_the_end_block__do_not_count():
    moves = [Move((1, 0), FRACTION, 0, ETH, ZERO, A, True)]
    marks = [Mark((1, 1), FRACTION, 0, True, ETH), Mark((10, 0), FRACTION, 0, True, 2 * ETH)]
    [score] = compute_scores(moves, marks, [Entry((2, 0), A)], end_block=9).values()
    assert score.score_e18 == 0


def test_history_read_from_too_late__refused_with_the_fix():
    moves = [Move((5, 0), FRACTION, 0, 10, A, B, True)]  # A never received any
    with pytest.raises(ValueError, match="from its deployment block"):
        compute_scores(moves, [], [Entry((2, 0), A)], end_block=9)
