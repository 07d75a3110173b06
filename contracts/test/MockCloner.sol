// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

/// @notice Test helper: forges a clone byte-for-byte like a real competition, from another deployer.
contract MockCloner {
    event Cloned(address clone);

    function cloneLike(address implementation, address real) external returns (address clone) {
        clone = Clones.cloneWithImmutableArgs(implementation, Clones.fetchCloneArgs(real));
        emit Cloned(clone);
    }
}
