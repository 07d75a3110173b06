// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ICompetition} from "./interfaces/ICompetition.sol";
import {ICompetitionFactory} from "./interfaces/ICompetitionFactory.sol";
import {ICompetitionTypes} from "./interfaces/ICompetitionTypes.sol";
import {IDomainBasket} from "./interfaces/IDomainBasket.sol";
import {IDomainBasketFactory} from "./interfaces/IDomainBasketFactory.sol";
import {IDomaOwnershipToken} from "./interfaces/IDomaOwnershipToken.sol";
import {IPortfolioTracker} from "./interfaces/IPortfolioTracker.sol";
import {IValuationOracle} from "./interfaces/IValuationOracle.sol";
import {WAD} from "./libraries/Units.sol";

/// @title PortfolioTracker
/// @notice See {IPortfolioTracker}. Values are final at a competition's end: updates are
/// accepted only while it is open, so the last value before `endTime` is what results use.
contract PortfolioTracker is IPortfolioTracker, AccessControl, Pausable {
    using SafeCast for uint256;

    /// @dev One slot per (competition, user).
    struct Valuation {
        uint192 value;
        uint64 updatedAt;
    }

    bytes32 public constant UPDATER_ROLE = keccak256("UPDATER_ROLE");
    /// @notice Most holdings valued in one update, keeping the loop bounded.
    uint256 public constant MAX_HOLDINGS = 64;

    IValuationOracle private immutable _oracle;
    address private _factory;
    address private _basketFactory;
    mapping(address competition => mapping(address user => Valuation)) private _valuations;

    constructor(address admin, address oracle_) {
        if (admin == address(0) || oracle_ == address(0)) revert TrackerZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _oracle = IValuationOracle(oracle_);
    }

    /// @inheritdoc IPortfolioTracker
    function updatePortfolioValue(address competition, address user, Holding[] calldata holdings)
        external
        onlyRole(UPDATER_ROLE)
        whenNotPaused
        returns (uint256 value)
    {
        address factory_ = _factory;
        if (factory_ == address(0) || !ICompetitionFactory(factory_).isCompetition(competition)) {
            revert TrackerUnknownCompetition(competition);
        }
        if (ICompetition(competition).status() != ICompetitionTypes.Status.Open) {
            revert TrackerCompetitionNotOpen(competition);
        }
        if (!ICompetition(competition).isParticipant(user)) revert TrackerNotParticipant(competition, user);
        uint256 n = holdings.length;
        if (n > MAX_HOLDINGS) revert TrackerTooManyHoldings(n, MAX_HOLDINGS);
        for (uint256 i; i < n; ++i) {
            Holding calldata h = holdings[i];
            if (i > 0) _checkAscending(holdings[i - 1], h, i);
            value += _valueOf(h, user, i);
        }
        _valuations[competition][user] = Valuation(value.toUint192(), uint64(block.timestamp));
        emit PortfolioValueUpdated(competition, user, value, n, keccak256(abi.encode(holdings)), msg.sender);
    }

    /// @inheritdoc IPortfolioTracker
    function setFactory(address factory_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_factory != address(0)) revert TrackerFactoryAlreadySet(_factory);
        if (factory_ == address(0)) revert TrackerZeroAddress();
        _factory = factory_;
        emit FactorySet(factory_);
    }

    /// @inheritdoc IPortfolioTracker
    function setBasketFactory(address basketFactory_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_basketFactory != address(0)) revert TrackerBasketFactoryAlreadySet(_basketFactory);
        if (basketFactory_ == address(0)) revert TrackerZeroAddress();
        address basketOracle = IDomainBasketFactory(basketFactory_).oracle();
        if (basketOracle != address(_oracle)) revert TrackerOracleMismatch(address(_oracle), basketOracle);
        _basketFactory = basketFactory_;
        emit BasketFactorySet(basketFactory_);
    }

    /// @inheritdoc IPortfolioTracker
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc IPortfolioTracker
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc IPortfolioTracker
    function oracle() external view returns (address) {
        return address(_oracle);
    }

    /// @inheritdoc IPortfolioTracker
    function factory() external view returns (address) {
        return _factory;
    }

    /// @inheritdoc IPortfolioTracker
    function basketFactory() external view returns (address) {
        return _basketFactory;
    }

    /// @inheritdoc IPortfolioTracker
    function valueOf(address competition, address user) external view returns (uint256 value, uint256 updatedAt) {
        Valuation memory v = _valuations[competition][user];
        return (v.value, v.updatedAt);
    }

    /// @dev Checks the holding is really held by `user`, then prices it.
    function _valueOf(Holding calldata h, address user, uint256 i) private view returns (uint256) {
        if (h.kind == AssetKind.ERC721) {
            if (h.amount != 1) revert TrackerInvalidHolding(i);
            address owner = IERC721(h.token).ownerOf(h.tokenId);
            if (owner != user) revert TrackerNotOwner(h.token, h.tokenId, user);
            if (_supportsExpiry(h.token)) {
                uint256 expiresAt = IDomaOwnershipToken(h.token).expirationOf(h.tokenId);
                // Timestamp triage: registrations last months to years; drift cannot matter.
                // slither-disable-next-line timestamp
                if (expiresAt <= block.timestamp) revert TrackerTokenExpired(h.token, h.tokenId, expiresAt);
            }
            return _oracle.priceOf(h.token, h.tokenId);
        }
        if (h.tokenId != 0 || h.amount == 0) revert TrackerInvalidHolding(i);
        if (h.kind == AssetKind.Basket) _checkBasket(h.token);
        uint256 balance = IERC20(h.token).balanceOf(user);
        if (balance < h.amount) revert TrackerInsufficientBalance(h.token, user, balance, h.amount);
        // A basket share is worth its NAV (the basket reverts on a stale price of its underlying).
        if (h.kind == AssetKind.Basket) return IDomainBasket(h.token).valueOfShares(h.amount);
        return Math.mulDiv(h.amount, _oracle.fungiblePriceOf(h.token), WAD);
    }

    /// @dev Only baskets of the admin-set factory: any other ERC-20 could report any value.
    function _checkBasket(address token) private view {
        address basketFactory_ = _basketFactory;
        if (basketFactory_ == address(0) || !IDomainBasketFactory(basketFactory_).isBasket(token)) {
            revert TrackerUnknownBasket(token);
        }
    }

    /// @dev Strictly ascending (token, tokenId): a holding listed twice would count twice.
    function _checkAscending(Holding calldata prev, Holding calldata h, uint256 i) private pure {
        if (h.token < prev.token || (h.token == prev.token && h.tokenId <= prev.tokenId)) {
            revert TrackerHoldingsNotSorted(i);
        }
    }

    /// @dev ERC-165 probe for Doma's expiry interface; a token without ERC-165 has no expiry.
    function _supportsExpiry(address token) private view returns (bool) {
        try IERC165(token).supportsInterface(type(IDomaOwnershipToken).interfaceId) returns (bool yes) {
            return yes;
        } catch {
            return false;
        }
    }
}
