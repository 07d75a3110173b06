"""Compares the database with the chain's own logs and state."""

from __future__ import annotations

from sqlalchemy import func, select

from domacross.db.models import Claim, Competition, Participant, PortfolioValue, RawEvent, User
from domacross_sdk import DomaCross, decode_logs
from domacross_sdk import events as ev


def chain_events(dc: DomaCross, to_block: int) -> list:
    """Every event of the suite and its competitions on chain, up to `to_block`."""
    addresses = [dc.addresses.factory, dc.addresses.tracker, dc.addresses.oracle]
    # The domain tokens too: their transfers become trades (the indexer follows them).
    addresses += [a for a in (dc.addresses.ownership_token, dc.addresses.fraction_token) if a]
    addresses += list(dc.factory.all_competitions())
    if dc.addresses.basket_factory is not None:
        addresses += [dc.addresses.basket_factory, *dc.basket_factory.all_baskets()]
    logs = dc.w3.eth.get_logs({"address": addresses, "fromBlock": 0, "toBlock": to_block})
    return decode_logs(logs)


def assert_db_matches_chain(sessions, dc: DomaCross, to_block: int) -> int:
    """Raw events, entrants, values and payouts in the database equal the chain's; returns
    the number of events compared."""
    chain_id = dc.chain_id
    events = chain_events(dc, to_block)
    expected = {("0x" + e.meta.transaction_hash.hex(), e.meta.log_index) for e in events}
    with sessions() as session:
        stored = set(
            session.execute(
                select(RawEvent.tx_hash, RawEvent.log_index).where(RawEvent.chain_id == chain_id)
            ).all()
        )
        count = session.scalar(
            select(func.count()).select_from(RawEvent).where(RawEvent.chain_id == chain_id)
        )
        assert count == len(stored), "duplicated raw events"
        assert stored == expected, (
            f"missing {len(expected - stored)}, extra {len(stored - expected)}"
        )
        joins = {(e.meta.address, e.account) for e in events if isinstance(e, ev.ParticipantJoined)}
        rows = set(
            session.execute(
                select(Competition.contract_address, User.wallet_address)
                .join(Participant, Participant.competition_id == Competition.id)
                .join(User, User.id == Participant.user_id)
                .where(Competition.chain_id == chain_id)
            ).all()
        )
        assert rows == joins
        values = [e for e in events if isinstance(e, ev.PortfolioValueUpdated)]
        stored_values = session.scalar(
            select(func.count())
            .select_from(PortfolioValue)
            .where(PortfolioValue.chain_id == chain_id)
        )
        assert stored_values == len(values)
        for competition, wallet in joins:
            value = session.scalar(
                select(Participant.portfolio_value)
                .join(Competition, Competition.id == Participant.competition_id)
                .join(User, User.id == Participant.user_id)
                .where(Competition.contract_address == competition, User.wallet_address == wallet)
            )
            assert value == dc.tracker.value_of(competition, wallet, block=to_block)[0]
        paid = sorted(
            (e.meta.log_index, e.amount)
            for e in events
            if isinstance(e, ev.PrizeClaimed | ev.RefundClaimed | ev.UnclaimedSwept)
        )
        stored_paid = sorted(
            session.execute(
                select(Claim.log_index, Claim.amount).where(Claim.chain_id == chain_id)
            ).all()
        )
        assert stored_paid == paid
        created = {e.competition for e in events if isinstance(e, ev.CompetitionCreated)}
        stored_created = set(
            session.scalars(
                select(Competition.contract_address).where(Competition.chain_id == chain_id)
            )
        )
        assert stored_created == created
    return len(events)
