// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title ITokenMoves
/// @notice An ERC-721 that counts every change of hands of each token (mint, transfer, burn),
/// so that a listing can tell the token it was made for has not moved since.
interface ITokenMoves {
    /// @notice How many times `tokenId` has changed hands; never decreases.
    function movesOf(uint256 tokenId) external view returns (uint256);
}

/// @title IAccountOutflows
/// @notice An ERC-20 that counts the transfers (and burns) out of each account, so that a
/// listing can tell none of the seller's units left her since.
interface IAccountOutflows {
    /// @notice How many transfers have left `account`; never decreases.
    function outflowsOf(address account) external view returns (uint256);
}
