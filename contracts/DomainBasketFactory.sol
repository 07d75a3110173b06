// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {DomainBasket} from "./DomainBasket.sol";
import {IDomainBasketFactory} from "./interfaces/IDomainBasketFactory.sol";

/// @title DomainBasketFactory
/// @notice See {IDomainBasketFactory}. Anyone may create a basket and owns it.
/// @dev Baskets are plain deployments (`new DomainBasket`), not clones: an OpenZeppelin ERC-20
/// keeps its name and symbol in constructor-set storage, and a basket is created rarely, so
/// the simpler, initializer-free form wins over the cheaper one.
contract DomainBasketFactory is IDomainBasketFactory, AccessControl, Pausable {
    address private immutable _oracle;

    address[] private _baskets;
    mapping(address basket => bool) private _isBasket;

    /// @param admin Holder of DEFAULT_ADMIN_ROLE (pauses creation).
    /// @param oracle_ The oracle every basket uses.
    constructor(address admin, address oracle_) {
        if (admin == address(0) || oracle_ == address(0)) revert BasketFactoryZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _oracle = oracle_;
    }

    /// @inheritdoc IDomainBasketFactory
    function createBasket(string calldata name, string calldata symbol, Component[] calldata components)
        external
        whenNotPaused
        returns (address basket)
    {
        basket = address(new DomainBasket(msg.sender, _oracle, name, symbol, components));
        uint256 index = _baskets.length;
        _baskets.push(basket);
        _isBasket[basket] = true;
        emit BasketCreated(basket, msg.sender, index, name, symbol, components);
    }

    /// @inheritdoc IDomainBasketFactory
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc IDomainBasketFactory
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc IDomainBasketFactory
    function oracle() external view returns (address) {
        return _oracle;
    }

    /// @inheritdoc IDomainBasketFactory
    function basketCount() external view returns (uint256) {
        return _baskets.length;
    }

    /// @inheritdoc IDomainBasketFactory
    function basketAt(uint256 index) external view returns (address) {
        return _baskets[index];
    }

    /// @inheritdoc IDomainBasketFactory
    function baskets(uint256 offset, uint256 limit) external view returns (address[] memory page) {
        uint256 total = _baskets.length;
        if (offset >= total) return new address[](0);
        uint256 n = total - offset < limit ? total - offset : limit;
        page = new address[](n);
        for (uint256 i; i < n; ++i) {
            page[i] = _baskets[offset + i];
        }
    }

    /// @inheritdoc IDomainBasketFactory
    function isBasket(address basket) external view returns (bool) {
        return _isBasket[basket];
    }
}
