// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {WAD} from "./Units.sol";

/// @title BasketMath
/// @notice Pure share math of {DomainBasket}. Values are "scaled": wei times 1e18, so that an
/// ERC-20 amount times its price per 1e18 units is exact and rounding happens once per operation.
/// Every function rounds against the caller of the basket (in favour of the remaining holders).
library BasketMath {
    /// @notice Shares minted for a deposit worth `valueScaled`: floor(value * supply / totalValue),
    /// or the value in wei (1:1) for the first deposit (`supply == 0`).
    function sharesForDeposit(uint256 valueScaled, uint256 supply, uint256 totalScaled)
        internal
        pure
        returns (uint256)
    {
        if (supply == 0) return valueScaled / WAD;
        return Math.mulDiv(valueScaled, supply, totalScaled);
    }

    /// @notice Shares burned to take out a value of `valueScaled`: ceil(value * supply / totalValue).
    function sharesForWithdrawal(uint256 valueScaled, uint256 supply, uint256 totalScaled)
        internal
        pure
        returns (uint256)
    {
        return Math.mulDiv(valueScaled, supply, totalScaled, Math.Rounding.Ceil);
    }

    /// @notice Scaled value owed for `shares`: floor(shares * totalValue / supply).
    function valueOfShares(uint256 shares, uint256 supply, uint256 totalScaled) internal pure returns (uint256) {
        return Math.mulDiv(shares, totalScaled, supply);
    }

    /// @notice Units of an ERC-20 component to pull so that it carries `weightBps / fungibleBps`
    /// of a deposit of `value` wei at `price` wei per 1e18 units (rounded up).
    function depositAmount(uint256 value, uint256 weightBps, uint256 fungibleBps, uint256 price)
        internal
        pure
        returns (uint256)
    {
        return Math.mulDiv(value * WAD, weightBps, fungibleBps * price, Math.Rounding.Ceil);
    }
}
