// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice Test helper: a treasury or entrant that refuses native tokens.
contract MockEtherRejecter {
    error MockRejected();

    /// @notice Forwards a call (e.g. `join()` with its fee) so this contract can be an entrant.
    function forward(address target, bytes calldata data) external payable returns (bytes memory) {
        // Triage: a test mock that forwards arbitrary calls on purpose.
        // slither-disable-next-line arbitrary-send-eth,low-level-calls
        (bool ok, bytes memory ret) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    receive() external payable {
        revert MockRejected();
    }
}
