// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PlantedMagicLock
/// @notice Test-only, never deployed: a deliberately buggy lock for the fuzz engine's
/// planted-bug suite. `unlock` must never open it, but it does for one magic key, and the
/// timed variant only inside a one-hour window.
contract PlantedMagicLock {
    uint256 private constant MAGIC = 0xdeadbeef;
    uint256 private constant WINDOW_START = 1_800_000_000;
    uint256 private constant WINDOW_LENGTH = 1 hours;

    /// @notice Whether the lock was opened (the property says: never).
    bool public opened;

    /// @notice The planted bug: opens for one key.
    function unlock(uint256 key) external {
        if (key == MAGIC) opened = true;
    }

    /// @notice The planted bug behind a time window: opens for one key during one hour.
    function unlockTimed(uint256 key) external {
        // Timestamp triage: the planted bug is this window on purpose (a test target, never deployed).
        // slither-disable-next-line timestamp
        bool inWindow = block.timestamp >= WINDOW_START && block.timestamp < WINDOW_START + WINDOW_LENGTH;
        if (key == MAGIC && inWindow) opened = true;
    }
}
