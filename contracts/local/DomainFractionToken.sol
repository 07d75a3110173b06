// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {IAccountOutflows} from "../interfaces/ITransferCounters.sol";

/// @title DomainFractionToken (local stand-in)
/// @notice A fungible fractional domain token (ERC-20, 18 decimals) for local chains and tests:
/// Doma fractionalizes an Ownership Token into such a token. Minted by MINTER_ROLE.
contract DomainFractionToken is IAccountOutflows, ERC20, AccessControl {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @dev Transfers out per account: the local marketplace kills a listing once units leave.
    mapping(address account => uint256 count) private _outflows;

    constructor(address admin, string memory name_, string memory symbol_) ERC20(name_, symbol_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Mints `amount` base units to `to`. Minter role.
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @inheritdoc IAccountOutflows
    function outflowsOf(address account) external view returns (uint256) {
        return _outflows[account];
    }

    /// @dev Counts every transfer or burn out of an account (mints leave no one).
    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0)) ++_outflows[from];
        super._update(from, to, value);
    }
}
