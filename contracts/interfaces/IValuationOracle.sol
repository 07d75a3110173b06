// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IValuationOracle
/// @notice Prices of tokenized domains, in wei of the chain's native token.
/// - An ERC-721 domain (a Doma Ownership Token) is priced per token: `(collection, tokenId)`.
/// - A fungible fractional domain token (ERC-20) is priced per 1e18 base units: `token`.
/// Reporters set prices; within one cap window (`capWindow()` seconds from the first capped
/// update after the last window closed) a price may move at most `maxChangeBps()` from the
/// price the window opened with, however many updates; a batch may name a token once. An
/// admin override bypasses the cap and opens a new window. Reads revert once a price is
/// older than `maxAge()`.
interface IValuationOracle {
    /// @notice A price of zero was reported; delisting is not a price.
    error OracleZeroPrice(address token, uint256 tokenId);
    /// @notice The token address is zero.
    error OracleZeroToken();
    /// @notice A reporter's update moves the price by more than the cap from the price its
    /// window opened with (`previousPrice`).
    error OraclePriceChangeTooLarge(
        address token, uint256 tokenId, uint256 previousPrice, uint256 newPrice, uint256 maxChangeBps
    );
    /// @notice No price was ever set for this domain.
    error OraclePriceNotSet(address token, uint256 tokenId);
    /// @notice The latest price is older than `maxAge`.
    error OraclePriceStale(address token, uint256 tokenId, uint256 updatedAt, uint256 maxAge, uint256 nowTs);
    /// @notice `maxAge` must be non-zero.
    error OracleInvalidMaxAge(uint256 maxAge);
    /// @notice `maxChangeBps` must be non-zero.
    error OracleInvalidMaxChangeBps(uint256 maxChangeBps);
    /// @notice Batch arrays differ in length.
    error OracleLengthMismatch(uint256 tokens, uint256 values);
    /// @notice A batch is larger than `MAX_BATCH`.
    error OracleBatchTooLarge(uint256 length, uint256 max);
    /// @notice A token appears twice in one transaction's batch.
    error OracleDuplicateInBatch(address token, uint256 tokenId);
    /// @notice The cap window must be non-zero.
    error OracleInvalidCapWindow(uint256 capWindow);

    /// @notice A price changed. `fungible` tells the ERC-20 form (then `tokenId` is 0).
    /// `overridden` marks an admin update that bypassed the change cap.
    event PriceUpdated(
        address indexed token,
        uint256 indexed tokenId,
        bool fungible,
        uint256 previousPrice,
        uint256 price,
        address indexed reporter,
        bool overridden
    );
    /// @notice The staleness bound changed.
    event MaxAgeUpdated(uint256 previousMaxAge, uint256 maxAge);
    /// @notice The change cap changed.
    event MaxChangeBpsUpdated(uint256 previousMaxChangeBps, uint256 maxChangeBps);
    /// @notice The cap window changed.
    event CapWindowUpdated(uint256 previousCapWindow, uint256 capWindow);

    /// @notice Sets the price of one ERC-721 domain. Reporter role; capped.
    function setPrice(address collection, uint256 tokenId, uint256 price) external;

    /// @notice Sets many ERC-721 domain prices at once (at most `MAX_BATCH`). Reporter role; capped.
    function setPrices(address[] calldata collections, uint256[] calldata tokenIds, uint256[] calldata prices)
        external;

    /// @notice Sets the price per 1e18 units of a fungible domain token. Reporter role; capped.
    function setFungiblePrice(address token, uint256 price) external;

    /// @notice Sets many fungible prices at once (at most `MAX_BATCH`). Reporter role; capped.
    function setFungiblePrices(address[] calldata tokens, uint256[] calldata prices) external;

    /// @notice Sets an ERC-721 domain price without the change cap. Admin role.
    function overridePrice(address collection, uint256 tokenId, uint256 price) external;

    /// @notice Sets a fungible price without the change cap. Admin role.
    function overrideFungiblePrice(address token, uint256 price) external;

    /// @notice Sets the staleness bound in seconds. Admin role.
    function setMaxAge(uint256 newMaxAge) external;

    /// @notice Sets the per-update change cap in basis points. Admin role.
    function setMaxChangeBps(uint256 newMaxChangeBps) external;

    /// @notice Sets the cap window in seconds (non-zero). Admin role.
    function setCapWindow(uint256 newCapWindow) external;

    /// @notice Stops every price update (reads go on; staleness guards them). Admin role.
    function pause() external;

    /// @notice Resumes price updates. Admin role.
    function unpause() external;

    /// @notice The price of an ERC-721 domain; reverts if unset or stale.
    function priceOf(address collection, uint256 tokenId) external view returns (uint256 price);

    /// @notice The price per 1e18 units of a fungible domain token; reverts if unset or stale.
    function fungiblePriceOf(address token) external view returns (uint256 price);

    /// @notice The latest ERC-721 domain price and its time, without a staleness check (0, 0 if unset).
    function latestPrice(address collection, uint256 tokenId)
        external
        view
        returns (uint256 price, uint256 updatedAt);

    /// @notice The latest fungible price and its time, without a staleness check (0, 0 if unset).
    function latestFungiblePrice(address token) external view returns (uint256 price, uint256 updatedAt);

    /// @notice Seconds after which a price is stale.
    function maxAge() external view returns (uint256);

    /// @notice Largest move within one cap window, in basis points of the window's opening price.
    function maxChangeBps() external view returns (uint256);

    /// @notice Length of a cap window in seconds.
    function capWindow() external view returns (uint256);

    /// @notice The opening price and start of a token's current cap window (0, 0 if unset).
    function capWindowOf(address token, uint256 tokenId, bool fungible)
        external
        view
        returns (uint256 anchor, uint256 startedAt);
}
