"""The Competition wrapper: checked entry, results computed from public data, claims."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from eth_typing import ChecksumAddress

from domacross_sdk import prizes
from domacross_sdk.convert import to_address
from domacross_sdk.enums import Status
from domacross_sdk.events_base import decode_logs
from domacross_sdk.generated.bindings import CompetitionBinding
from domacross_sdk.generated.errors import (
    CompetitionAlreadyJoined,
    CompetitionNotEntrant,
    CompetitionNotOpen,
    CompetitionWrongEntryFee,
    CompetitionWrongStatus,
    EnforcedPause,
)
from domacross_sdk.generated.events import (
    CompetitionFinalized,
    ParticipantJoined,
    PrizeClaimed,
    RefundClaimed,
    ResultsPosted,
    UnclaimedSwept,
)
from domacross_sdk.results import Finalized, Joined, Paid, ResultsPostedResult, build
from domacross_sdk.standings import Standings, compute_standings

if TYPE_CHECKING:
    from domacross_sdk.signers import Signer


class Competition(CompetitionBinding):
    """One competition. Writes check cheap preconditions first and return domain results."""

    def join(self, *, sender: Signer | None = None, value: int | None = None) -> Joined:
        """Pays the entry fee and enters. `value` defaults to the exact fee.

        Raises, before sending anything (no gas spent): `EnforcedPause`,
        `CompetitionWrongStatus` (cancelled), `CompetitionNotOpen`, `CompetitionWrongEntryFee`,
        `CompetitionAlreadyJoined` — the contract's own errors, with its arguments.
        """
        signer = sender or self._signer
        config = self.config()
        fee = config.entry_fee if value is None else value
        if self.paused():
            raise EnforcedPause()
        status = self.status()
        if status == Status.CANCELLED:
            raise CompetitionWrongStatus(Status.OPEN, status)
        now = self._now()
        if not config.start_time <= now < config.end_time:
            raise CompetitionNotOpen(config.start_time, config.end_time, now)
        if fee != config.entry_fee:
            raise CompetitionWrongEntryFee(fee, config.entry_fee)
        if signer is not None and self.is_participant(signer.address):
            raise CompetitionAlreadyJoined(signer.address)
        result = super().join(sender=sender, value=fee)
        event = result.event(ParticipantJoined)
        return build(
            Joined,
            result,
            account=event.account,
            fee=event.fee,
            participant_count=event.participant_count,
        )

    def post_results(
        self, merkle_root: bytes | str, total_payout: int, *, sender: Signer | None = None
    ) -> ResultsPostedResult:
        """Posts results (resolver role); see `compute_results` for how to get them."""
        result = super().post_results(merkle_root, total_payout, sender=sender)
        event = result.event(ResultsPosted)
        return build(
            ResultsPostedResult,
            result,
            merkle_root=event.merkle_root,
            total_payout=event.total_payout,
            dispute_ends_at=event.dispute_ends_at,
        )

    def finalize(self, *, sender: Signer | None = None) -> Finalized:
        """Makes posted results final after the dispute window; pays the rake. Anyone."""
        result = super().finalize(sender=sender)
        event = result.event(CompetitionFinalized)
        return build(
            Finalized,
            result,
            merkle_root=event.merkle_root,
            total_payout=event.total_payout,
            rake=event.rake,
        )

    def claim(
        self, amount: int, proof: Sequence[bytes | str], *, sender: Signer | None = None
    ) -> Paid:
        """Claims the sender's prize with its Merkle proof.

        Raises `CompetitionNotEntrant` without sending when the account was already paid.
        """
        signer = sender or self._signer
        if signer is not None and self.is_paid(signer.address):
            raise CompetitionNotEntrant(signer.address)
        result = super().claim(amount, proof, sender=sender)
        event = result.event(PrizeClaimed)
        return build(Paid, result, account=event.account, amount=event.amount)

    def claim_prize(self, results: prizes.Results, *, sender: Signer | None = None) -> Paid:
        """Claims the sender's prize from computed results (see `compute_results`).

        Raises:
            KeyError: the sender has no prize in these results.
        """
        signer = sender or self._signer
        if signer is None:
            return self.claim(0, [], sender=sender)  # raises NoSignerError
        account = signer.address
        proof: list[bytes | str] = list(results.proof(account))
        return self.claim(results.prizes[account], proof, sender=sender)

    def refund(self, *, sender: Signer | None = None) -> Paid:
        """Pulls the sender's entry fee back from a cancelled competition."""
        result = super().refund(sender=sender)
        event = result.event(RefundClaimed)
        return build(Paid, result, account=event.account, amount=event.amount)

    def sweep(self, *, sender: Signer | None = None) -> Paid:
        """Sends what is left after the claim deadline to the treasury. Anyone."""
        result = super().sweep(sender=sender)
        event = result.event(UnclaimedSwept)
        return build(Paid, result, account=event.treasury, amount=event.amount)

    # -- public data ------------------------------------------------------------------------

    def participants(
        self, from_block: int = 0, to_block: int | str = "latest"
    ) -> list[ChecksumAddress]:
        """Entrants in joining order, from the competition's `ParticipantJoined` logs."""
        logs = self._w3.eth.get_logs(
            {
                "address": self.address,
                "topics": ["0x" + ParticipantJoined.TOPIC0.hex()],
                "fromBlock": from_block,
                "toBlock": to_block,  # type: ignore[typeddict-item]
            }
        )
        return [e.account for e in decode_logs(logs) if isinstance(e, ParticipantJoined)]

    def standings(self, from_block: int = 0) -> Standings:
        """Every entrant's score at the end block and the results they give, from public
        logs only (`domacross_sdk.scoring` defines the score). Provisional until the chain
        has a block at or after the end (`Standings.ended`).

        Args:
            from_block: A block at or before the deployment of the oracle and the priced
                domain tokens, whose whole transfer history is replayed.
        """
        return compute_standings(self._w3, self.address, self.config(), from_block)

    def compute_results(self, from_block: int = 0) -> prizes.Results:
        """The results anyone can recompute from public data, as the resolver must post them
        (see `standings`)."""
        return self.standings(from_block).results

    def _now(self) -> datetime:
        """The time the next transaction would be mined at, as far as the node knows."""
        try:
            block = self._w3.eth.get_block("pending")
        except Exception:  # some nodes refuse "pending"
            block = self._w3.eth.get_block("latest")
        return datetime.fromtimestamp(int(block["timestamp"]), UTC)

    @property
    def organizer(self) -> ChecksumAddress:
        """The account that created the competition."""
        return to_address(self.config().organizer)
