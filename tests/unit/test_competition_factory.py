"""CompetitionFactory: creation, registry, roles, limits; every custom error."""

from __future__ import annotations

import ape
import pytest
from eth_utils import to_checksum_address

from tests.utils.constants import DAY, DISPUTE_WINDOW, ETH, HOUR, LIMITS, MIN_CLAIM_PERIOD

ZERO = "0x0000000000000000000000000000000000000000"


def test_create__emits_whole_config_and_registers(factory, owner, make_params, project):
    params = make_params()
    tx = factory.createCompetition(params, sender=owner)
    [log] = tx.decode_logs(factory.CompetitionCreated)
    assert (log.organizer, log.index, log.disputeWindow) == (owner, 0, DISPUTE_WINDOW)
    # Struct fields in events decode as a tuple, in CompetitionParams order.
    assert list(log.params[:6]) == [params[k] for k in list(params)[:6]]
    addresses = [to_checksum_address(a) for a in log.params[6:9]]
    assert addresses == [params["oracle"], params["tracker"], params["treasury"]]
    assert list(log.params[9]) == params["payoutBps"]
    assert factory.competitionCount() == 1
    assert factory.competitionAt(0) == log.competition
    assert factory.isCompetition(log.competition)
    assert not factory.isCompetition(owner)
    assert project.Competition.at(log.competition).config().endTime == params["endTime"]


def test_competitions__pages_through_registry(factory, owner, make_params):
    created = [
        factory.createCompetition(make_params(), sender=owner)
        .decode_logs(factory.CompetitionCreated)[0]
        .competition
        for _ in range(3)
    ]
    assert factory.competitions(0, 2) == created[:2]
    assert factory.competitions(2, 10) == created[2:]
    assert factory.competitions(5, 10) == []


def test_create__restricted__stranger_reverts_until_open(factory, owner, stranger, make_params):
    with ape.reverts(
        factory.AccessControlUnauthorizedAccount,
        account=stranger,
        neededRole=factory.ORGANIZER_ROLE(),
    ):
        factory.createCompetition(make_params(), sender=stranger)
    tx = factory.setOpenCreation(True, sender=owner)
    assert tx.decode_logs(factory.OpenCreationUpdated)[0].open
    assert factory.openCreation()
    factory.createCompetition(make_params(), sender=stranger)


def test_create__paused__reverts(factory, guardian, owner, make_params):
    factory.pause(sender=guardian)
    with ape.reverts(factory.EnforcedPause):
        factory.createCompetition(make_params(), sender=owner)
    factory.unpause(sender=owner)
    factory.createCompetition(make_params(), sender=owner)


def test_pause__stranger__reverts(factory, stranger):
    with ape.reverts(factory.AccessControlUnauthorizedAccount):
        factory.pause(sender=stranger)


def test_unpause__guardian__reverts(factory, guardian):
    factory.pause(sender=guardian)
    with ape.reverts(factory.AccessControlUnauthorizedAccount):
        factory.unpause(sender=guardian)


def test_create__start_not_before_end__reverts(factory, owner, make_params, chain):
    start = chain.pending_timestamp + 100
    with ape.reverts(factory.FactoryInvalidTimeWindow, startTime=start, endTime=start):
        factory.createCompetition(make_params(start=start, end=start), sender=owner)


def test_create__start_in_past__reverts(factory, owner, make_params, chain):
    start = chain.pending_timestamp - 1
    with ape.reverts(factory.FactoryStartInPast, startTime=start):
        factory.createCompetition(make_params(start=start), sender=owner)


@pytest.mark.parametrize("duration", [HOUR - 1, 30 * DAY + 1])
def test_create__duration_out_of_bounds__reverts(factory, owner, make_params, chain, duration):
    start = chain.pending_timestamp + 100
    with ape.reverts(
        factory.FactoryDurationOutOfBounds,
        duration=duration,
        minDuration=HOUR,
        maxDuration=30 * DAY,
    ):
        factory.createCompetition(make_params(start=start, end=start + duration), sender=owner)


def test_create__entry_fee_above_max__reverts(factory, owner, make_params):
    fee = 100 * ETH + 1
    with ape.reverts(factory.FactoryEntryFeeOutOfBounds, entryFee=fee, maxEntryFee=100 * ETH):
        factory.createCompetition(make_params(entryFee=fee), sender=owner)


def test_create__entry_fee_below_min__reverts(factory, owner, make_params):
    limits = list(LIMITS)
    limits[4] = ETH  # minEntryFee
    factory.setLimits(limits, sender=owner)
    with ape.reverts(factory.FactoryEntryFeeOutOfBounds, entryFee=ETH - 1, minEntryFee=ETH):
        factory.createCompetition(make_params(entryFee=ETH - 1), sender=owner)


@pytest.mark.parametrize("schedule", [[], [5_000, 4_999], [5_001, 5_000]])
def test_create__schedule_not_10000__reverts(factory, owner, make_params, schedule):
    with ape.reverts(
        factory.FactoryInvalidPayoutSchedule, ranks=len(schedule), sumBps=sum(schedule)
    ):
        factory.createCompetition(make_params(payoutBps=schedule), sender=owner)


def test_create__zero_rank__reverts(factory, owner, make_params):
    with ape.reverts(factory.FactoryZeroPayoutRank, rank=1):
        factory.createCompetition(make_params(payoutBps=[10_000, 0]), sender=owner)


def test_create__increasing_schedule__reverts(factory, owner, make_params):
    with ape.reverts(factory.FactoryPayoutNotDescending, rank=1):
        factory.createCompetition(make_params(payoutBps=[4_000, 6_000]), sender=owner)


def test_create__too_many_ranks__reverts(factory, owner, make_params):
    schedule = [1_000] * 10 + [0]
    with ape.reverts(factory.FactoryTooManyPayoutRanks, ranks=11, maxPayoutRanks=10):
        factory.createCompetition(make_params(payoutBps=schedule), sender=owner)


def test_create__rake_above_cap__reverts(factory, owner, make_params):
    with ape.reverts(factory.FactoryRakeTooHigh, rakeBps=1_001, maxRakeBps=1_000):
        factory.createCompetition(make_params(rakeBps=1_001), sender=owner)


def test_create__zero_max_participants__reverts(factory, owner, make_params):
    with ape.reverts(factory.FactoryZeroMaxParticipants):
        factory.createCompetition(make_params(maxParticipants=0), sender=owner)


def test_create__claim_deadline_too_early__reverts(factory, owner, make_params, chain):
    start = chain.pending_timestamp + 100
    earliest = start + DAY + DISPUTE_WINDOW + MIN_CLAIM_PERIOD
    with ape.reverts(
        factory.FactoryClaimDeadlineTooEarly, claimDeadline=earliest - 1, earliest=earliest
    ):
        factory.createCompetition(
            make_params(start=start, claimDeadline=earliest - 1), sender=owner
        )


@pytest.mark.parametrize("field", ["oracle", "tracker", "treasury"])
def test_create__zero_address__reverts(factory, owner, make_params, field):
    with ape.reverts(factory.FactoryZeroAddress, field=field):
        factory.createCompetition(make_params(**{field: ZERO}), sender=owner)


def test_set_limits__admin__stored_and_emitted(factory, owner):
    limits = list(LIMITS)
    limits[6] = 200
    tx = factory.setLimits(limits, sender=owner)
    assert factory.limits().maxRakeBps == 200
    assert list(tx.decode_logs(factory.LimitsUpdated)[0].limits) == limits


@pytest.mark.parametrize(
    ("index", "value"),
    [(0, 0), (0, 31 * DAY), (4, 101 * ETH), (6, 5_001), (7, 0), (7, 101)],
)
def test_set_limits__inconsistent__reverts(factory, owner, index, value):
    limits = list(LIMITS)
    limits[index] = value
    with ape.reverts(factory.FactoryInvalidLimits):
        factory.setLimits(limits, sender=owner)


def test_set_limits__not_admin__reverts(factory, guardian):
    with ape.reverts(factory.AccessControlUnauthorizedAccount):
        factory.setLimits(LIMITS, sender=guardian)


def test_constructor__invalid_limits__reverts(project, owner):
    limits = list(LIMITS)
    limits[0] = 0
    with ape.reverts(project.CompetitionFactory.FactoryInvalidLimits):
        project.CompetitionFactory.deploy(owner, limits, sender=owner)


def test_is_competition__forged_clone_and_others__false(
    project, factory, owner, make_competition, oracle, stranger
):
    real = make_competition()
    cloner = project.MockCloner.deploy(sender=owner)
    forged = (
        cloner.cloneLike(factory.implementation(), real, sender=owner)
        .decode_logs(cloner.Cloned)[0]
        .clone
    )
    assert project.Competition.at(forged).config().index == real.config().index
    assert factory.isCompetition(real)
    assert not factory.isCompetition(forged)
    assert not factory.isCompetition(factory.implementation())
    assert not factory.isCompetition(oracle)
    assert not factory.isCompetition(stranger)


def test_config__carries_registry_index(make_competition):
    assert [make_competition().config().index for _ in range(2)] == [0, 1]
