"""Scores from public logs (the chosen design) against escrowed competition accounts (the
rejected one): gas per action on chain, and what settling 10,000 entrants costs off chain.

Gas is measured on Ape's embedded chain in this run: the suite's own contracts for the
chosen design (join, a marketplace trade; no deposit, no on-chain valuation) and the
minimal prototype contracts/test/EscrowAccountsPrototype.sol for the rejected one (join,
first cash deposit, first domain deposit, a trade between accounts, a valuation of an
account with 10 domains at `endTime` from checkpointed prices, and the checkpointing price
update it needs). The settlement figure times `domacross_sdk.scoring.compute_scores` over a
synthetic history of 10,000 entrants holding 10 domains each, beside the 10,000-leaf Merkle
tree of the same results (work every resolver does anyway) as the yardstick.

    .venv/bin/python -m bench.score_bench [--json PATH]
"""

from __future__ import annotations

import random
import sys
import time

import click

from bench.results import Row, Target, report

ETH = 10**18
HOLDINGS = 10
ENTRANTS = 10_000


def _gas(receipt) -> float:  # type: ignore[no-untyped-def]
    return float(receipt.gas_used)


def measure_gas() -> dict[str, float]:
    """Runs both designs' actions on Ape's embedded chain; returns gas per label."""
    from ape import accounts, chain, networks, project

    with networks.ethereum.local.use_provider("test"):
        owner, alice, bob, registrar = accounts.test_accounts[:4]
        token = project.DomaOwnershipToken.deploy(owner, sender=owner)
        token.grantRole(token.REGISTRAR_ROLE(), registrar, sender=owner)
        expiry = chain.pending_timestamp + 365 * 86_400
        for token_id in range(1, 2 * HOLDINGS + 2):
            token.mint(alice, token_id, expiry, 1_001, sender=registrar)
        out: dict[str, float] = {}

        # Chosen: the suite as it is. A trade is a marketplace sale; nothing else is sent.
        oracle = project.ValuationOracle.deploy(owner, 86_400, 2_000, sender=owner)
        oracle.grantRole(oracle.REPORTER_ROLE(), owner, sender=owner)
        out["logs: oracle price update (first)"] = _gas(
            oracle.setPrice(token, 1, ETH, sender=owner)
        )
        out["logs: oracle price update (next)"] = _gas(
            oracle.setPrice(token, 1, ETH + 1, sender=owner)
        )
        factory = project.CompetitionFactory.deploy(
            owner, (3_600, 30 * 86_400, 3_600, 86_400, 0, 100 * ETH, 1_000, 10), sender=owner
        )
        factory.grantRole(factory.ORGANIZER_ROLE(), owner, sender=owner)
        # The factory fixes tracker, oracle and treasury: a competition must name them.
        tracker = project.PortfolioTracker.deploy(owner, oracle, sender=owner)
        tracker.setFactory(factory, sender=owner)
        factory.setTracker(tracker, sender=owner)
        start = chain.pending_timestamp + 60
        params = (
            start,
            start + 86_400,
            start + 3 * 86_400,
            0,
            100,
            500,
            oracle,
            tracker,
            owner,
            [10_000],
        )
        tx = factory.createCompetition(params, sender=owner)
        out["logs: createCompetition"] = _gas(tx)
        competition = project.Competition.at(
            tx.decode_logs(factory.CompetitionCreated)[0].competition
        )
        chain.pending_timestamp = start
        out["logs: join"] = _gas(competition.join(sender=alice))
        market = project.DomainMarketplace.deploy(sender=owner)
        token.approve(market, 1, sender=alice)
        listing = market.listERC721(token, 1, ETH, sender=alice).decode_logs(market.Listed)[0]
        out["logs: trade (marketplace buy)"] = _gas(
            market.buy(listing.listingId, value=ETH, sender=bob)
        )

        # Rejected: escrowed accounts and a checkpointing oracle.
        points = project.CheckpointPriceOracle.deploy(sender=owner)
        out["escrow: oracle price update with checkpoint (first)"] = _gas(
            points.setPrice(token, 2, ETH, sender=owner)
        )
        chain.pending_timestamp += 60
        out["escrow: oracle price update with checkpoint (next)"] = _gas(
            points.setPrice(token, 2, ETH + 1, sender=owner)
        )
        for token_id in range(3, HOLDINGS + 3):
            points.setPrice(token, token_id, ETH, sender=owner)
        escrow = project.EscrowAccountsPrototype.deploy(points, sender=owner)
        out["escrow: join"] = _gas(escrow.join(sender=alice))
        escrow.join(sender=bob)
        out["escrow: first deposit (cash)"] = _gas(escrow.depositCash(value=2 * ETH, sender=bob))
        token.setApprovalForAll(escrow, True, sender=alice)
        out["escrow: first deposit (domain)"] = _gas(escrow.depositERC721(token, 2, sender=alice))
        for token_id in range(3, HOLDINGS + 2):
            escrow.depositERC721(token, token_id, sender=alice)
        listed = escrow.list(token, 2, ETH, sender=alice)
        out["escrow: trade (list)"] = _gas(listed)
        out["escrow: trade (buy between accounts)"] = _gas(escrow.buy(0, sender=bob))
        escrow.depositERC721(token, HOLDINGS + 2, sender=alice)  # back to 10 holdings
        w3 = chain.provider.web3
        data = escrow.valueAt.as_transaction(alice, chain.pending_timestamp).data
        estimate = w3.eth.estimate_gas({"to": escrow.address, "data": "0x" + bytes(data).hex()})
        out[f"escrow: valuation of one account ({HOLDINGS} holdings, view)"] = float(
            estimate - 21_000
        )
    return out


def synthetic_history(entrants: int, holdings: int, seed: int = 1):  # type: ignore[no-untyped-def]
    """Mints, joins, one transfer per domain and one price move per domain."""
    from domacross_sdk.scoring import Entry, Mark, Move

    rng = random.Random(seed)
    token = "0x" + "d0" * 20
    zero = "0x" + "00" * 20
    wallets = [f"0x{i + 1:040x}" for i in range(entrants)]
    moves, marks, entries = [], [], []
    block = 1
    for i, wallet in enumerate(wallets):
        for h in range(holdings):
            token_id = i * holdings + h
            moves.append(Move((block, token_id), token, token_id, 1, zero, wallet, False))
            marks.append(Mark((block + 1, token_id), token, token_id, False, ETH))
    block += 2
    for i, wallet in enumerate(wallets):
        entries.append(Entry((block, i), wallet))
    block += 1
    for token_id in range(entrants * holdings):
        other = wallets[rng.randrange(entrants)]
        owner = wallets[token_id // holdings]
        moves.append(Move((block, 2 * token_id), token, token_id, 1, owner, other, False))
        price = ETH + rng.randrange(-ETH // 5, ETH // 5)
        marks.append(Mark((block, 2 * token_id + 1), token, token_id, False, price))
    return moves, marks, entries, block


def time_settlement(samples: int = 3) -> tuple[list[float], list[float], int]:
    from domacross_sdk import prizes
    from domacross_sdk.scoring import compute_scores, prize_values

    moves, marks, entries, end = synthetic_history(ENTRANTS, HOLDINGS)
    scoring, tree = [], []
    for _ in range(samples):
        t = time.perf_counter()
        scores = compute_scores(moves, marks, entries, end)
        scoring.append(time.perf_counter() - t)
        values = prize_values(scores)
        t = time.perf_counter()
        prizes.build_results({a: v % 1_000 + 1 for a, v in values.items()})
        tree.append(time.perf_counter() - t)
    return scoring, tree, len(moves) + len(marks) + len(entries)


@click.command()
@click.option("--json", "json_path", default=None, help="Write the rows here (bench/run.py).")
def main(json_path: str | None) -> None:
    """Gas of both designs, and the time to score 10,000 entrants from logs."""
    gas = measure_gas()
    rows = [
        Row(
            "scores",
            label,
            "gas",
            [value],
            target=(
                Target("<", 200_000, "createCompetition budget")
                if label == "logs: createCompetition"
                else Target("<", 80_000, "join budget")
                if label.endswith(": join")
                else None
            ),
        )
        for label, value in gas.items()
    ]
    scoring, tree, logs = time_settlement()
    rows.append(
        Row(
            "scores",
            f"score {ENTRANTS:,} entrants x {HOLDINGS} domains from {logs:,} logs",
            "s",
            scoring,
            yardstick=f"Merkle tree of {ENTRANTS:,} prizes",
            yardstick_samples=tree,
            note="pure Python, one core; reading the logs is the node's work",
        )
    )
    sys.exit(report(rows, json_path, "Scores from logs vs escrowed competition accounts"))


if __name__ == "__main__":
    main()
