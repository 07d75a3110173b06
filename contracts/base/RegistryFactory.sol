// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {IRegistryFactory} from "../interfaces/IRegistryFactory.sol";

/// @title RegistryFactory
/// @notice See {IRegistryFactory}: the admin and guardian roles, the pause and the registry
/// of created instances, written once so that every factory behaves the same.
/// @dev A factory calls `_register` for each instance it creates and exposes the registry
/// through getters named after what it creates (`competitionAt`, `basketAt`, ...).
abstract contract RegistryFactory is IRegistryFactory, AccessControl, Pausable {
    /// @inheritdoc IRegistryFactory
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @dev Every instance created, in creation order; never shrinks, so an index is stable.
    address[] private _instances;

    /// @param admin Holder of DEFAULT_ADMIN_ROLE.
    constructor(address admin) {
        if (admin == address(0)) revert FactoryZeroAdmin();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IRegistryFactory
    function pause() external {
        if (!hasRole(GUARDIAN_ROLE, msg.sender)) _checkRole(DEFAULT_ADMIN_ROLE);
        _pause();
    }

    /// @inheritdoc IRegistryFactory
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @dev Appends `instance` to the registry; returns its index (the count before).
    function _register(address instance) internal returns (uint256 index) {
        index = _instances.length;
        _instances.push(instance);
    }

    /// @dev Number of instances created.
    function _instanceCount() internal view returns (uint256) {
        return _instances.length;
    }

    /// @dev The instance at `index`; reverts (array bounds) past the end.
    function _instanceAt(uint256 index) internal view returns (address) {
        return _instances[index];
    }

    /// @dev True when `instance` is registered at `index` (false past the end, never reverts).
    function _isRegisteredAt(uint256 index, address instance) internal view returns (bool) {
        return index < _instances.length && _instances[index] == instance;
    }

    /// @dev Up to `limit` instances from `offset`, oldest first; empty past the end.
    function _instancePage(uint256 offset, uint256 limit) internal view returns (address[] memory page) {
        uint256 total = _instances.length;
        if (offset >= total) return new address[](0);
        uint256 n = total - offset < limit ? total - offset : limit;
        page = new address[](n);
        for (uint256 i; i < n; ++i) {
            page[i] = _instances[offset + i];
        }
    }
}
