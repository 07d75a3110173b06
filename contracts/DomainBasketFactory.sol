// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {DomainBasket} from "./DomainBasket.sol";
import {RegistryFactory} from "./base/RegistryFactory.sol";
import {IDomainBasketFactory} from "./interfaces/IDomainBasketFactory.sol";

/// @title DomainBasketFactory
/// @notice See {IDomainBasketFactory}. Anyone may create a basket and owns it.
/// @dev Baskets are plain deployments (`new DomainBasket`), not clones: an OpenZeppelin ERC-20
/// keeps its name and symbol in constructor-set storage, and a basket is created rarely, so
/// the simpler, initializer-free form wins over the cheaper one.
contract DomainBasketFactory is IDomainBasketFactory, RegistryFactory {
    address private immutable _oracle;

    /// @dev A basket is a plain deployment that carries no registry index, so membership is a mapping.
    mapping(address basket => bool) private _isBasket;

    /// @param admin Holder of DEFAULT_ADMIN_ROLE (not the zero address).
    /// @param oracle_ The oracle every basket uses.
    constructor(address admin, address oracle_) RegistryFactory(admin) {
        if (oracle_ == address(0)) revert BasketFactoryZeroAddress();
        _oracle = oracle_;
    }

    /// @inheritdoc IDomainBasketFactory
    function createBasket(string calldata name, string calldata symbol, Component[] calldata components)
        external
        whenNotPaused
        returns (address basket)
    {
        basket = address(new DomainBasket(msg.sender, _oracle, name, symbol, components));
        uint256 index = _register(basket);
        _isBasket[basket] = true;
        emit BasketCreated(basket, msg.sender, index, name, symbol, components);
    }

    /// @inheritdoc IDomainBasketFactory
    function oracle() external view returns (address) {
        return _oracle;
    }

    /// @inheritdoc IDomainBasketFactory
    function basketCount() external view returns (uint256) {
        return _instanceCount();
    }

    /// @inheritdoc IDomainBasketFactory
    function basketAt(uint256 index) external view returns (address) {
        return _instanceAt(index);
    }

    /// @inheritdoc IDomainBasketFactory
    function baskets(uint256 offset, uint256 limit) external view returns (address[] memory page) {
        return _instancePage(offset, limit);
    }

    /// @inheritdoc IDomainBasketFactory
    function isBasket(address basket) external view returns (bool) {
        return _isBasket[basket];
    }
}
