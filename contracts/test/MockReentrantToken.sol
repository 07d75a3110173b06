// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test helper: an ERC-20 whose transfers call back into a target once armed
/// (e.g. a basket's `redeem` while the basket pays it out), to prove the reentrancy guard.
contract MockReentrantToken is ERC20 {
    address private _target;
    bytes private _data;

    constructor() ERC20("Reentrant", "RE") {}

    /// @notice Mints `amount` to `to` (anyone: a test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice From now on every transfer calls `target` with `data` first, bubbling its revert.
    function arm(address target, bytes calldata data) external {
        _target = target;
        _data = data;
    }

    function _update(address from, address to, uint256 value) internal override {
        address target = _target;
        if (target != address(0) && from != address(0)) {
            // Triage: a test mock whose purpose is to re-enter its caller.
            // slither-disable-next-line low-level-calls
            (bool ok, bytes memory ret) = target.call(_data);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
        super._update(from, to, value);
    }
}
