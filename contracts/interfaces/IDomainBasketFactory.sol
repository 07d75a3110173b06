// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IDomainBasketTypes} from "./IDomainBasketTypes.sol";
import {IRegistryFactory} from "./IRegistryFactory.sol";

/// @title IDomainBasketFactory
/// @notice Creates domain baskets ({IDomainBasket}) valued by one oracle and keeps their registry,
/// so that others (the {IPortfolioTracker}) can tell a real basket from any ERC-20. Admin,
/// guardian and pause as every factory: {IRegistryFactory}.
interface IDomainBasketFactory is IDomainBasketTypes, IRegistryFactory {
    /// @notice The oracle given at deployment is the zero address.
    error BasketFactoryZeroAddress();

    /// @notice `owner` created `basket`, the `index`-th of the registry.
    event BasketCreated(
        address indexed basket, address indexed owner, uint256 index, string name, string symbol, Component[] components
    );

    /// @notice Creates a basket owned by the caller. Reverts while paused, and on any invalid
    /// component or weights (see {IDomainBasket}'s errors).
    function createBasket(string calldata name, string calldata symbol, Component[] calldata components)
        external
        returns (address basket);

    /// @notice The oracle every basket of this factory uses.
    function oracle() external view returns (address);

    /// @notice Number of baskets created.
    function basketCount() external view returns (uint256);

    /// @notice The basket at `index` of the registry.
    function basketAt(uint256 index) external view returns (address);

    /// @notice Up to `limit` baskets from `offset`, oldest first.
    function baskets(uint256 offset, uint256 limit) external view returns (address[] memory page);

    /// @notice True when `basket` was created by this factory.
    function isBasket(address basket) external view returns (bool);
}
