// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PlantedVoucher
/// @notice Test-only, never deployed: `issue` draws a voucher code from a hash, stores it
/// and announces it in an event; `redeem` with that code drains the book (the planted bug).
/// No constant in the bytecode gives the code away: only the event and storage do.
contract PlantedVoucher {
    /// @notice A voucher was issued.
    event VoucherIssued(uint256 code);

    uint256 private _code;

    /// @notice Whether the book was drained (the property says: never).
    bool public drained;

    /// @notice Issues a voucher code.
    function issue() external {
        _code = uint256(keccak256(abi.encode(msg.sender, address(this)))) % 1e30;
        emit VoucherIssued(_code);
    }

    /// @notice Redeems a code: the bug drains the book for the issued one.
    function redeem(uint256 code) external {
        if (_code != 0 && code == _code) drained = true;
    }
}
