// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IDomaOwnershipToken
/// @notice The part of Doma Protocol's Ownership Token (an ERC-721 per tokenized domain)
/// that DomaCross relies on: each token has an expiration time and a registrar
/// (its IANA id), and an expired token cannot be transferred.
interface IDomaOwnershipToken {
    /// @notice The token expired at `expiresAt` and cannot move until renewed.
    error DomaTokenExpired(uint256 tokenId, uint256 expiresAt, uint256 nowTs);
    /// @notice An expiration time must lie in the future.
    error DomaExpiryNotInFuture(uint256 expiresAt, uint256 nowTs);
    /// @notice A renewal must push the expiration time later.
    error DomaRenewalNotLater(uint256 tokenId, uint256 currentExpiry, uint256 requestedExpiry);
    /// @notice A registrar IANA id must be non-zero.
    error DomaZeroRegistrar();

    /// @notice A domain was tokenized.
    event OwnershipTokenMinted(
        uint256 indexed tokenId, address indexed to, uint256 indexed registrarIanaId, uint256 expiresAt
    );
    /// @notice A domain's registration was extended.
    event OwnershipTokenRenewed(uint256 indexed tokenId, uint256 previousExpiry, uint256 expiresAt);
    /// @notice A domain's token was burned (detokenized or deleted).
    event OwnershipTokenBurned(uint256 indexed tokenId);

    /// @notice Unix time after which `tokenId` is expired. Reverts for a nonexistent token.
    function expirationOf(uint256 tokenId) external view returns (uint256);

    /// @notice IANA id of the registrar of `tokenId`. Reverts for a nonexistent token.
    function registrarOf(uint256 tokenId) external view returns (uint256);
}
