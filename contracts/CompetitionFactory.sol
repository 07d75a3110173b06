// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {Competition} from "./Competition.sol";
import {RegistryFactory} from "./base/RegistryFactory.sol";
import {ICompetitionFactory} from "./interfaces/ICompetitionFactory.sol";
import {IPortfolioTracker} from "./interfaces/IPortfolioTracker.sol";
import {CompetitionArgs} from "./libraries/CompetitionArgs.sol";
import {BPS} from "./libraries/Units.sol";

/// @title CompetitionFactory
/// @notice See {ICompetitionFactory}.
/// @dev Each competition is an EIP-1167 minimal proxy of one {Competition} implementation with
/// its packed configuration appended as immutable arguments (OpenZeppelin Clones), so creating
/// one costs a fraction of a full deployment and no initializer exists to call twice.
contract CompetitionFactory is ICompetitionFactory, RegistryFactory {
    using SafeCast for uint256;

    bytes32 public constant ORGANIZER_ROLE = keccak256("ORGANIZER_ROLE");
    bytes32 public constant RESOLVER_ROLE = keccak256("RESOLVER_ROLE");
    /// @notice Hard ceilings that no admin-set limit may exceed.
    uint16 public constant RAKE_CEILING_BPS = 5_000;
    uint16 public constant PAYOUT_RANKS_CEILING = 100;

    address private immutable _implementation;

    Limits private _limits;
    /// @dev Packed with `_openCreation`: createCompetition reads both from one slot.
    address private _treasury;
    bool private _openCreation;
    address private _tracker;
    address private _oracle;

    /// @param admin Holder of DEFAULT_ADMIN_ROLE (not the zero address).
    /// @param limits_ Initial bounds for new competitions.
    constructor(address admin, Limits memory limits_) RegistryFactory(admin) {
        _implementation = address(new Competition());
        _setLimits(limits_);
        // The admin's address until it names a treasury: never an organizer's choice.
        _treasury = admin;
        emit TreasuryUpdated(admin);
    }

    /// @inheritdoc ICompetitionFactory
    function createCompetition(CompetitionParams calldata params) external whenNotPaused returns (address competition) {
        if (!_openCreation) _checkRole(ORGANIZER_ROLE);
        Limits memory l = _limits;
        _validate(params, l);
        _checkPlatform(params);
        uint256 index = _instanceCount();
        CompetitionConfig memory c = CompetitionConfig({
            factory: address(this),
            organizer: msg.sender,
            oracle: params.oracle,
            tracker: params.tracker,
            treasury: params.treasury,
            startTime: params.startTime,
            endTime: params.endTime,
            claimDeadline: params.claimDeadline,
            disputeWindow: l.disputeWindow,
            entryFee: params.entryFee,
            maxParticipants: params.maxParticipants,
            rakeBps: params.rakeBps,
            index: index.toUint32(),
            payoutBps: params.payoutBps
        });
        competition = Clones.cloneWithImmutableArgs(_implementation, CompetitionArgs.encode(c));
        _register(competition);
        emit CompetitionCreated(competition, msg.sender, index, params, l.disputeWindow);
    }

    /// @inheritdoc ICompetitionFactory
    function setLimits(Limits calldata limits_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setLimits(limits_);
    }

    /// @inheritdoc ICompetitionFactory
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (treasury_ == address(0)) revert FactoryZeroAddress("treasury");
        _treasury = treasury_;
        emit TreasuryUpdated(treasury_);
    }

    /// @inheritdoc ICompetitionFactory
    function setTracker(address tracker_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (tracker_ == address(0)) revert FactoryZeroAddress("tracker");
        // A tracker bound to another factory would refuse every update of our competitions.
        address bound = IPortfolioTracker(tracker_).factory();
        if (bound != address(this)) revert FactoryTrackerNotBound(tracker_, bound);
        address oracle_ = IPortfolioTracker(tracker_).oracle();
        _tracker = tracker_;
        _oracle = oracle_;
        emit TrackerUpdated(tracker_, oracle_);
    }

    /// @inheritdoc ICompetitionFactory
    function setOpenCreation(bool open) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _openCreation = open;
        emit OpenCreationUpdated(open);
    }

    function _setLimits(Limits memory l) private {
        // A zero dispute window would let results be final in the block they are posted,
        // and a zero claim period would let a sweep race the winners.
        if (
            l.minDuration == 0 || l.disputeWindow == 0 || l.minClaimPeriod == 0 || l.minDuration > l.maxDuration || l.minEntryFee > l.maxEntryFee
                || l.maxRakeBps > RAKE_CEILING_BPS || l.maxPayoutRanks == 0 || l.maxPayoutRanks > PAYOUT_RANKS_CEILING
        ) revert FactoryInvalidLimits();
        _limits = l;
        emit LimitsUpdated(l);
    }

    /// @dev The tracker and oracle decide the results and the treasury takes the rake and the
    /// unclaimed prizes: all three are the platform's, named by the admin, never the organizer's.
    function _checkPlatform(CompetitionParams calldata p) private view {
        address tracker_ = _tracker;
        if (tracker_ == address(0)) revert FactoryZeroAddress("tracker");
        if (p.tracker != tracker_) revert FactoryNotPlatformAddress("tracker", p.tracker, tracker_);
        if (p.oracle != _oracle) revert FactoryNotPlatformAddress("oracle", p.oracle, _oracle);
        if (p.treasury != _treasury) revert FactoryNotPlatformAddress("treasury", p.treasury, _treasury);
    }

    function _validate(CompetitionParams calldata p, Limits memory l) private view {
        if (p.startTime >= p.endTime) revert FactoryInvalidTimeWindow(p.startTime, p.endTime);
        // Timestamp triage: a start a few seconds off cannot hurt anyone; entry opens at startTime.
        // slither-disable-next-line timestamp
        if (p.startTime < block.timestamp) revert FactoryStartInPast(p.startTime, block.timestamp);
        uint256 duration = p.endTime - p.startTime;
        if (duration < l.minDuration || duration > l.maxDuration) {
            revert FactoryDurationOutOfBounds(duration, l.minDuration, l.maxDuration);
        }
        if (p.entryFee < l.minEntryFee || p.entryFee > l.maxEntryFee) {
            revert FactoryEntryFeeOutOfBounds(p.entryFee, l.minEntryFee, l.maxEntryFee);
        }
        if (p.rakeBps > l.maxRakeBps) revert FactoryRakeTooHigh(p.rakeBps, l.maxRakeBps);
        if (p.maxParticipants == 0) revert FactoryZeroMaxParticipants();
        uint256 earliest = uint256(p.endTime) + l.disputeWindow + l.minClaimPeriod;
        if (p.claimDeadline < earliest) revert FactoryClaimDeadlineTooEarly(p.claimDeadline, earliest);
        if (p.oracle == address(0)) revert FactoryZeroAddress("oracle");
        if (p.tracker == address(0)) revert FactoryZeroAddress("tracker");
        if (p.treasury == address(0)) revert FactoryZeroAddress("treasury");
        uint256 ranks = p.payoutBps.length;
        if (ranks > l.maxPayoutRanks) revert FactoryTooManyPayoutRanks(ranks, l.maxPayoutRanks);
        uint256 sum = 0;
        for (uint256 i; i < ranks; ++i) {
            if (p.payoutBps[i] == 0) revert FactoryZeroPayoutRank(i);
            if (i > 0 && p.payoutBps[i] > p.payoutBps[i - 1]) revert FactoryPayoutNotDescending(i);
            sum += p.payoutBps[i];
        }
        if (ranks == 0 || sum != BPS) revert FactoryInvalidPayoutSchedule(ranks, sum);
    }

    /// @inheritdoc ICompetitionFactory
    function implementation() external view returns (address) {
        return _implementation;
    }

    /// @inheritdoc ICompetitionFactory
    function limits() external view returns (Limits memory) {
        return _limits;
    }

    /// @inheritdoc ICompetitionFactory
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc ICompetitionFactory
    function tracker() external view returns (address) {
        return _tracker;
    }

    /// @inheritdoc ICompetitionFactory
    function oracle() external view returns (address) {
        return _oracle;
    }

    /// @inheritdoc ICompetitionFactory
    function openCreation() external view returns (bool) {
        return _openCreation;
    }

    /// @inheritdoc ICompetitionFactory
    function competitionCount() external view returns (uint256) {
        return _instanceCount();
    }

    /// @inheritdoc ICompetitionFactory
    function competitionAt(uint256 index) external view returns (address) {
        return _instanceAt(index);
    }

    /// @inheritdoc ICompetitionFactory
    function competitions(uint256 offset, uint256 limit) external view returns (address[] memory) {
        return _instancePage(offset, limit);
    }

    /// @inheritdoc ICompetitionFactory
    function isCompetition(address competition) external view returns (bool) {
        // A clone's code is the 45-byte proxy followed by its arguments. Any contract can
        // claim an index in that place, but only the real clone is stored at that index, so
        // membership needs no mapping.
        if (competition.code.length < 45 + CompetitionArgs.HEAD_LENGTH) return false;
        uint256 index = CompetitionArgs.index(Clones.fetchCloneArgs(competition));
        return _isRegisteredAt(index, competition);
    }
}
