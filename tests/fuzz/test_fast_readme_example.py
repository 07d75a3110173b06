"""The example of docs/fuzzing.md "Fast fuzzing", kept here so that it runs in `make test`."""

import pytest
from hypothesis import strategies as st

from domacross_fuzz import fast_given, reverts
from tests.utils.constants import FEE

pytestmark = pytest.mark.fuzz


@fast_given(examples=1_000, paid=st.one_of(st.just(FEE), st.integers(0, 2 * FEE)))
def test_join__fee_other_than_the_entry_fee__reverts(
    fast_chain, make_fast_competition, alice, paid
):
    competition = make_fast_competition()  # a fresh one in every example: it is cheap
    fast_chain.warp(competition.config().startTime)
    if paid == FEE:
        receipt = competition.join(value=paid, sender=alice)
        assert receipt.events[0].participantCount == 1
        assert competition.balance == FEE
    else:
        with reverts(competition.CompetitionWrongEntryFee, sent=paid, entryFee=FEE):
            competition.join(value=paid, sender=alice)
