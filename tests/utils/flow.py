"""Helpers that drive a competition through its lifecycle in tests."""

from __future__ import annotations

from domacross_sdk.prizes import Results, compute_results, distributable


def travel(chain, timestamp: int) -> None:
    """Moves the next block's time to `timestamp`, if that is in the future."""
    if timestamp > chain.pending_timestamp:
        chain.pending_timestamp = timestamp


def join(competition, *entrants) -> None:
    fee = competition.config().entryFee
    for entrant in entrants:
        competition.join(value=fee, sender=entrant)


def results_for(competition, values: dict) -> Results:
    """The results the resolver should post for final `values` (address -> wei)."""
    c = competition.config()
    pool = competition.participantCount() * c.entryFee
    return compute_results(values, list(c.payoutBps), distributable(pool, c.rakeBps))


def finalize_with(chain, competition, resolver, values: dict) -> Results:
    """Ends the competition, posts results for `values`, waits out the dispute window, finalizes."""
    c = competition.config()
    travel(chain, c.endTime)
    results = results_for(competition, values)
    competition.postResults(results.root, results.total, sender=resolver)
    travel(chain, chain.pending_timestamp + c.disputeWindow)
    competition.finalize(sender=resolver)
    return results
