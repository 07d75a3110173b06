"""The admin scripts' commands, invoked in process (click's runner) on the embedded chain of
the test session, against a suite deployed by `deploy_suite` into a temporary record."""

from __future__ import annotations

import importlib.util
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from domacross_deploy.session import Session
from domacross_deploy.suite import CONTRACT_NAMES, SuiteConfig, deploy_suite, role_id
from domacross_deploy.verify import compile_runtime, verify
from domacross_sdk import AssetKind, DomaCross, Holding, LocalSigner, Status
from domacross_sdk.deployments import PendingTx, load_record, save_record, utc_now
from tests.utils.flow import travel

ROOT = Path(__file__).parents[2]
NETWORK = "ethereum:local:test"
ETHER = 10**18


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(f"admin_{name}", ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cli


CREATE, PRICES, ROLES, PAUSE, RESULTS = (
    load_script(n) for n in ("create-competition", "set-prices", "roles", "pause", "results")
)


@pytest.fixture(scope="module")
def compiled():
    return compile_runtime([*CONTRACT_NAMES, "Competition"])


# The conftest's `guardian` and `stranger` (test accounts 7 and 9), as --account takes them.
GUARDIAN_SIGNER, STRANGER_SIGNER = "TEST::7", "TEST::9"


@pytest.fixture(scope="module")
def suite(chain, owner, guardian, tmp_path_factory, compiled):
    """The suite, deployed once per module (Ape reverts the chain after every test).

    Every role is the deployer's, as by default on a local chain; `guardian` (not an admin)
    is also given --guardian, so that what a guardian alone may do is tested.
    """
    directory = tmp_path_factory.mktemp("deployments")
    session = Session.open(chain.provider, None, directory, fresh_if_stale=True)
    guardians = (owner.address, guardian.address)
    deploy_suite(
        session, SuiteConfig(deployer=owner.address, local=True, roles={"guardian": guardians})
    )
    return session.path


@pytest.fixture
def deployed(suite, tmp_path):
    """A copy of the module's record for one test, which may change it."""
    path = tmp_path / "deployments" / suite.name
    path.parent.mkdir()
    shutil.copy(suite, path)
    return path


@pytest.fixture
def dc(chain, deployed, owner):
    signer = LocalSigner.from_key(owner.private_key)
    return DomaCross.from_web3(chain.provider.web3, deployment=deployed, signer=signer)


@pytest.fixture
def run(deployed, chain):
    """Invokes a script's command; returns the result (exit code, stdout, stderr)."""

    def invoke(cli, *args):
        runner = CliRunner(mix_stderr=False)
        argv = [*args, "--network", NETWORK, "--deployments-dir", str(deployed.parent)]
        return runner.invoke(cli, argv, catch_exceptions=False)

    return invoke


def ok(result):
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def failed(result) -> str:
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return result.stderr


def write(tmp_path, name, text) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# -- create-competition ------------------------------------------------------------------------


def test_create_competition__example_spec__config_on_chain_equals_spec(run, dc, chain, owner):
    now = chain.pending_timestamp
    out = ok(run(CREATE, "--spec", str(ROOT / "examples" / "competition.yaml")))
    address = out.strip().splitlines()[-1].removeprefix("competition: ")
    config = dc.competition(address).config()
    assert abs(config.start_time.timestamp() - (now + 300)) <= 5
    assert config.end_time - config.start_time == timedelta(days=1) - timedelta(minutes=5)
    assert config.claim_deadline - config.start_time == timedelta(days=4) - timedelta(minutes=5)
    assert config.entry_fee == ETHER // 10
    assert config.max_participants == 1_000
    assert config.rake_bps == 500
    assert config.payout_bps == (6_000, 3_000, 1_000)
    assert config.treasury == owner.address
    assert (config.oracle, config.tracker) == (dc.addresses.oracle, dc.addresses.tracker)
    assert "0.1 ether" in out


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("rake_bps: 2000", "rake_bps: 2000 is above the maximum 1000"),
        ("payout_bps: [3000, 7000]", "payout_bps: rank 1 pays more than rank 0"),
        ("entry_fee: 0.1 eth3r", "entry_fee: unknown unit 'eth3r'"),
        ("end: '+30m'", "end: the competition lasts 00h 25m 00s"),
        (
            "claim_deadline: 2020-01-01T00:00:00",
            "claim_deadline: '2020-01-01T00:00:00' has no timezone",
        ),
        ("prize: 5", "prize: unknown field"),
    ],
)
def test_create_competition__bad_field__names_it_and_sends_nothing(
    run, chain, tmp_path, change, expected
):
    key = change.split(":")[0]
    lines = [
        line
        for line in (ROOT / "examples" / "competition.yaml").read_text().splitlines()
        if not line.startswith(f"{key}:")
    ]
    spec = write(tmp_path, "bad.yaml", "\n".join([*lines, change]) + "\n")
    block = chain.blocks.head.number
    err = failed(run(CREATE, "--spec", spec))
    assert expected in err
    assert chain.blocks.head.number == block


# -- set-prices --------------------------------------------------------------------------------


def test_set_prices__example_csv_in_batches__set_on_chain_row_by_row(run, dc, chain):
    block = chain.blocks.head.number
    out = ok(run(PRICES, "--csv", str(ROOT / "examples" / "prices.csv"), "--batch-size", "2"))
    nft = "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9"
    fungible = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707"
    assert dc.oracle.latest_price(nft, 1)[0] == 3 * ETHER // 2
    assert dc.oracle.latest_price(nft, 2)[0] == 3 * ETHER // 4
    assert dc.oracle.latest_price(nft, 3)[0] == ETHER // 4
    assert dc.oracle.latest_fungible_price(fungible)[0] == ETHER // 50
    # three ERC-721 rows in batches of two, then one ERC-20 batch
    assert chain.blocks.head.number == block + 3
    assert "4 price(s) set in 3 transaction(s)" in out
    assert out.count("capped") == 4


def test_set_prices__one_bad_row__every_bad_row_named_nothing_sent(run, chain, tmp_path):
    token = "0x" + "ab" * 20
    csv = write(
        tmp_path,
        "prices.csv",
        f"token,token_id,price\n{token},1,1 ether\n0x1234,2,1 ether\n{token},3,0\n"
        f"{token},x,1\n{token},1,2 ether\n",
    )
    block = chain.blocks.head.number
    err = failed(run(PRICES, "--csv", csv))
    assert "4 bad row(s), nothing sent" in err
    assert "line 3: token: not an address: '0x1234'" in err
    assert "line 4: price: 0 (the oracle refuses zero prices)" in err
    assert "line 5: token_id: 'x' is not a uint256" in err
    assert "line 6: same token and token_id as line 2" in err
    assert chain.blocks.head.number == block


def test_set_prices__over_change_cap__refused_whole_then_override_sets_it(run, dc, chain, tmp_path):
    token = "0x" + "cd" * 20
    ok(run(PRICES, "--csv", write(tmp_path, "a.csv", f"token,token_id,price\n{token},7,1 ether\n")))
    jump = write(tmp_path, "b.csv", f"token,token_id,price\n{token},8,1 ether\n{token},7,2 ether\n")
    block = chain.blocks.head.number
    err = failed(run(PRICES, "--csv", jump))
    assert "line 3: price 2000000000000000000 (2 ether) moves +100.00%" in err
    assert chain.blocks.head.number == block
    assert dc.oracle.latest_price(token, 8)[0] == 0  # the good row was not sent either

    out = ok(run(PRICES, "--csv", jump, "--override"))
    assert dc.oracle.latest_price(token, 7)[0] == 2 * ETHER
    assert out.count("override") == 2


def test_set_prices__steps_within_one_cap_window__second_refused_nothing_sent(
    run, dc, chain, tmp_path
):
    token = "0x" + "ce" * 20
    rows = "token,token_id,price\n" + token + ",7,{}\n"
    ok(run(PRICES, "--csv", write(tmp_path, "a.csv", rows.format("1 ether"))))
    ok(run(PRICES, "--csv", write(tmp_path, "b.csv", rows.format("1.15 ether"))))
    # +15 % of the last price, +32 % of the price the one-hour window opened with.
    block = chain.blocks.head.number
    err = failed(run(PRICES, "--csv", write(tmp_path, "c.csv", rows.format("1.3225 ether"))))
    assert "moves +32.25% from 1000000000000000000 (1 ether)" in err
    assert chain.blocks.head.number == block


# -- roles -------------------------------------------------------------------------------------


def test_roles__grant_then_revoke__on_chain_and_in_record_verify_passes(
    run, dc, deployed, chain, compiled, alice
):
    reporter = role_id("REPORTER_ROLE")
    oracle = dc.addresses.oracle
    out = ok(run(ROLES, "grant", "--role", "reporter", "--account", alice.address))
    assert "granted in 0x" in out
    assert dc.oracle.has_role(reporter, alice.address)
    assert load_record(deployed).has_role(oracle, reporter, alice.address)
    assert "already granted and recorded; nothing sent" in ok(
        run(ROLES, "grant", "--role", "REPORTER", "--account", alice.address)
    )
    session = Session.open(chain.provider, None, deployed.parent, read_only=True, check=False)
    assert [c for c in verify(session, compiled) if not c.ok] == []
    listing = ok(run(ROLES, "list", "--account", alice.address))
    assert "REPORTER_ROLE" in listing
    assert "1 held but not recorded" not in listing

    out = ok(run(ROLES, "revoke", "--role", "REPORTER_ROLE", "--account", alice.address))
    assert "revoked in 0x" in out
    assert not dc.oracle.has_role(reporter, alice.address)
    assert not load_record(deployed).has_role(oracle, reporter, alice.address)
    session = Session.open(chain.provider, None, deployed.parent, read_only=True, check=False)
    assert [c for c in verify(session, compiled) if not c.ok] == []


def test_roles__bad_input__clear_errors_nothing_sent(run, chain, owner):
    block = chain.blocks.head.number
    result = run(ROLES, "grant", "--role", "DEFAULT_ADMIN", "--account", owner.address)
    assert result.exit_code == 2
    assert "exists on every contract: pass --contract" in result.stderr
    result = run(
        ROLES, "grant", "--role", "minter", "--contract", "oracle", "--account", owner.address
    )
    assert "MINTER_ROLE is a role of DomainFractionToken, not of ValuationOracle" in result.stderr
    result = run(ROLES, "grant", "--role", "reporter", "--account", "deployer")
    assert "--account is the role holder's ADDRESS here; sign with --sender ALIAS" in result.stderr
    err = failed(
        run(
            ROLES,
            "revoke",
            "--contract",
            "factory",
            "--role",
            "DEFAULT_ADMIN",
            "--account",
            owner.address,
        )
    )
    assert "--allow-self-admin-revoke" in err
    assert chain.blocks.head.number == block


def test_roles__guardian_without_contract__granted_and_revoked_on_both_factories(
    run, dc, deployed, chain, compiled, bob
):
    guardian_role = role_id("GUARDIAN_ROLE")
    factories = (dc.factory, dc.basket_factory)
    out = ok(run(ROLES, "grant", "--role", "guardian", "--account", bob.address))
    assert out.count("granted in 0x") == 2
    assert f"DomainBasketFactory.GUARDIAN_ROLE for {bob.address}: granted" in out
    for factory in factories:
        assert factory.has_role(guardian_role, bob.address)
        assert load_record(deployed).has_role(factory.address, guardian_role, bob.address)
    session = Session.open(chain.provider, None, deployed.parent, read_only=True, check=False)
    assert [c for c in verify(session, compiled) if not c.ok] == []
    again = ok(run(ROLES, "grant", "--role", "GUARDIAN", "--account", bob.address))
    assert again.count("already granted and recorded; nothing sent") == 2

    args = ("--role", "guardian", "--account", bob.address)
    out = ok(run(ROLES, "revoke", "--contract", "basket-factory", *args))
    assert out.count("revoked in 0x") == 1
    assert not dc.basket_factory.has_role(guardian_role, bob.address)
    assert dc.factory.has_role(guardian_role, bob.address)
    out = ok(run(ROLES, "revoke", *args))
    assert "CompetitionFactory.GUARDIAN_ROLE of" in out and "revoked in 0x" in out
    assert f"DomainBasketFactory.GUARDIAN_ROLE of {bob.address}: not held; nothing sent" in out
    record = load_record(deployed)
    assert not any(record.has_role(f.address, guardian_role, bob.address) for f in factories)
    session = Session.open(chain.provider, None, deployed.parent, read_only=True, check=False)
    assert [c for c in verify(session, compiled) if not c.ok] == []


def test_roles__guardian_on_oracle__names_both_factories(run, chain, bob):
    block = chain.blocks.head.number
    result = run(
        ROLES, "grant", "--role", "guardian", "--contract", "oracle", "--account", bob.address
    )
    assert result.exit_code == 2
    assert (
        "GUARDIAN_ROLE is a role of CompetitionFactory and DomainBasketFactory, not of "
        "ValuationOracle"
    ) in result.stderr
    assert chain.blocks.head.number == block


def test_roles__guardian_with_basket_factory_unrecorded__refused_names_the_fix(
    run, deployed, chain
):
    # NOTE: a holder no other test uses: chain isolation between the tests of this module
    # is not reliable (Ape warns InvalidIsolationWarning), so a grant left here must not
    # change what another test sees.
    holder = "0x" + "5a" * 20
    # A record written before the basket factory was part of the suite.
    record = load_record(deployed)
    contracts = {n: c for n, c in record.contracts.items() if n != "DomainBasketFactory"}
    save_record(record.model_copy(update={"contracts": contracts}), deployed)
    block = chain.blocks.head.number
    err = failed(run(ROLES, "grant", "--role", "guardian", "--account", holder))
    assert err.strip() == (
        "Error: GUARDIAN_ROLE is a role of DomainBasketFactory, which "
        f"{deployed} does not record: deploy it with `ape run deploy`, or pass --contract "
        "factory to act there only"
    )
    assert chain.blocks.head.number == block
    out = ok(
        run(ROLES, "grant", "--role", "guardian", "--contract", "factory", "--account", holder)
    )
    assert "CompetitionFactory.GUARDIAN_ROLE for" in out and "granted in 0x" in out


def test_roles__signer_without_admin__refused_before_sending(run, chain, alice, bob):
    block = chain.blocks.head.number
    err = failed(
        run(ROLES, "grant", "--role", "guardian", "--account", bob.address, "--sender", "TEST::3")
    )
    # Refused for both factories at once, before the first grant is sent.
    assert (
        f"{alice.address} lacks CompetitionFactory.DEFAULT_ADMIN_ROLE and "
        "DomainBasketFactory.DEFAULT_ADMIN_ROLE, needed to grant GUARDIAN_ROLE" in err
    )
    assert len(err.strip().splitlines()) == 1
    assert chain.blocks.head.number == block


# -- pause -------------------------------------------------------------------------------------


def test_pause__factory_then_competition__paused_rerun_noop_unpaused(run, dc, chain):
    created = ok(run(CREATE, "--spec", str(ROOT / "examples" / "competition.yaml")))
    competition = created.strip().splitlines()[-1].removeprefix("competition: ")
    targets = (
        ("factory", dc.factory),
        ("basket-factory", dc.basket_factory),
        ("tracker", dc.tracker),
        (competition, dc.competition(competition)),
    )
    for target, contract in targets:
        assert "paused in 0x" in ok(run(PAUSE, "--target", target))
        assert contract.paused()
        assert "already paused; nothing sent" in ok(run(PAUSE, "--target", target))
        assert "unpaused in 0x" in ok(run(PAUSE, "--target", target, "--unpause"))
        assert not contract.paused()
    stranger = "0x" + "12" * 20
    assert "is not a competition of the factory" in failed(run(PAUSE, "--target", stranger))


def test_pause__basket_factory_after_deploy__guardian_pauses_outsider_refused(
    run, dc, chain, guardian, stranger
):
    baskets = dc.basket_factory
    block = chain.blocks.head.number
    err = failed(run(PAUSE, "--target", "basket-factory", "--account", STRANGER_SIGNER))
    assert err.strip() == (
        f"Error: {stranger.address} holds neither DomainBasketFactory.GUARDIAN_ROLE nor "
        "DEFAULT_ADMIN_ROLE, needed to pause it: sign with a guardian (--account ALIAS) or have "
        "an admin run `ape run roles grant --role GUARDIAN --contract basket-factory "
        f"--account {stranger.address}`"
    )
    assert chain.blocks.head.number == block
    assert not baskets.paused()

    # The deploy's --guardian, which holds no admin role, pauses basket creation.
    assert not baskets.has_role(role_id("DEFAULT_ADMIN_ROLE"), guardian.address)
    out = ok(run(PAUSE, "--target", "basket-factory", "--account", GUARDIAN_SIGNER))
    assert f"DomainBasketFactory {baskets.address} paused in 0x" in out
    assert baskets.paused()
    assert not dc.factory.paused()

    block = chain.blocks.head.number
    err = failed(
        run(PAUSE, "--target", "basket-factory", "--unpause", "--account", GUARDIAN_SIGNER)
    )
    assert "lacks DomainBasketFactory.DEFAULT_ADMIN_ROLE, needed to unpause it" in err
    assert len(err.strip().splitlines()) == 1
    assert chain.blocks.head.number == block
    assert "unpaused in 0x" in ok(run(PAUSE, "--target", "basket-factory", "--unpause"))
    assert not baskets.paused()


def test_pause__unknown_target_name__lists_the_targets(run, chain):
    result = run(PAUSE, "--target", "basket_factory")
    assert result.exit_code == 2
    assert (
        "'basket_factory' is neither oracle, tracker, factory, basket-factory nor a "
        "competition's address" in result.stderr
    )


def test_pause__oracle_without_admin_role__decoded_error_one_line(run, chain, alice):
    err = failed(run(PAUSE, "--target", "oracle", "--account", "TEST::3"))
    assert (
        err.strip()
        == f"Error: {alice.address} lacks DEFAULT_ADMIN_ROLE (AccessControlUnauthorizedAccount)"
    )


# -- results -----------------------------------------------------------------------------------


def test_results__competition_that_ran__show_post_finalize(run, dc, chain, owner, alice, bob):
    created = ok(run(CREATE, "--spec", str(ROOT / "examples" / "competition.yaml")))
    address = created.strip().splitlines()[-1].removeprefix("competition: ")
    competition = dc.competition(address)
    config = competition.config()
    travel(chain, int(config.start_time.timestamp()))
    for entrant in (alice, bob):
        competition.join(sender=LocalSigner.from_key(entrant.private_key))
    token = dc.ownership_token()
    token.mint(alice.address, 42, int(config.claim_deadline.timestamp()), 1)
    dc.oracle.set_price(token.address, 42, 2 * ETHER)
    dc.tracker.update_portfolio_value(
        address, alice.address, [Holding(AssetKind.ERC721, token.address, 42, 1)]
    )
    # The score is P&L at oracle prices: the domain rises 20 % while alice holds it.
    dc.oracle.set_price(token.address, 42, 2 * ETHER + ETHER * 2 // 5)

    err = failed(run(RESULTS, "--competition", address, "post"))
    assert "the competition is OPEN: results can be posted after its end at" in err
    travel(chain, int(config.end_time.timestamp()))
    chain.mine()
    shown = ok(run(RESULTS, "--competition", address, "show"))
    assert "nothing posted yet" in shown
    # pool 0.2 ether, 5 % rake: 0.19 ether shared 6000:3000 over two entrants
    assert (
        f"{alice.address} │ 400000000000000000 (0.4 ether) │ 2400000000000000000 (2.4 ether) │ "
        "126666666666666666" in shown
    )

    posted = ok(run(RESULTS, "--competition", address, "post"))
    assert "posted root 0x" in posted
    assert "nothing sent" in ok(run(RESULTS, "--competition", address, "post"))
    err = failed(run(RESULTS, "--competition", address, "finalize"))
    assert "the dispute window is open until" in err
    assert "left" in err

    travel(chain, chain.pending_timestamp + int(config.dispute_window.total_seconds()))
    chain.mine()
    out = ok(run(RESULTS, "--competition", address, "finalize"))
    assert "finalized in 0x" in out
    assert competition.status() == Status.FINALIZED
    shown = ok(run(RESULTS, "--competition", address, "show"))
    assert "FINALIZED" in shown
    assert "yes" in shown.split("match")[-1]


def test_admin__deploy_step_pending_in_record__writes_refused_reads_allowed(
    run, deployed, chain, owner, alice
):
    record = load_record(deployed)
    mined = record.contracts["ValuationOracle"].tx_hash  # stands for a mined, unrecorded step
    pending = PendingTx(
        step="grant:x", tx_hash=mined, sender=owner.address, nonce=0, sent_at=utc_now()
    )
    save_record(record.with_pending(pending), deployed)
    block = chain.blocks.head.number
    err = failed(run(ROLES, "grant", "--role", "reporter", "--account", alice.address))
    assert "has a deploy step in flight (grant:x" in err
    assert "rerun `ape run deploy` first" in err
    assert chain.blocks.head.number == block
    assert load_record(deployed).pending == pending
    ok(run(ROLES, "list"))
