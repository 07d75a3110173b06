// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ICompetitionTypes} from "./ICompetitionTypes.sol";

/// @title ICompetition
/// @notice One time-bound trading competition, created by {ICompetitionFactory} as a clone.
///
/// Money flow: entrants pay `entryFee` to `join()`. After `endTime` a resolver posts the
/// Merkle root of (account, prize) computed off chain from public logs: each entrant's P&L
/// marked at oracle prices at the last block before `endTime` (`domacross_sdk.scoring`), and
/// the payout schedule (`domacross_sdk.prizes`); a guardian may reject it during the dispute
/// window. Anyone then calls `finalize()`, which pays the rake to the treasury; winners pull
/// their prize with `claim()` for the full claim period counted from finalization
/// (`claimEndsAt()`), after which `sweep()` sends what is left to the treasury. A cancelled
/// competition lets every entrant pull a refund instead. Nothing loops over participants.
///
/// Rules that hold whatever the organizer does: the treasury, tracker and oracle are the
/// factory's; claims and refunds are never paused; an organizer's pause stops joining only,
/// and a guardian's unpause ends the organizer's right to pause; the organizer cancels only
/// before `endTime`; nobody cancels results past their dispute window; results that have not
/// come by `claimDeadline` never come, and anyone may then cancel so entrants take refunds.
interface ICompetition is ICompetitionTypes {
    /// @notice The call needs status `expected`; the competition is in `actual`.
    error CompetitionWrongStatus(Status expected, Status actual);
    /// @notice `join()` outside [startTime, endTime).
    error CompetitionNotOpen(uint64 startTime, uint64 endTime, uint256 nowTs);
    /// @notice `join()` with a value other than the entry fee.
    error CompetitionWrongEntryFee(uint256 sent, uint256 entryFee);
    /// @notice The account already joined.
    error CompetitionAlreadyJoined(address account);
    /// @notice `maxParticipants` reached.
    error CompetitionFull(uint32 maxParticipants);
    /// @notice The account never joined (or was already paid its refund or prize).
    error CompetitionNotEntrant(address account);
    /// @notice The caller lacks the role or ownership the call needs.
    error CompetitionUnauthorized(address account);
    /// @notice Posted results would pay more than the pool after rake.
    error CompetitionPayoutExceedsPool(uint256 totalPayout, uint256 distributable);
    /// @notice Results were already posted and are not rejected.
    error CompetitionResultsAlreadyPosted(bytes32 merkleRoot);
    /// @notice No results are pending.
    error CompetitionNoResults();
    /// @notice A zero Merkle root was posted.
    error CompetitionZeroRoot();
    /// @notice The dispute window is still open (finalize) or already closed (reject).
    error CompetitionDisputeWindow(uint256 disputeEndsAt, uint256 nowTs);
    /// @notice The proof does not prove (account, amount) against the root.
    error CompetitionInvalidProof(address account, uint256 amount);
    /// @notice A claim after `claimDeadline`, or a sweep before it.
    error CompetitionClaimDeadline(uint64 claimDeadline, uint256 nowTs);
    /// @notice Nothing left to sweep.
    error CompetitionNothingToSweep();
    /// @notice A native-token transfer failed.
    error CompetitionTransferFailed(address to, uint256 amount);
    /// @notice A function was called on the implementation instead of a clone.
    error CompetitionNotAClone();
    /// @notice Results posted after `claimDeadline`: the competition timed out and may be cancelled.
    error CompetitionResultsTimedOut(uint64 claimDeadline, uint256 nowTs);

    /// @notice `account` paid `fee` and joined as the `participantCount`-th entrant.
    event ParticipantJoined(address indexed account, uint256 fee, uint256 participantCount);
    /// @notice A resolver posted results; they become final at `disputeEndsAt`.
    event ResultsPosted(bytes32 indexed merkleRoot, uint256 totalPayout, uint256 disputeEndsAt, address resolver);
    /// @notice A guardian rejected pending results.
    event ResultsRejected(bytes32 indexed merkleRoot, address guardian);
    /// @notice Results became final; `rake` went to the treasury.
    event CompetitionFinalized(bytes32 indexed merkleRoot, uint256 totalPayout, uint256 rake);
    /// @notice `account` claimed its prize.
    event PrizeClaimed(address indexed account, uint256 amount);
    /// @notice The competition was cancelled by `by`; entrants may pull refunds.
    event CompetitionCancelled(address indexed by);
    /// @notice `account` pulled its refund.
    event RefundClaimed(address indexed account, uint256 amount);
    /// @notice Unclaimed prizes and rounding dust went to the treasury after the claim deadline.
    event UnclaimedSwept(address indexed treasury, uint256 amount);

    /// @notice Pays the exact entry fee and enters the competition. Open status only.
    function join() external payable;

    /// @notice Posts the Merkle root of (account, prize) and its total. Resolver role; Ended
    /// status; not after `claimDeadline` (the competition timed out).
    function postResults(bytes32 merkleRoot, uint256 totalPayout) external;

    /// @notice Rejects pending results during the dispute window. Guardian role.
    function rejectResults() external;

    /// @notice Makes posted results final after the dispute window and pays the rake. Anyone.
    function finalize() external;

    /// @notice Pays the caller's prize, proven against the final root, until `claimEndsAt()`.
    /// Never paused.
    function claim(uint256 amount, bytes32[] calldata proof) external;

    /// @notice Cancels the competition before it is finalized and before posted results pass
    /// their dispute window. The organizer before `endTime`; a guardian; anyone once
    /// `claimDeadline` passed with no results posted (timeout).
    function cancel() external;

    /// @notice Pays the caller back its entry fee. Cancelled status only; never paused.
    function refund() external;

    /// @notice After `claimEndsAt()`, sends the unclaimed balance to the treasury. Anyone.
    function sweep() external;

    /// @notice A guardian's pause stops join, results, finalize and sweep; the organizer's
    /// stops join only, and is refused once a guardian has unpaused. Claims and refunds never stop.
    function pause() external;

    /// @notice A guardian lifts every pause (and ends the organizer's right to pause);
    /// the organizer lifts its own pause only.
    function unpause() external;

    /// @notice True while a guardian's pause stops results, finalize and sweep.
    function guardianPaused() external view returns (bool);

    /// @notice When claims close: finalization time plus the configured claim period
    /// (`claimDeadline - endTime - disputeWindow`); 0 before finalization.
    function claimEndsAt() external view returns (uint256);

    /// @notice The whole configuration, fixed at creation.
    function config() external view returns (CompetitionConfig memory);

    /// @notice The current status.
    function status() external view returns (Status);

    /// @notice True when `account` joined (it stays true once paid its prize or refund).
    function isParticipant(address account) external view returns (bool);

    /// @notice True when `account` was paid its prize or refund.
    function isPaid(address account) external view returns (bool);

    /// @notice Number of entrants.
    function participantCount() external view returns (uint256);

    /// @notice Entry fees collected: `participantCount * entryFee`.
    function prizePool() external view returns (uint256);

    /// @notice The treasury's share of the pool.
    function rakeAmount() external view returns (uint256);

    /// @notice The pool after rake: the most that results may pay out.
    function distributable() external view returns (uint256);

    /// @notice The posted (pending or final) results: root, total, post time (0s when none).
    function results() external view returns (bytes32 merkleRoot, uint256 totalPayout, uint256 postedAt);

    /// @notice Sum of prizes claimed so far.
    function claimedTotal() external view returns (uint256);
}
