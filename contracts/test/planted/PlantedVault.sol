// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PlantedVault
/// @notice Test-only, never deployed: a share vault over an internal asset ledger with the
/// classic first-depositor inflation bug: shares round down against the depositor, so a
/// first deposit of 1, a donation, then a second deposit mints the victim 0 shares. The
/// property: a deposit of at least 1 always mints at least 1 share.
contract PlantedVault {
    error PlantedZeroAmount();

    uint256 public totalAssets;
    uint256 public totalShares;
    mapping(address holder => uint256 shares) public sharesOf;

    /// @notice Deposits `assets` and returns the shares minted.
    function deposit(uint256 assets) external returns (uint256 shares) {
        if (assets == 0) revert PlantedZeroAmount();
        shares = totalShares == 0 ? assets : (assets * totalShares) / totalAssets;
        totalAssets += assets;
        totalShares += shares;
        sharesOf[msg.sender] += shares;
    }

    /// @notice Adds assets without minting shares (a direct transfer to the vault).
    function donate(uint256 assets) external {
        totalAssets += assets;
    }
}
