// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ICompetition} from "./interfaces/ICompetition.sol";
import {CompetitionArgs} from "./libraries/CompetitionArgs.sol";
import {PrizeMath} from "./libraries/PrizeMath.sol";

/// @title Competition
/// @notice See {ICompetition}. Deployed only as a clone by {CompetitionFactory}.
/// @dev The configuration lives in the clone's immutable arguments (OpenZeppelin
/// `Clones.cloneWithImmutableArgs`): it is written once, in the creating transaction, and no
/// initializer exists that could run twice or be front-run. Roles are the factory's.
contract Competition is ICompetition, Pausable, ReentrancyGuardTransient {
    using SafeCast for uint256;

    /// @dev Per-entrant state: one byte, so joining writes a single fresh slot.
    enum Entry {
        None,
        Joined,
        Paid // prize claimed or fee refunded: never paid twice
    }

    /// @dev One slot of lifecycle state. Two pause flags, because they stop different things:
    /// an organizer's pause stops joining only; a guardian's pause also stops results,
    /// finalization and sweep. Claims and refunds are never paused, so no pause shortens a
    /// winner's or an entrant's window.
    struct State {
        uint32 participantCount;
        uint64 resultsPostedAt;
        uint64 finalizedAt;
        bool cancelled;
        bool finalized;
        bool guardianPaused;
        bool organizerPaused;
        // Set by a guardian's unpause: the organizer may not pause again (guardians outrank it).
        bool organizerPauseRevoked;
    }

    bytes32 internal constant RESOLVER_ROLE = keccak256("RESOLVER_ROLE");
    bytes32 internal constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    address private immutable _implementation;

    State private _state;
    bytes32 private _merkleRoot;
    uint128 private _totalPayout;
    uint128 private _claimedTotal;
    mapping(address account => Entry) private _entries;

    modifier onlyClone() {
        if (address(this) == _implementation) revert CompetitionNotAClone();
        _;
    }

    /// @dev Money paths other than claim and refund stop only under a guardian's pause.
    modifier whenNoGuardianPause() {
        if (_state.guardianPaused) revert EnforcedPause();
        _;
    }

    constructor() {
        _implementation = address(this);
    }

    /// @inheritdoc ICompetition
    function join() external payable onlyClone {
        CompetitionConfig memory c = _config();
        State memory s = _state;
        if (s.guardianPaused || s.organizerPaused) revert EnforcedPause();
        if (s.cancelled) revert CompetitionWrongStatus(Status.Open, Status.Cancelled);
        // Timestamp triage: the entry window is hours to days long; drift cannot matter.
        // slither-disable-next-line timestamp
        if (block.timestamp < c.startTime || block.timestamp >= c.endTime) {
            revert CompetitionNotOpen(c.startTime, c.endTime, block.timestamp);
        }
        if (msg.value != c.entryFee) revert CompetitionWrongEntryFee(msg.value, c.entryFee);
        if (_entries[msg.sender] != Entry.None) revert CompetitionAlreadyJoined(msg.sender);
        if (s.participantCount >= c.maxParticipants) revert CompetitionFull(c.maxParticipants);
        _entries[msg.sender] = Entry.Joined;
        _state.participantCount = s.participantCount + 1;
        emit ParticipantJoined(msg.sender, msg.value, s.participantCount + 1);
    }

    /// @inheritdoc ICompetition
    function postResults(bytes32 merkleRoot, uint256 totalPayout) external onlyClone whenNoGuardianPause {
        CompetitionConfig memory c = _config();
        if (!_hasRole(c, RESOLVER_ROLE, msg.sender)) revert CompetitionUnauthorized(msg.sender);
        _requireStatus(c, Status.Ended);
        // After the claim deadline with no results, the competition has timed out: anyone may
        // cancel it and entrants take refunds. Results posted now would race that refund.
        // Timestamp triage: deadlines are days apart; seconds of drift cannot matter.
        // slither-disable-next-line timestamp
        if (block.timestamp > c.claimDeadline) revert CompetitionResultsTimedOut(c.claimDeadline, block.timestamp);
        if (_state.resultsPostedAt != 0) revert CompetitionResultsAlreadyPosted(_merkleRoot);
        if (merkleRoot == bytes32(0)) revert CompetitionZeroRoot();
        uint256 available = PrizeMath.distributable(_pool(c), c.rakeBps);
        if (totalPayout > available) revert CompetitionPayoutExceedsPool(totalPayout, available);
        _merkleRoot = merkleRoot;
        _totalPayout = totalPayout.toUint128();
        _state.resultsPostedAt = uint64(block.timestamp);
        emit ResultsPosted(merkleRoot, totalPayout, block.timestamp + c.disputeWindow, msg.sender);
    }

    /// @inheritdoc ICompetition
    function rejectResults() external onlyClone {
        CompetitionConfig memory c = _config();
        if (!_hasRole(c, GUARDIAN_ROLE, msg.sender)) revert CompetitionUnauthorized(msg.sender);
        uint256 postedAt = _state.resultsPostedAt;
        if (postedAt == 0 || _state.finalized || _state.cancelled) revert CompetitionNoResults();
        uint256 disputeEndsAt = postedAt + c.disputeWindow;
        // Timestamp triage: the dispute window is at least minutes long; drift cannot matter.
        // slither-disable-next-line timestamp
        if (block.timestamp >= disputeEndsAt) revert CompetitionDisputeWindow(disputeEndsAt, block.timestamp);
        bytes32 root = _merkleRoot;
        delete _merkleRoot;
        delete _totalPayout;
        _state.resultsPostedAt = 0;
        emit ResultsRejected(root, msg.sender);
    }

    /// @inheritdoc ICompetition
    function finalize() external onlyClone whenNoGuardianPause nonReentrant {
        CompetitionConfig memory c = _config();
        _requireStatus(c, Status.Ended);
        uint256 postedAt = _state.resultsPostedAt;
        if (postedAt == 0) revert CompetitionNoResults();
        uint256 disputeEndsAt = postedAt + c.disputeWindow;
        // Timestamp triage: the dispute window is at least minutes long; drift cannot matter.
        // slither-disable-next-line timestamp
        if (block.timestamp < disputeEndsAt) revert CompetitionDisputeWindow(disputeEndsAt, block.timestamp);
        uint256 rake = PrizeMath.rake(_pool(c), c.rakeBps);
        // Effects before the interaction: `finalized` is set before the treasury call, so a
        // re-entering treasury finds the status Finalized and cannot be paid the rake twice.
        _state.finalized = true;
        _state.finalizedAt = uint64(block.timestamp);
        emit CompetitionFinalized(_merkleRoot, _totalPayout, rake);
        if (rake > 0) _send(c.treasury, rake);
    }

    /// @inheritdoc ICompetition
    function claim(uint256 amount, bytes32[] calldata proof) external onlyClone nonReentrant {
        CompetitionConfig memory c = _config();
        _requireStatus(c, Status.Finalized);
        uint64 endsAt = _claimEndsAt(c, _state.finalizedAt);
        // Timestamp triage: the claim period is at least a day long; drift cannot matter.
        // slither-disable-next-line timestamp
        if (block.timestamp > endsAt) revert CompetitionClaimDeadline(endsAt, block.timestamp);
        if (_entries[msg.sender] != Entry.Joined) revert CompetitionNotEntrant(msg.sender);
        // Leaf as OpenZeppelin's StandardMerkleTree: double hash of abi.encode(account, amount).
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(msg.sender, amount))));
        if (!MerkleProof.verifyCalldata(proof, _merkleRoot, leaf)) revert CompetitionInvalidProof(msg.sender, amount);
        // Effects before the interaction: the entry is marked Paid before the transfer, so a
        // re-entering winner fails the Joined check above. The sum of claims cannot exceed the posted
        // payout (checked just below), itself at most the pool after rake (checked when posted).
        uint256 claimed = _claimedTotal + amount;
        if (claimed > _totalPayout) revert CompetitionPayoutExceedsPool(claimed, _totalPayout);
        _entries[msg.sender] = Entry.Paid;
        _claimedTotal = claimed.toUint128();
        emit PrizeClaimed(msg.sender, amount);
        _send(msg.sender, amount);
    }

    /// @inheritdoc ICompetition
    function cancel() external onlyClone {
        CompetitionConfig memory c = _config();
        Status s = _status(c);
        if (s == Status.Finalized || s == Status.Cancelled) revert CompetitionWrongStatus(Status.Ended, s);
        uint256 postedAt = _state.resultsPostedAt;
        if (postedAt != 0) {
            // Results past their dispute window are final in substance (finalize is open to
            // anyone): nobody may void them.
            uint256 disputeEndsAt = postedAt + c.disputeWindow;
            // Timestamp triage: the dispute window is at least minutes long; drift cannot matter.
            // slither-disable-next-line timestamp
            if (block.timestamp >= disputeEndsAt) revert CompetitionDisputeWindow(disputeEndsAt, block.timestamp);
        }
        // Timestamp triage: windows are hours to days long; drift cannot matter.
        // slither-disable-next-line timestamp
        bool timedOut = postedAt == 0 && block.timestamp > c.claimDeadline;
        // Timestamp triage: as above.
        // slither-disable-next-line timestamp
        bool organizerBeforeEnd = msg.sender == c.organizer && block.timestamp < c.endTime;
        if (!timedOut && !organizerBeforeEnd && !_hasRole(c, GUARDIAN_ROLE, msg.sender)) {
            revert CompetitionUnauthorized(msg.sender);
        }
        _state.cancelled = true;
        emit CompetitionCancelled(msg.sender);
    }

    /// @inheritdoc ICompetition
    function refund() external onlyClone nonReentrant {
        CompetitionConfig memory c = _config();
        _requireStatus(c, Status.Cancelled);
        if (_entries[msg.sender] != Entry.Joined) revert CompetitionNotEntrant(msg.sender);
        // Effects before the interaction: marked Paid first, so re-entry cannot refund twice.
        _entries[msg.sender] = Entry.Paid;
        emit RefundClaimed(msg.sender, c.entryFee);
        _send(msg.sender, c.entryFee);
    }

    /// @inheritdoc ICompetition
    function sweep() external onlyClone whenNoGuardianPause nonReentrant {
        CompetitionConfig memory c = _config();
        _requireStatus(c, Status.Finalized);
        uint64 endsAt = _claimEndsAt(c, _state.finalizedAt);
        // Timestamp triage: the claim period is at least a day long; drift cannot matter.
        // slither-disable-next-line timestamp
        if (block.timestamp <= endsAt) revert CompetitionClaimDeadline(endsAt, block.timestamp);
        uint256 amount = address(this).balance;
        // Triage (incorrect-equality): a zero balance only means "nothing to sweep"; ether
        // forced in with selfdestruct makes it non-zero and is then swept, which is harmless.
        // slither-disable-next-line incorrect-equality
        if (amount == 0) revert CompetitionNothingToSweep();
        // No state to update first: claims are closed (deadline passed), so the balance is
        // the treasury's in full, and a re-entering treasury only finds a zero balance.
        emit UnclaimedSwept(c.treasury, amount);
        _send(c.treasury, amount);
    }

    /// @inheritdoc ICompetition
    function pause() external onlyClone {
        CompetitionConfig memory c = _config();
        State memory s = _state;
        if (_hasRole(c, GUARDIAN_ROLE, msg.sender)) {
            if (s.guardianPaused) revert EnforcedPause();
            _state.guardianPaused = true;
        } else if (msg.sender == c.organizer && !s.organizerPauseRevoked) {
            if (s.organizerPaused) revert EnforcedPause();
            _state.organizerPaused = true;
        } else {
            revert CompetitionUnauthorized(msg.sender);
        }
        emit Paused(msg.sender);
    }

    /// @inheritdoc ICompetition
    function unpause() external onlyClone {
        CompetitionConfig memory c = _config();
        State memory s = _state;
        if (_hasRole(c, GUARDIAN_ROLE, msg.sender)) {
            if (!s.guardianPaused && !s.organizerPaused) revert ExpectedPause();
            _state.guardianPaused = false;
            _state.organizerPaused = false;
            _state.organizerPauseRevoked = true;
        } else if (msg.sender == c.organizer) {
            // The organizer lifts its own pause only, never a guardian's.
            if (!s.organizerPaused) revert ExpectedPause();
            _state.organizerPaused = false;
        } else {
            revert CompetitionUnauthorized(msg.sender);
        }
        emit Unpaused(msg.sender);
    }

    /// @notice True while joining is stopped (by the organizer or a guardian).
    function paused() public view override returns (bool) {
        State memory s = _state;
        return s.guardianPaused || s.organizerPaused;
    }

    /// @inheritdoc ICompetition
    function guardianPaused() external view returns (bool) {
        return _state.guardianPaused;
    }

    /// @inheritdoc ICompetition
    function claimEndsAt() external view onlyClone returns (uint256) {
        State memory s = _state;
        return s.finalized ? _claimEndsAt(_config(), s.finalizedAt) : 0;
    }

    /// @dev Sends native tokens; reverts with the recipient and amount on failure.
    function _send(address to, uint256 amount) private {
        // Triage: `to` is the caller itself (prize, refund) or the treasury the factory fixed;
        // a plain call forwards gas so contract wallets can receive.
        // slither-disable-next-line arbitrary-send-eth,low-level-calls
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert CompetitionTransferFailed(to, amount);
    }

    /// @inheritdoc ICompetition
    function config() external view onlyClone returns (CompetitionConfig memory) {
        return _config();
    }

    /// @inheritdoc ICompetition
    function status() external view onlyClone returns (Status) {
        return _status(_config());
    }

    /// @inheritdoc ICompetition
    function isParticipant(address account) external view returns (bool) {
        return _entries[account] != Entry.None;
    }

    /// @inheritdoc ICompetition
    function isPaid(address account) external view returns (bool) {
        return _entries[account] == Entry.Paid;
    }

    /// @inheritdoc ICompetition
    function participantCount() external view returns (uint256) {
        return _state.participantCount;
    }

    /// @inheritdoc ICompetition
    function prizePool() external view onlyClone returns (uint256) {
        return _pool(_config());
    }

    /// @inheritdoc ICompetition
    function rakeAmount() external view onlyClone returns (uint256) {
        CompetitionConfig memory c = _config();
        return PrizeMath.rake(_pool(c), c.rakeBps);
    }

    /// @inheritdoc ICompetition
    function distributable() external view onlyClone returns (uint256) {
        CompetitionConfig memory c = _config();
        return PrizeMath.distributable(_pool(c), c.rakeBps);
    }

    /// @inheritdoc ICompetition
    function results() external view returns (bytes32 merkleRoot, uint256 totalPayout, uint256 postedAt) {
        return (_merkleRoot, _totalPayout, _state.resultsPostedAt);
    }

    /// @inheritdoc ICompetition
    function claimedTotal() external view returns (uint256) {
        return _claimedTotal;
    }

    function _config() private view returns (CompetitionConfig memory) {
        return CompetitionArgs.decode(Clones.fetchCloneArgs(address(this)));
    }

    /// @dev Winners always get the full claim period the configuration promised
    /// (`claimDeadline - endTime - disputeWindow`, at least the factory's `minClaimPeriod`),
    /// counted from finalization: late results, a rejection and re-post, or a guardian's
    /// pause of finalize never shorten it. Finalization is never earlier than
    /// `endTime + disputeWindow`, so this is never before `claimDeadline`.
    function _claimEndsAt(CompetitionConfig memory c, uint64 finalizedAt) private pure returns (uint64) {
        return finalizedAt + (c.claimDeadline - c.endTime - c.disputeWindow);
    }

    function _status(CompetitionConfig memory c) private view returns (Status) {
        State memory s = _state;
        if (s.cancelled) return Status.Cancelled;
        if (s.finalized) return Status.Finalized;
        // Timestamp triage: competitions last hours to days; drift cannot matter.
        // slither-disable-next-line timestamp
        if (block.timestamp >= c.endTime) return Status.Ended;
        // Timestamp triage: as above.
        // slither-disable-next-line timestamp
        if (block.timestamp >= c.startTime) return Status.Open;
        return Status.Scheduled;
    }

    function _requireStatus(CompetitionConfig memory c, Status expected) private view {
        Status actual = _status(c);
        if (actual != expected) revert CompetitionWrongStatus(expected, actual);
    }

    function _pool(CompetitionConfig memory c) private view returns (uint256) {
        return PrizeMath.pool(_state.participantCount, c.entryFee);
    }

    function _hasRole(CompetitionConfig memory c, bytes32 role, address account) private view returns (bool) {
        return IAccessControl(c.factory).hasRole(role, account);
    }
}
