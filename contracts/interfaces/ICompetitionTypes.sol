// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title ICompetitionTypes
/// @notice Types shared by the factory, the competitions and the tracker.
interface ICompetitionTypes {
    /// @notice Where a competition is in its life. `Paused` is orthogonal (see `paused()`).
    enum Status {
        Scheduled, // before startTime
        Open, // [startTime, endTime): entrants join, the tracker values portfolios
        Ended, // after endTime, until results are final
        Finalized, // results final: winners claim until claimDeadline, then the rest is swept
        Cancelled // entrants pull refunds of their entry fee
    }

    /// @notice What an organiser chooses when creating a competition.
    struct CompetitionParams {
        uint64 startTime;
        uint64 endTime;
        /// @dev Prizes can be claimed until this time; unclaimed ones are then swept to the treasury.
        uint64 claimDeadline;
        /// @dev Exact entry fee in wei of the native token.
        uint128 entryFee;
        uint32 maxParticipants;
        /// @dev Share of the pool paid to the treasury, in basis points.
        uint16 rakeBps;
        address oracle;
        address tracker;
        address treasury;
        /// @dev Share of the pool after rake per rank (index 0 = first), in basis points: positive,
        /// non-increasing, summing to 10,000.
        uint16[] payoutBps;
    }

    /// @notice A competition's whole configuration, fixed at creation.
    struct CompetitionConfig {
        address factory;
        address organizer;
        address oracle;
        address tracker;
        address treasury;
        uint64 startTime;
        uint64 endTime;
        uint64 claimDeadline;
        /// @dev Seconds after results are posted during which a guardian may reject them.
        uint64 disputeWindow;
        uint128 entryFee;
        uint32 maxParticipants;
        uint16 rakeBps;
        /// @dev Position in the factory's registry; lets the factory recognise its clones.
        uint32 index;
        uint16[] payoutBps;
    }
}
