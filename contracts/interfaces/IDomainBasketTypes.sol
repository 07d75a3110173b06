// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IDomainBasketTypes
/// @notice Types shared by {IDomainBasket} and {IDomainBasketFactory}.
interface IDomainBasketTypes {
    /// @notice The standard of a basket component.
    enum ComponentKind {
        ERC721,
        ERC20
    }

    /// @notice One component of a basket. ERC-721: one whole domain `(token, tokenId)`.
    /// ERC-20: a fractional domain token (`tokenId` 0). `weightBps` is its target weight;
    /// the weights of a basket sum to 10,000.
    struct Component {
        ComponentKind kind;
        address token;
        uint256 tokenId;
        uint16 weightBps;
    }
}
