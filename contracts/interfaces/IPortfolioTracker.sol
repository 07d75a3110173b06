// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IPortfolioTracker
/// @notice Values entrants' domain portfolios for competitions. A trusted updater reports
/// what a participant holds; the tracker checks every entry on chain (ERC-721 `ownerOf` and
/// expiry, ERC-20 `balanceOf`), values it with the oracle and stores the latest value.
/// Informational only: results rank by scores computed from public logs at one end block
/// (`domacross_sdk.scoring`), so no updater's choice of when to value anyone changes a rank.
interface IPortfolioTracker {
    /// @notice The standard of a holding.
    enum AssetKind {
        ERC721,
        ERC20,
        Basket
    }

    /// @notice One reported holding. ERC-721: amount is 1. ERC-20: tokenId is 0, amount in base units.
    /// Basket: shares of a {IDomainBasket} of the basket factory (tokenId 0), valued at its NAV.
    struct Holding {
        AssetKind kind;
        address token;
        uint256 tokenId;
        uint256 amount;
    }

    /// @notice The competition was not created by the tracker's factory.
    error TrackerUnknownCompetition(address competition);
    /// @notice Updates are accepted only while the competition is open.
    error TrackerCompetitionNotOpen(address competition);
    /// @notice The user is not a participant of the competition.
    error TrackerNotParticipant(address competition, address user);
    /// @notice More holdings than `MAX_HOLDINGS`.
    error TrackerTooManyHoldings(uint256 count, uint256 max);
    /// @notice Holdings must be strictly ascending by (token, tokenId): no entry counts twice.
    error TrackerHoldingsNotSorted(uint256 index);
    /// @notice An ERC-721 entry with amount other than 1, an ERC-20 entry with a tokenId or a zero amount.
    error TrackerInvalidHolding(uint256 index);
    /// @notice The user does not own the ERC-721 token.
    error TrackerNotOwner(address token, uint256 tokenId, address user);
    /// @notice The ERC-721 domain has expired.
    error TrackerTokenExpired(address token, uint256 tokenId, uint256 expiresAt);
    /// @notice The user holds less of the ERC-20 than reported.
    error TrackerInsufficientBalance(address token, address user, uint256 balance, uint256 amount);
    /// @notice The factory was already set.
    error TrackerFactoryAlreadySet(address factory);
    /// @notice A zero address was given.
    error TrackerZeroAddress();
    /// @notice A Basket holding whose token is not a basket of the basket factory (or none is set).
    error TrackerUnknownBasket(address token);
    /// @notice The basket factory was already set.
    error TrackerBasketFactoryAlreadySet(address basketFactory);
    /// @notice The basket factory values its baskets with another oracle than the tracker's.
    error TrackerOracleMismatch(address trackerOracle, address basketOracle);

    /// @notice A participant's portfolio was valued. `holdingsHash` is keccak256(abi.encode(holdings)).
    event PortfolioValueUpdated(
        address indexed competition,
        address indexed user,
        uint256 value,
        uint256 holdingsCount,
        bytes32 holdingsHash,
        address updater
    );
    /// @notice The factory whose competitions the tracker serves was set (once).
    event FactorySet(address indexed factory);
    /// @notice The basket factory whose baskets count as holdings was set (once).
    event BasketFactorySet(address indexed basketFactory);

    /// @notice Values `user`'s holdings for `competition` and stores the result. Updater role;
    /// not while paused.
    function updatePortfolioValue(address competition, address user, Holding[] calldata holdings)
        external
        returns (uint256 value);

    /// @notice Sets the factory once. Admin role.
    function setFactory(address factory) external;

    /// @notice Stops valuation updates (reads go on). Admin role.
    function pause() external;

    /// @notice Resumes valuation updates. Admin role.
    function unpause() external;

    /// @notice Sets the basket factory once, so its baskets' shares count as holdings. Admin role.
    /// It must use the tracker's oracle.
    function setBasketFactory(address basketFactory) external;

    /// @notice The basket factory whose baskets are valued (zero until set).
    function basketFactory() external view returns (address);

    /// @notice The oracle used for valuations.
    function oracle() external view returns (address);

    /// @notice The factory whose competitions are served.
    function factory() external view returns (address);

    /// @notice The latest value of `user` in `competition` and when it was set (0, 0 if never).
    function valueOf(address competition, address user) external view returns (uint256 value, uint256 updatedAt);
}
