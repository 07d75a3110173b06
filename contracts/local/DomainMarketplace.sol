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
import {IAccountOutflows, ITokenMoves} from "../interfaces/ITransferCounters.sol";

/// @title DomainMarketplace (local stand-in)
/// @notice Fixed-price listings of domain tokens paid in the native currency, so that local
/// chains, tests and the demo have trades with real prices. NEVER deployed to a Doma network.
/// @dev No escrow (approval-based), pull payments; see IDomainMarketplace. A listing is dead once
/// its token leaves the seller, and never revives, even when the token comes back and is
/// approved again: an ERC-721 listing records the token's move count (`ITokenMoves`) and
/// needs it unchanged; an ERC-20 listing records the seller's generation, which ends when a
/// transfer out of the seller (`IAccountOutflows`) happens that was not a sale here. Tokens
/// without these counters are refused (the local stand-ins have them). An ERC-721 listing
/// also needs the token's own approval, which ERC-721 clears on every transfer.
contract DomainMarketplace is IDomainMarketplace, Ownable, Pausable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    uint256 private _listingCount;
    mapping(uint256 listingId => Listing) private _listings;
    mapping(address seller => uint256 wei_) private _proceeds;
    /// @dev The newest listing of each ERC-721 token: a new listing supersedes older ones.
    mapping(address token => mapping(uint256 tokenId => uint256 listingId)) private _current;
    /// @dev Per listing: the token's move count (ERC-721) or the seller's generation (ERC-20).
    mapping(uint256 listingId => uint256 stamp) private _stamp;
    /// @dev Per ERC-20 and seller: the outflow count this marketplace accounts for (its own sales
    /// included) and the generation it started; an outflow it did not make starts a new one.
    mapping(address token => mapping(address seller => uint256 count)) private _outflowsSeen;
    mapping(address token => mapping(address seller => uint256 generation)) private _generation;

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
        uint256 moves = _moves(token, tokenId);
        listingId = _store(Listing(msg.sender, Kind.ERC721, true, token, tokenId, 1, price));
        _current[token][tokenId] = listingId;
        _stamp[listingId] = moves;
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
        uint256 outflows = _outflows(token, msg.sender);
        uint256 generation = _generation[token][msg.sender];
        if (outflows != _outflowsSeen[token][msg.sender]) {
            // Units left the seller outside this marketplace: her older listings die here.
            generation += 1;
            _generation[token][msg.sender] = generation;
            _outflowsSeen[token][msg.sender] = outflows;
        }
        listingId = _store(Listing(msg.sender, Kind.ERC20, true, token, 0, amount, price));
        _stamp[listingId] = generation;
    }

    /// @inheritdoc IDomainMarketplace
    function buy(uint256 listingId) external payable nonReentrant whenNotPaused {
        Listing memory l = _listings[listingId];
        if (!l.active) revert MarketplaceListingNotActive(listingId);
        if (l.kind == Kind.ERC721) _requireLive(listingId, l);
        else _requireLiveERC20(listingId, l);
        if (msg.value != l.price) revert MarketplaceWrongPayment(listingId, msg.value, l.price);
        if (msg.sender == l.seller) revert MarketplaceSelfPurchase(listingId, l.seller);
        // Effects before interactions: the listing is closed and the seller credited before
        // the token contract is called, so a re-entrant call finds nothing left to buy.
        _listings[listingId].active = false;
        _proceeds[l.seller] += l.price;
        // This sale is the seller's next outflow; it keeps her other listings alive.
        if (l.kind == Kind.ERC20) ++_outflowsSeen[l.token][l.seller];
        emit Sold(listingId, l.seller, msg.sender, l.token, l.tokenId, l.amount, l.price);
        if (l.kind == Kind.ERC721) {
            // The seller approved this marketplace and listed the token: its consent.
            IERC721(l.token).safeTransferFrom(l.seller, msg.sender, l.tokenId);
        } else {
            // Triage (arbitrary-send-erc20): `from` is the listing's seller, who listed and approved.
            // slither-disable-next-line arbitrary-send-erc20
            IERC20(l.token).safeTransferFrom(l.seller, msg.sender, l.amount);
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
        // Triage: the caller's own proceeds, to the address it chose; a plain call lets contract
        // wallets receive.
        // slither-disable-next-line arbitrary-send-eth,low-level-calls
        (bool ok,) = to.call{value: amount}("");
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
        if (l.kind == Kind.ERC20) return _unmovedERC20(listingId, l);
        return _unmovedERC721(listingId, l) && IERC721(l.token).ownerOf(l.tokenId) == l.seller
            && !_expired(l.token, l.tokenId);
    }

    /// @dev An ERC-721 listing is dead once superseded, once its token moved at all since the
    /// listing (even if it came back) or once the domain expired.
    function _requireLive(uint256 listingId, Listing memory l) private view {
        if (!_unmovedERC721(listingId, l) || _expired(l.token, l.tokenId)) {
            revert MarketplaceListingNotActive(listingId);
        }
    }

    /// @dev An ERC-20 listing is dead once units left the seller other than by a sale here.
    function _requireLiveERC20(uint256 listingId, Listing memory l) private view {
        if (!_unmovedERC20(listingId, l)) revert MarketplaceListingNotActive(listingId);
    }

    function _unmovedERC721(uint256 listingId, Listing memory l) private view returns (bool) {
        return _current[l.token][l.tokenId] == listingId && _moves(l.token, l.tokenId) == _stamp[listingId]
            && IERC721(l.token).getApproved(l.tokenId) == address(this);
    }

    function _unmovedERC20(uint256 listingId, Listing memory l) private view returns (bool) {
        return _stamp[listingId] == _generation[l.token][l.seller]
            && _outflows(l.token, l.seller) == _outflowsSeen[l.token][l.seller];
    }

    /// @dev The token's move count; a token that does not count its moves cannot be listed.
    function _moves(address token, uint256 tokenId) private view returns (uint256) {
        try ITokenMoves(token).movesOf(tokenId) returns (uint256 moves) {
            return moves;
        } catch {
            revert MarketplaceUnsupportedToken(token);
        }
    }

    /// @dev The seller's outflow count; a token that does not count them cannot be listed.
    function _outflows(address token, address seller) private view returns (uint256) {
        try IAccountOutflows(token).outflowsOf(seller) returns (uint256 count) {
            return count;
        } catch {
            revert MarketplaceUnsupportedToken(token);
        }
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
