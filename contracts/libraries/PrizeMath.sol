// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {BPS} from "./Units.sol";

/// @title PrizeMath
/// @notice Fee, rake and payout arithmetic. Every division rounds down, so rounding dust
/// stays in the competition (and is swept to the treasury), never overpaid to anyone.
library PrizeMath {
    /// @notice Entry fees collected from `participants` entrants.
    function pool(uint256 participants, uint256 entryFee) internal pure returns (uint256) {
        return participants * entryFee;
    }

    /// @notice The treasury's share of `pool_`.
    function rake(uint256 pool_, uint256 rakeBps) internal pure returns (uint256) {
        return pool_ * rakeBps / BPS;
    }

    /// @notice What remains for prizes after the rake.
    function distributable(uint256 pool_, uint256 rakeBps) internal pure returns (uint256) {
        return pool_ - rake(pool_, rakeBps);
    }

    /// @notice The prize of a rank paid `rankBps` of `distributable_`.
    function rankPrize(uint256 distributable_, uint256 rankBps) internal pure returns (uint256) {
        return distributable_ * rankBps / BPS;
    }
}
