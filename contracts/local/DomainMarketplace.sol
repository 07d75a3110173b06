// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IDomainMarketplace} from "../interfaces/IDomainMarketplace.sol";
import {IDomaOwnershipToken} from "../interfaces/IDomaOwnershipToken.sol";

/// @title DomainMarketplace (local stand-in)
/// @notice Fixed-price listings of domain tokens paid in the native currency, so that local
/// chains, tests and the demo have trades with real prices. NEVER deployed to a Doma network.
/// @dev No escrow (approval-based), pull payments; see IDomainMarketplace. An ERC-721 listing
/// lives on the token's own approval (`approve(marketplace, tokenId)`), which ERC-721 clears on
/// every transfer: once the token leaves the seller, the listing is dead for good, even if the
/// token comes back while an approval for all is still set.
contract DomainMarketplace is IDomainMarketplace, Ownable, Pausable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    uint256 private _listingCount;
    mapping(uint256 listingId => Listing) private _listings;
    mapping(address seller => uint256 wei_) private _proceeds;
    /// @dev The newest listing of each ERC-721 token: a new listing supersedes older ones.
    mapping(address token => mapping(uint256 tokenId => uint256 listingId)) private _current;

    /// @dev The deployer may pause listing and buying (never cancel or withdraw).
    constructor() Ownable(msg.sender) {}

    /// @inheritdoc IDomainMarketplace
    function listERC721(address token, uint256 tokenId, uint256 price)
        external
        whenNotPaused
        returns (uint256 listingId)
    {
        if (price == 0) revert MarketplaceZeroPrice();
        address owner = IERC721(token).ownerOf(tokenId);
        if (owner != msg.sender) revert MarketplaceNotTokenOwner(token, tokenId, msg.sender, owner);
        if (IERC721(token).getApproved(tokenId) != address(this)) revert MarketplaceNotApproved(token, tokenId);
        listingId = _store(Listing(msg.sender, Kind.ERC721, true, token, tokenId, 1, price));
        _current[token][tokenId] = listingId;
    }

    /// @inheritdoc IDomainMarketplace
    function listERC20(address token, uint256 amount, uint256 price)
        external
        whenNotPaused
        returns (uint256 listingId)
    {
        if (price == 0) revert MarketplaceZeroPrice();
        if (amount == 0) revert MarketplaceZeroAmount();
        uint256 balance = IERC20(token).balanceOf(msg.sender);
        if (balance < amount) revert MarketplaceInsufficientBalance(token, balance, amount);
        if (IERC20(token).allowance(msg.sender, address(this)) < amount) revert MarketplaceNotApproved(token, amount);
        listingId = _store(Listing(msg.sender, Kind.ERC20, true, token, 0, amount, price));
    }

    /// @inheritdoc IDomainMarketplace
    function buy(uint256 listingId) external payable nonReentrant whenNotPaused {
        Listing memory l = _listings[listingId];
        if (!l.active) revert MarketplaceListingNotActive(listingId);
        if (l.kind == Kind.ERC721) _requireLive(listingId, l);
        if (msg.value != l.price) revert MarketplaceWrongPayment(listingId, msg.value, l.price);
        if (msg.sender == l.seller) revert MarketplaceSelfPurchase(listingId, l.seller);
        // Effects before interactions: the listing is closed and the seller credited before
        // the token contract is called, so a re-entrant call finds nothing left to buy.
        _listings[listingId].active = false;
        _proceeds[l.seller] += l.price;
        emit Sold(listingId, l.seller, msg.sender, l.token, l.tokenId, l.amount, l.price);
        if (l.kind == Kind.ERC721) {
            // The seller approved this marketplace and listed the token: its consent.
            IERC721(l.token).safeTransferFrom(l.seller, msg.sender, l.tokenId);
        } else {
            // slither-disable-next-line arbitrary-send-erc20
            IERC20(l.token).safeTransferFrom(l.seller, msg.sender, l.amount); // seller listed and approved
        }
    }

    /// @inheritdoc IDomainMarketplace
    function cancel(uint256 listingId) external {
        Listing storage l = _listings[listingId];
        if (!l.active) revert MarketplaceListingNotActive(listingId);
        if (l.seller != msg.sender) revert MarketplaceNotSeller(listingId, msg.sender, l.seller);
        l.active = false;
        emit Cancelled(listingId, msg.sender);
    }

    /// @inheritdoc IDomainMarketplace
    function withdraw(address payable to) external nonReentrant {
        if (to == address(0)) revert MarketplaceZeroRecipient();
        uint256 amount = _proceeds[msg.sender];
        if (amount == 0) revert MarketplaceNothingToWithdraw(msg.sender);
        // Effects before the interaction: the balance is zeroed before ether leaves.
        _proceeds[msg.sender] = 0;
        emit ProceedsWithdrawn(msg.sender, to, amount);
        // slither-disable-next-line arbitrary-send-eth,low-level-calls
        (bool ok,) = to.call{value: amount}(""); // the caller's own proceeds, to its chosen address
        if (!ok) revert MarketplaceWithdrawFailed(to, amount);
    }

    /// @inheritdoc IDomainMarketplace
    function pause() external onlyOwner {
        _pause();
    }

    /// @inheritdoc IDomainMarketplace
    function unpause() external onlyOwner {
        _unpause();
    }

    /// @inheritdoc IDomainMarketplace
    function isLive(uint256 listingId) external view returns (bool) {
        Listing memory l = _listings[listingId];
        if (!l.active) return false;
        if (l.kind == Kind.ERC20) return true;
        return _current[l.token][l.tokenId] == listingId && IERC721(l.token).getApproved(l.tokenId) == address(this)
            && IERC721(l.token).ownerOf(l.tokenId) == l.seller && !_expired(l.token, l.tokenId);
    }

    /// @dev An ERC-721 listing is dead once superseded, once its token left the seller (the
    /// token's approval is cleared by any transfer) or once the domain expired.
    function _requireLive(uint256 listingId, Listing memory l) private view {
        if (_current[l.token][l.tokenId] != listingId || IERC721(l.token).getApproved(l.tokenId) != address(this)) {
            revert MarketplaceListingNotActive(listingId);
        }
        if (_expired(l.token, l.tokenId)) revert MarketplaceListingNotActive(listingId);
    }

    /// @dev ERC-165 probe for Doma's expiry interface; a token without it never expires.
    function _expired(address token, uint256 tokenId) private view returns (bool) {
        try IERC165(token).supportsInterface(type(IDomaOwnershipToken).interfaceId) returns (bool yes) {
            if (!yes) return false;
        } catch {
            return false;
        }
        // Timestamp triage: registrations last months to years; seconds of drift cannot matter.
        // slither-disable-next-line timestamp
        return IDomaOwnershipToken(token).expirationOf(tokenId) <= block.timestamp;
    }

    /// @inheritdoc IDomainMarketplace
    function listing(uint256 listingId) external view returns (Listing memory) {
        return _listings[listingId];
    }

    /// @inheritdoc IDomainMarketplace
    function listingCount() external view returns (uint256) {
        return _listingCount;
    }

    /// @inheritdoc IDomainMarketplace
    function proceedsOf(address account) external view returns (uint256) {
        return _proceeds[account];
    }

    function _store(Listing memory l) private returns (uint256 listingId) {
        listingId = ++_listingCount;
        _listings[listingId] = l;
        emit Listed(listingId, l.seller, l.token, l.kind, l.tokenId, l.amount, l.price);
    }
}
