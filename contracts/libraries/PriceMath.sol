// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {BPS} from "./Units.sol";

/// @title PriceMath
/// @notice Pure rules of the valuation oracle, kept apart so they can be fuzzed alone.
library PriceMath {
    /// @notice True when moving from `previous` to `next` exceeds `maxChangeBps` of `previous`.
    /// A first price (`previous == 0`) has nothing to compare with and is never capped.
    /// @dev Prices are below 2**192 and `maxChangeBps` at most 1e6 (the oracle enforces both), so no product overflows.
    function exceedsChangeCap(uint256 previous, uint256 next, uint256 maxChangeBps) internal pure returns (bool) {
        if (previous == 0) return false;
        uint256 diff = next > previous ? next - previous : previous - next;
        return diff * BPS > previous * maxChangeBps;
    }

    /// @notice True when a price written at `updatedAt` is older than `maxAge` at `nowTs`.
    function isStale(uint256 updatedAt, uint256 maxAge, uint256 nowTs) internal pure returns (bool) {
        // Subtract rather than add: `updatedAt + maxAge` could overflow for a huge maxAge.
        return nowTs > updatedAt && nowTs - updatedAt > maxAge;
    }
}
