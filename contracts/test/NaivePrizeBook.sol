// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title NaivePrizeBook
/// @notice Gas yardstick only (bench/gas_bench.py), never deployed: the naive alternative to
/// Competition's Merkle results, one storage slot per winner written by the resolver and
/// read by the claim.
contract NaivePrizeBook {
    mapping(address winner => uint256 amount) public prizeOf;

    error NaiveNothingToClaim();
    error NaiveTransferFailed();

    receive() external payable {}

    function setPrizes(address[] calldata winners, uint256[] calldata amounts) external {
        for (uint256 i; i < winners.length; ++i) {
            prizeOf[winners[i]] = amounts[i];
        }
    }

    function claim() external {
        uint256 amount = prizeOf[msg.sender];
        if (amount == 0) revert NaiveNothingToClaim();
        prizeOf[msg.sender] = 0;
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert NaiveTransferFailed();
    }
}
