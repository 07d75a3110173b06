// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

import {IDomaOwnershipToken} from "../interfaces/IDomaOwnershipToken.sol";
import {ITokenMoves} from "../interfaces/ITransferCounters.sol";

/// @title DomaOwnershipToken (local stand-in)
/// @notice A stand-in for Doma's Ownership Token on local chains and in tests.
/// NEVER deploy it to a Doma network: there the real token exists; the deploy script refuses.
contract DomaOwnershipToken is IDomaOwnershipToken, ITokenMoves, ERC721, AccessControl {
    /// @dev One slot per domain.
    struct Registration {
        uint64 expiresAt;
        uint192 registrarIanaId;
    }

    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    mapping(uint256 tokenId => Registration) private _registrations;
    /// @dev Changes of hands per token: the local marketplace kills a listing once it moves.
    mapping(uint256 tokenId => uint256 moves) private _moves;

    constructor(address admin) ERC721("Doma Ownership Token (local)", "DOMA-OT") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Tokenizes a domain: mints `tokenId` to `to`, expiring at `expiresAt`. Registrar role.
    function mint(address to, uint256 tokenId, uint64 expiresAt, uint192 registrarIanaId)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        if (expiresAt <= block.timestamp) revert DomaExpiryNotInFuture(expiresAt, block.timestamp);
        if (registrarIanaId == 0) revert DomaZeroRegistrar();
        _registrations[tokenId] = Registration(expiresAt, registrarIanaId);
        // NOTE: _safeMint calls onERC721Received on a contract recipient; state is written first.
        _safeMint(to, tokenId);
        emit OwnershipTokenMinted(tokenId, to, registrarIanaId, expiresAt);
    }

    /// @notice Extends a registration to `expiresAt`, also reviving an expired token. Registrar role.
    function renew(uint256 tokenId, uint64 expiresAt) external onlyRole(REGISTRAR_ROLE) {
        _requireOwned(tokenId);
        uint256 previous = _registrations[tokenId].expiresAt;
        if (expiresAt <= previous) revert DomaRenewalNotLater(tokenId, previous, expiresAt);
        if (expiresAt <= block.timestamp) revert DomaExpiryNotInFuture(expiresAt, block.timestamp);
        _registrations[tokenId].expiresAt = expiresAt;
        emit OwnershipTokenRenewed(tokenId, previous, expiresAt);
    }

    /// @notice Burns a token, expired or not. Registrar role.
    function burn(uint256 tokenId) external onlyRole(REGISTRAR_ROLE) {
        _burn(tokenId);
        delete _registrations[tokenId];
        emit OwnershipTokenBurned(tokenId);
    }

    /// @inheritdoc IDomaOwnershipToken
    function expirationOf(uint256 tokenId) external view returns (uint256) {
        _requireOwned(tokenId);
        return _registrations[tokenId].expiresAt;
    }

    /// @inheritdoc IDomaOwnershipToken
    function registrarOf(uint256 tokenId) external view returns (uint256) {
        _requireOwned(tokenId);
        return _registrations[tokenId].registrarIanaId;
    }

    /// @inheritdoc ITokenMoves
    function movesOf(uint256 tokenId) external view returns (uint256) {
        return _moves[tokenId];
    }

    /// @notice True when `tokenId` exists and its registration has lapsed.
    function isExpired(uint256 tokenId) external view returns (bool) {
        _requireOwned(tokenId);
        return _registrations[tokenId].expiresAt <= block.timestamp;
    }

    /// @inheritdoc ERC721
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, AccessControl) returns (bool) {
        return interfaceId == type(IDomaOwnershipToken).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @dev Blocks transfers (not mints or burns) of an expired token; counts every move.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        address from = _ownerOf(tokenId);
        if (from != address(0) && to != address(0)) {
            uint256 expiresAt = _registrations[tokenId].expiresAt;
            if (expiresAt <= block.timestamp) revert DomaTokenExpired(tokenId, expiresAt, block.timestamp);
        }
        ++_moves[tokenId];
        return super._update(to, tokenId, auth);
    }
}
