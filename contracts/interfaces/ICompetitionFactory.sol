// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ICompetitionTypes} from "./ICompetitionTypes.sol";
import {IRegistryFactory} from "./IRegistryFactory.sol";

/// @title ICompetitionFactory
/// @notice Creates competitions as clones of one implementation and keeps their registry
/// (admin, guardian and pause as every factory: {IRegistryFactory}).
/// It also holds the platform roles that every competition checks: RESOLVER_ROLE posts
/// results, GUARDIAN_ROLE pauses, cancels and rejects results, ORGANIZER_ROLE creates
/// competitions while creation is restricted.
interface ICompetitionFactory is ICompetitionTypes, IRegistryFactory {
    /// @notice Bounds every new competition must respect. Admin-set.
    struct Limits {
        uint64 minDuration;
        uint64 maxDuration;
        uint64 disputeWindow;
        /// @dev Least time between the end of the dispute window and the claim deadline.
        uint64 minClaimPeriod;
        uint128 minEntryFee;
        uint128 maxEntryFee;
        uint16 maxRakeBps;
        uint16 maxPayoutRanks;
    }

    /// @notice startTime is not before endTime.
    error FactoryInvalidTimeWindow(uint64 startTime, uint64 endTime);
    /// @notice startTime lies in the past.
    error FactoryStartInPast(uint64 startTime, uint256 nowTs);
    /// @notice endTime - startTime is outside the limits.
    error FactoryDurationOutOfBounds(uint256 duration, uint64 minDuration, uint64 maxDuration);
    /// @notice The entry fee is outside the limits.
    error FactoryEntryFeeOutOfBounds(uint256 entryFee, uint128 minEntryFee, uint128 maxEntryFee);
    /// @notice The payout schedule is empty or does not sum to 10,000 bps.
    error FactoryInvalidPayoutSchedule(uint256 ranks, uint256 sumBps);
    /// @notice The payout schedule has a rank paid nothing.
    error FactoryZeroPayoutRank(uint256 rank);
    /// @notice The payout schedule pays `rank` more than the rank above it.
    error FactoryPayoutNotDescending(uint256 rank);
    /// @notice The payout schedule has more ranks than allowed.
    error FactoryTooManyPayoutRanks(uint256 ranks, uint16 maxPayoutRanks);
    /// @notice The rake exceeds the cap.
    error FactoryRakeTooHigh(uint16 rakeBps, uint16 maxRakeBps);
    /// @notice maxParticipants is zero.
    error FactoryZeroMaxParticipants();
    /// @notice The claim deadline leaves too little time to claim.
    error FactoryClaimDeadlineTooEarly(uint64 claimDeadline, uint256 earliest);
    /// @notice The oracle, tracker or treasury address is zero.
    error FactoryZeroAddress(string field);
    /// @notice Admin-set limits are inconsistent (or a zero dispute window or claim period).
    error FactoryInvalidLimits();
    /// @notice `field` is `given`, not the platform's `expected` (set by the admin).
    error FactoryNotPlatformAddress(string field, address given, address expected);
    /// @notice The tracker is bound to another factory (`bound`), not this one.
    error FactoryTrackerNotBound(address tracker, address bound);

    /// @notice A competition was created; carries its whole configuration.
    event CompetitionCreated(
        address indexed competition,
        address indexed organizer,
        uint256 indexed index,
        CompetitionParams params,
        uint64 disputeWindow
    );
    /// @notice The limits changed.
    event LimitsUpdated(Limits limits);
    /// @notice Creation was opened to everyone or restricted to ORGANIZER_ROLE.
    event OpenCreationUpdated(bool open);
    /// @notice The platform treasury for new competitions changed.
    event TreasuryUpdated(address treasury);
    /// @notice The platform tracker (and its oracle) for new competitions changed.
    event TrackerUpdated(address tracker, address oracle);

    /// @notice Creates a competition. ORGANIZER_ROLE unless creation is open; not while paused.
    /// `params.tracker`, `params.oracle` and `params.treasury` must be the platform's
    /// (`tracker()`, `oracle()`, `treasury()`): the organizer chooses neither who computes
    /// the results nor where the rake and unclaimed prizes go.
    function createCompetition(CompetitionParams calldata params) external returns (address competition);

    /// @notice Sets the platform treasury of new competitions (the admin's address until then). Admin role.
    function setTreasury(address treasury) external;

    /// @notice Sets the platform tracker of new competitions; it must be bound to this factory,
    /// and its oracle becomes the platform oracle. Admin role.
    function setTracker(address tracker) external;

    /// @notice The treasury every new competition must name.
    function treasury() external view returns (address);

    /// @notice The tracker every new competition must name (zero until set: creation refused).
    function tracker() external view returns (address);

    /// @notice The oracle every new competition must name: the tracker's.
    function oracle() external view returns (address);

    /// @notice Sets the limits. Admin role.
    function setLimits(Limits calldata limits) external;

    /// @notice Opens creation to everyone (true) or to ORGANIZER_ROLE only (false). Admin role.
    function setOpenCreation(bool open) external;

    /// @notice The clone implementation.
    function implementation() external view returns (address);

    /// @notice The current limits.
    function limits() external view returns (Limits memory);

    /// @notice True when anyone may create competitions.
    function openCreation() external view returns (bool);

    /// @notice Number of competitions created.
    function competitionCount() external view returns (uint256);

    /// @notice The competition created `index`-th (from 0).
    function competitionAt(uint256 index) external view returns (address);

    /// @notice Up to `limit` competitions from `offset`, for paging through the registry.
    function competitions(uint256 offset, uint256 limit) external view returns (address[] memory);

    /// @notice True when this factory created `competition`.
    function isCompetition(address competition) external view returns (bool);
}
