// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PlantedSelfTransferToken
/// @notice Test-only, never deployed: a token whose `transfer` caches both balances before
/// writing them, so sending your balance to yourself doubles it (the planted bug). Total
/// supply must always equal the sum of balances.
contract PlantedSelfTransferToken {
    error PlantedInsufficientBalance(uint256 balance, uint256 amount);

    uint256 public totalSupply;
    mapping(address holder => uint256 amount) public balanceOf;

    constructor(address[] memory holders, uint256 amount) {
        for (uint256 i; i < holders.length; ++i) {
            balanceOf[holders[i]] = amount;
        }
        totalSupply = amount * holders.length;
    }

    /// @notice Moves `amount` to `to`.
    function transfer(address to, uint256 amount) external returns (bool) {
        uint256 fromBalance = balanceOf[msg.sender];
        uint256 toBalance = balanceOf[to];
        if (amount > fromBalance) revert PlantedInsufficientBalance(fromBalance, amount);
        balanceOf[msg.sender] = fromBalance - amount;
        balanceOf[to] = toBalance + amount; // the bug: stale when `to == msg.sender`
        return true;
    }
}
