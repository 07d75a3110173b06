// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IValuationOracle} from "./interfaces/IValuationOracle.sol";
import {PriceMath} from "./libraries/PriceMath.sol";

/// @title ValuationOracle
/// @notice Reporter-fed domain prices with a change cap per token per time window and a
/// staleness bound ("sanity checks and caps"). See {IValuationOracle}.
contract ValuationOracle is IValuationOracle, AccessControl, Pausable {
    using SafeCast for uint256;

    /// @dev One slot per price: 192 bits hold any realistic wei price.
    struct Price {
        uint192 price;
        uint64 updatedAt;
    }

    bytes32 public constant REPORTER_ROLE = keccak256("REPORTER_ROLE");
    /// @notice Largest batch accepted by the batch setters, to keep every loop bounded.
    uint256 public constant MAX_BATCH = 256;
    /// @notice Upper bound of `maxChangeBps` (a 100x move), keeping the cap math overflow-free.
    uint256 public constant MAX_CHANGE_BPS_LIMIT = 1_000_000;

    /// @dev The price a cap window measures moves from, and when that window opened.
    struct Window {
        uint192 anchor;
        uint64 startedAt;
    }

    /// @notice The cap window a new oracle starts with.
    uint256 public constant DEFAULT_CAP_WINDOW = 1 hours;

    mapping(address collection => mapping(uint256 tokenId => Price)) private _prices;
    mapping(address token => Price) private _fungiblePrices;
    /// @dev Keyed by {_key}: one window per priced token, NFT or fungible.
    mapping(bytes32 key => Window) private _windows;
    uint256 private _maxAge;
    uint256 private _maxChangeBps;
    uint256 private _capWindow;

    /// @param admin Holder of DEFAULT_ADMIN_ROLE: configures, overrides, pauses, grants reporters.
    /// @param maxAge_ Seconds after which a price is stale.
    /// @param maxChangeBps_ Largest move of one capped update, in basis points.
    constructor(address admin, uint256 maxAge_, uint256 maxChangeBps_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setMaxAge(maxAge_);
        _setMaxChangeBps(maxChangeBps_);
        _setCapWindow(DEFAULT_CAP_WINDOW);
    }

    /// @inheritdoc IValuationOracle
    function setPrice(address collection, uint256 tokenId, uint256 price)
        external
        onlyRole(REPORTER_ROLE)
        whenNotPaused
    {
        _write(_prices[collection][tokenId], collection, tokenId, false, price, true);
    }

    /// @inheritdoc IValuationOracle
    function setPrices(address[] calldata collections, uint256[] calldata tokenIds, uint256[] calldata prices)
        external
        onlyRole(REPORTER_ROLE)
        whenNotPaused
    {
        uint256 n = collections.length;
        _checkBatch(n, tokenIds.length);
        _checkBatch(n, prices.length);
        for (uint256 i; i < n; ++i) {
            _once(collections[i], tokenIds[i], false);
            _write(_prices[collections[i]][tokenIds[i]], collections[i], tokenIds[i], false, prices[i], true);
        }
    }

    /// @inheritdoc IValuationOracle
    function setFungiblePrice(address token, uint256 price) external onlyRole(REPORTER_ROLE) whenNotPaused {
        _write(_fungiblePrices[token], token, 0, true, price, true);
    }

    /// @inheritdoc IValuationOracle
    function setFungiblePrices(address[] calldata tokens, uint256[] calldata prices)
        external
        onlyRole(REPORTER_ROLE)
        whenNotPaused
    {
        uint256 n = tokens.length;
        _checkBatch(n, prices.length);
        for (uint256 i; i < n; ++i) {
            _once(tokens[i], 0, true);
            _write(_fungiblePrices[tokens[i]], tokens[i], 0, true, prices[i], true);
        }
    }

    /// @inheritdoc IValuationOracle
    function overridePrice(address collection, uint256 tokenId, uint256 price)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
        whenNotPaused
    {
        _write(_prices[collection][tokenId], collection, tokenId, false, price, false);
    }

    /// @inheritdoc IValuationOracle
    function overrideFungiblePrice(address token, uint256 price) external onlyRole(DEFAULT_ADMIN_ROLE) whenNotPaused {
        _write(_fungiblePrices[token], token, 0, true, price, false);
    }

    /// @inheritdoc IValuationOracle
    function setMaxAge(uint256 maxAge_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxAge(maxAge_);
    }

    /// @inheritdoc IValuationOracle
    function setMaxChangeBps(uint256 maxChangeBps_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxChangeBps(maxChangeBps_);
        _setCapWindow(DEFAULT_CAP_WINDOW);
    }

    /// @inheritdoc IValuationOracle
    function setCapWindow(uint256 capWindow_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setCapWindow(capWindow_);
    }

    /// @inheritdoc IValuationOracle
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc IValuationOracle
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    function _write(Price storage slot, address token, uint256 tokenId, bool fungible, uint256 price, bool capped)
        private
    {
        if (token == address(0)) revert OracleZeroToken();
        if (price == 0) revert OracleZeroPrice(token, tokenId);
        uint256 previous = slot.price;
        Window storage w = _windows[_key(token, tokenId, fungible)];
        if (capped && previous != 0) {
            // The cap is measured from the price when the window opened, not from the last
            // update: many small moves within one window add up to at most one cap.
            Window memory current = w;
            // Timestamp triage: windows are minutes to hours long; drift cannot matter.
            // slither-disable-next-line timestamp
            if (block.timestamp >= uint256(current.startedAt) + _capWindow) {
                current = Window(uint192(previous), uint64(block.timestamp));
                w.anchor = current.anchor;
                w.startedAt = current.startedAt;
            }
            if (PriceMath.exceedsChangeCap(current.anchor, price, _maxChangeBps)) {
                revert OraclePriceChangeTooLarge(token, tokenId, current.anchor, price, _maxChangeBps);
            }
        } else {
            // A first price or an admin override is the new baseline.
            w.anchor = price.toUint192();
            w.startedAt = uint64(block.timestamp);
        }
        slot.price = price.toUint192();
        slot.updatedAt = uint64(block.timestamp);
        emit PriceUpdated(token, tokenId, fungible, previous, price, msg.sender, !capped);
    }

    function _setMaxAge(uint256 maxAge_) private {
        if (maxAge_ == 0) revert OracleInvalidMaxAge(maxAge_);
        emit MaxAgeUpdated(_maxAge, maxAge_);
        _maxAge = maxAge_;
    }

    function _setMaxChangeBps(uint256 maxChangeBps_) private {
        if (maxChangeBps_ == 0 || maxChangeBps_ > MAX_CHANGE_BPS_LIMIT) revert OracleInvalidMaxChangeBps(maxChangeBps_);
        emit MaxChangeBpsUpdated(_maxChangeBps, maxChangeBps_);
        _maxChangeBps = maxChangeBps_;
    }

    function _setCapWindow(uint256 capWindow_) private {
        if (capWindow_ == 0) revert OracleInvalidCapWindow(capWindow_);
        emit CapWindowUpdated(_capWindow, capWindow_);
        _capWindow = capWindow_;
    }

    /// @dev Refuses a token seen before in this transaction: a batch repeating a token could
    /// otherwise chain capped moves (transient storage, cleared when the transaction ends).
    function _once(address token, uint256 tokenId, bool fungible) private {
        bytes32 key = _key(token, tokenId, fungible);
        bool seen;
        assembly ("memory-safe") {
            seen := tload(key)
            tstore(key, 1)
        }
        if (seen) revert OracleDuplicateInBatch(token, tokenId);
    }

    function _key(address token, uint256 tokenId, bool fungible) private pure returns (bytes32) {
        return keccak256(abi.encode(token, tokenId, fungible));
    }

    function _checkBatch(uint256 n, uint256 m) private pure {
        if (n != m) revert OracleLengthMismatch(n, m);
        if (n > MAX_BATCH) revert OracleBatchTooLarge(n, MAX_BATCH);
    }

    /// @inheritdoc IValuationOracle
    function priceOf(address collection, uint256 tokenId) external view returns (uint256) {
        return _fresh(_prices[collection][tokenId], collection, tokenId);
    }

    /// @inheritdoc IValuationOracle
    function fungiblePriceOf(address token) external view returns (uint256) {
        return _fresh(_fungiblePrices[token], token, 0);
    }

    /// @inheritdoc IValuationOracle
    function latestPrice(address collection, uint256 tokenId) external view returns (uint256 price, uint256 updatedAt) {
        Price memory p = _prices[collection][tokenId];
        return (p.price, p.updatedAt);
    }

    /// @inheritdoc IValuationOracle
    function latestFungiblePrice(address token) external view returns (uint256 price, uint256 updatedAt) {
        Price memory p = _fungiblePrices[token];
        return (p.price, p.updatedAt);
    }

    /// @inheritdoc IValuationOracle
    function maxAge() external view returns (uint256) {
        return _maxAge;
    }

    /// @inheritdoc IValuationOracle
    function maxChangeBps() external view returns (uint256) {
        return _maxChangeBps;
    }

    /// @inheritdoc IValuationOracle
    function capWindow() external view returns (uint256) {
        return _capWindow;
    }

    /// @inheritdoc IValuationOracle
    function capWindowOf(address token, uint256 tokenId, bool fungible)
        external
        view
        returns (uint256 anchor, uint256 startedAt)
    {
        Window memory w = _windows[_key(token, tokenId, fungible)];
        return (w.anchor, w.startedAt);
    }

    function _fresh(Price storage slot, address token, uint256 tokenId) private view returns (uint256) {
        Price memory p = slot;
        if (p.price == 0) revert OraclePriceNotSet(token, tokenId);
        if (PriceMath.isStale(p.updatedAt, _maxAge, block.timestamp)) {
            revert OraclePriceStale(token, tokenId, p.updatedAt, _maxAge, block.timestamp);
        }
        return p.price;
    }
}
