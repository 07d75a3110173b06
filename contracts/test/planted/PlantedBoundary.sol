// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PlantedBoundary
/// @notice Test-only, never deployed: a capped deposit whose check is off by one (`<=`
/// where the cap is exclusive), so exactly `CAP` is accepted. The property: every accepted
/// amount is below CAP.
contract PlantedBoundary {
    error PlantedOverCap(uint256 amount);

    uint256 public constant CAP = 1_000_000 ether;

    uint256 public lastAccepted;

    /// @notice Accepts `amount` when under the cap.
    function accept(uint256 amount) external {
        if (amount > CAP) revert PlantedOverCap(amount); // the bug: should be `>=`
        lastAccepted = amount;
    }
}
