// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @dev The whole in basis points: weights, payout schedules, rakes and caps are parts of it.
uint256 constant BPS = 10_000;

/// @dev One in 18-decimal fixed point: a fungible price is per WAD base units, a basket's
/// values are kept in wei times WAD, and WAD claim units make a whole NFT.
uint256 constant WAD = 1e18;

/// @dev No code: it gives this file a contract type. Ape's compile cache counts a source as
/// built only when it has one, and compiled a file of constants alone again on every
/// `ape compile` and `ape test`.
library Units {}
