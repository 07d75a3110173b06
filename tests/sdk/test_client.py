"""DomaCross over Ape's embedded chain: typed reads, decoded errors, domain results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domacross_sdk import (
    AssetKind,
    CompetitionParams,
    ConfigurationError,
    ContractError,
    DomaCross,
    DomaCrossError,
    Holding,
    NoSignerError,
    Status,
    contract_errors,
    events,
)
from domacross_sdk.errors import AccessControlError, OracleError
from tests.sdk.conftest import signer_of
from tests.utils.constants import DAY, ETH, FEE, PAYOUT_BPS, RAKE_BPS
from tests.utils.flow import travel

COLLECTION = "0x" + "c1" * 20


def nonce(chain, account) -> int:
    return chain.provider.web3.eth.get_transaction_count(account.address)


def test_oracle__set_price__returns_decoded_update(dc, reporter, chain):
    result = dc.oracle.set_price(COLLECTION, 7, 3 * ETH, sender=signer_of(reporter))
    [update] = result.updates
    assert isinstance(update, events.PriceUpdated)
    assert (update.token_id, update.price, update.previous_price) == (7, 3 * ETH, 0)
    assert update.reporter == reporter.address
    assert update.meta.transaction_hash == result.transaction_hash
    assert dc.oracle.price_of(COLLECTION, 7) == 3 * ETH
    price, updated_at = dc.oracle.latest_price(COLLECTION, 7)
    assert price == 3 * ETH
    assert updated_at == datetime.fromtimestamp(chain.blocks.head.timestamp, UTC)


def test_oracle__read_revert__typed_error_with_arguments(dc):
    with pytest.raises(contract_errors.OraclePriceNotSet) as info:
        dc.oracle.price_of(COLLECTION, 99)
    error = info.value
    assert (error.token, error.token_id) == (dc.w3.to_checksum_address(COLLECTION), 99)
    assert isinstance(error, OracleError)
    assert isinstance(error, LookupError)
    assert isinstance(error, DomaCrossError)


def test_write_that_would_revert__raises_before_sending(dc, stranger, chain):
    before = nonce(chain, stranger)
    with pytest.raises(contract_errors.AccessControlUnauthorizedAccount) as info:
        dc.oracle.set_price(COLLECTION, 1, ETH, sender=signer_of(stranger))
    assert info.value.account == stranger.address
    assert isinstance(info.value, AccessControlError)
    assert isinstance(info.value, PermissionError)
    assert nonce(chain, stranger) == before  # nothing was sent, no gas spent


def test_write_without_signer__no_signer_error(chain, oracle):
    bare = DomaCross.from_web3(chain.provider.web3)
    with pytest.raises(ConfigurationError, match="no oracle address"):
        _ = bare.oracle
    reader = DomaCross.from_web3(chain.provider.web3, deployment={"contracts": {}})
    with pytest.raises(ConfigurationError):
        _ = reader.factory
    from domacross_sdk.contracts.oracle import ValuationOracle

    unsigned = ValuationOracle(bare.w3, bare.sender, oracle.address)
    with pytest.raises(NoSignerError):
        unsigned.set_price(COLLECTION, 1, ETH)


def params(chain, oracle, tracker, treasury, **overrides) -> CompetitionParams:
    start = datetime.fromtimestamp(chain.pending_timestamp + 60, UTC)
    end = start + timedelta(days=1)
    values = {
        "start_time": start,
        "end_time": end,
        "claim_deadline": end + timedelta(days=3),
        "entry_fee": FEE,
        "max_participants": 10,
        "rake_bps": RAKE_BPS,
        "oracle": oracle.address,
        "tracker": tracker.address,
        "treasury": treasury.address,
        "payout_bps": tuple(PAYOUT_BPS),
    }
    values.update(overrides)
    return CompetitionParams(**values)


def test_create_competition__domain_result_and_typed_config(
    dc, chain, oracle, tracker, treasury, owner
):
    p = params(chain, oracle, tracker, treasury)
    created = dc.factory.create_competition(p)
    assert created.organizer == owner.address
    assert dc.factory.is_competition(created.competition)
    competition = dc.competition(created.competition)
    config = competition.config()
    assert (config.start_time, config.end_time, config.entry_fee) == (p.start_time, p.end_time, FEE)
    assert config.payout_bps == tuple(PAYOUT_BPS)
    assert config.dispute_window == timedelta(hours=1)
    assert competition.status() is Status.SCHEDULED
    [event] = created.events_of(events.CompetitionCreated)
    assert event.params == p
    assert list(dc.factory.all_competitions(page_size=1)) == [created.competition]


def test_join__checked_preconditions_raise_without_sending(
    dc, chain, oracle, tracker, treasury, alice
):
    competition = dc.competition(
        dc.factory.create_competition(params(chain, oracle, tracker, treasury)).competition
    )
    alice_signer = signer_of(alice)
    before = nonce(chain, alice)
    with pytest.raises(contract_errors.CompetitionNotOpen) as info:
        competition.join(sender=alice_signer)
    assert info.value.start_time == competition.config().start_time
    travel(chain, int(competition.config().start_time.timestamp()))
    chain.mine()
    with pytest.raises(contract_errors.CompetitionWrongEntryFee) as fee_info:
        competition.join(sender=alice_signer, value=FEE - 1)
    assert (fee_info.value.sent, fee_info.value.entry_fee) == (FEE - 1, FEE)
    assert nonce(chain, alice) == before
    joined = competition.join(sender=alice_signer)
    assert (joined.account, joined.fee, joined.participant_count) == (alice.address, FEE, 1)
    with pytest.raises(contract_errors.CompetitionAlreadyJoined):
        competition.join(sender=alice_signer)
    assert nonce(chain, alice) == before + 1


def test_full_lifecycle__results_from_public_data_and_claims(
    dc,
    chain,
    oracle,
    tracker,
    treasury,
    domain_token,
    registrar,
    reporter,
    updater,
    resolver,
    alice,
    bob,
):
    competition = dc.competition(
        dc.factory.create_competition(params(chain, oracle, tracker, treasury)).competition
    )
    config = competition.config()
    expiry = chain.pending_timestamp + 365 * DAY
    token = dc.ownership_token()
    for token_id, (player, price) in enumerate(((alice, 5 * ETH), (bob, 2 * ETH)), start=1):
        minted = token.mint(player.address, token_id, expiry, 1001, sender=signer_of(registrar))
        assert minted.token_id == token_id
        dc.oracle.set_price(domain_token.address, token_id, price, sender=signer_of(reporter))
    travel(chain, int(config.start_time.timestamp()))
    for player in (alice, bob):
        competition.join(sender=signer_of(player))
    # Scores are P&L at oracle prices: alice's domain rises while she holds it.
    dc.oracle.set_price(domain_token.address, 1, 6 * ETH, sender=signer_of(reporter))
    for token_id, player in enumerate((alice, bob), start=1):
        holding = Holding(
            kind=AssetKind.ERC721, token=domain_token.address, token_id=token_id, amount=1
        )
        valued = dc.tracker.update_portfolio_value(
            competition.address, player.address, [holding], sender=signer_of(updater)
        )
        assert valued.user == player.address
    assert competition.participants() == [alice.address, bob.address]
    travel(chain, int(config.end_time.timestamp()))
    results = competition.compute_results()
    posted = competition.post_results(results.root, results.total, sender=signer_of(resolver))
    assert posted.merkle_root == results.root
    travel(chain, int(posted.dispute_ends_at.timestamp()))
    finalized = competition.finalize(sender=signer_of(resolver))
    assert finalized.rake == 2 * FEE * RAKE_BPS // 10_000
    paid = competition.claim_prize(results, sender=signer_of(alice))
    assert (paid.account, paid.amount) == (alice.address, results.prizes[alice.address])
    assert results.prizes[alice.address] > results.prizes[bob.address]
    with pytest.raises(contract_errors.CompetitionNotEntrant):
        competition.claim_prize(results, sender=signer_of(alice))
    assert competition.status() is Status.FINALIZED


def test_decode_logs__every_factory_log_is_typed(dc, chain, oracle, tracker, treasury):
    dc.factory.create_competition(params(chain, oracle, tracker, treasury))
    logs = chain.provider.web3.eth.get_logs({"address": dc.factory.address, "fromBlock": 0})
    decoded = dc.decode_logs(logs)
    assert len(decoded) == len(logs)
    kinds = {type(e).__name__ for e in decoded}
    assert {"RoleGranted", "LimitsUpdated", "CompetitionCreated"} <= kinds


def test_unknown_revert_data__unknown_error():
    from domacross_sdk import decode_revert
    from domacross_sdk.errors import PanicError, RevertError, UnknownContractError

    assert isinstance(decode_revert(b"\xde\xad\xbe\xef"), UnknownContractError)
    assert isinstance(decode_revert(b""), RevertError)
    panic = decode_revert(bytes.fromhex("4e487b71") + (0x11).to_bytes(32, "big"))
    assert isinstance(panic, PanicError)
    assert panic.code == 0x11
    assert isinstance(panic, ContractError)


def test_deploy__from_shipped_bytecode(dc, owner):
    address = dc.deploy("ValuationOracle", owner.address, 3_600, 500)
    from domacross_sdk.contracts.oracle import ValuationOracle

    oracle = ValuationOracle(dc.w3, dc.sender, address)
    assert (oracle.max_age(), oracle.max_change_bps()) == (timedelta(hours=1), 500)
