// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IDomainMarketplace
/// @notice A minimal fixed-price marketplace for domain tokens on local chains: a seller lists
/// an ERC-721 Ownership Token or an amount of a fractional ERC-20 domain token for a price in
/// the native currency, a buyer pays exactly that price, the cancel path withdraws a listing.
/// Listings do not escrow the token: the seller approves the marketplace and keeps the token
/// until a sale, when the marketplace moves it straight from seller to buyer (one `Transfer`
/// in the same transaction as `Sold`, which is how the indexer pairs them). A listing is dead
/// once its token leaves the seller (or it expires) and cannot revive when the token comes
/// back: the marketplace lists only tokens that count their moves (`ITransferCounters.sol`,
/// implemented by the local Ownership Token and fraction token). Proceeds are
/// credited to the seller and pulled with `withdraw`, so a seller that rejects ether can
/// never block a sale.
interface IDomainMarketplace {
    /// @notice What a listing offers.
    enum Kind {
        ERC721,
        ERC20
    }

    /// @notice One listing. For ERC-721 `amount` is 1; for ERC-20 `tokenId` is 0.
    struct Listing {
        address seller;
        Kind kind;
        bool active;
        address token;
        uint256 tokenId;
        uint256 amount;
        uint256 price;
    }

    /// @notice A listing's price must be positive.
    error MarketplaceZeroPrice();
    /// @notice An ERC-20 listing must offer a positive amount.
    error MarketplaceZeroAmount();
    /// @notice The caller does not own the ERC-721 token it lists.
    error MarketplaceNotTokenOwner(address token, uint256 tokenId, address caller, address owner);
    /// @notice The seller holds less of the ERC-20 token than it lists.
    error MarketplaceInsufficientBalance(address token, uint256 balance, uint256 amount);
    /// @notice The marketplace may not move the listed token (approve it first).
    error MarketplaceNotApproved(address token, uint256 tokenIdOrAmount);
    /// @notice No live listing has this id (never listed, sold, cancelled, superseded, or its
    /// token left the seller or expired).
    error MarketplaceListingNotActive(uint256 listingId);
    /// @notice A purchase must pay exactly the listed price.
    error MarketplaceWrongPayment(uint256 listingId, uint256 sent, uint256 price);
    /// @notice A seller cannot buy its own listing.
    error MarketplaceSelfPurchase(uint256 listingId, address seller);
    /// @notice Only the seller cancels a listing.
    error MarketplaceNotSeller(uint256 listingId, address caller, address seller);
    /// @notice The caller has no proceeds to withdraw.
    error MarketplaceNothingToWithdraw(address account);
    /// @notice Sending the proceeds to the recipient failed (it rejected ether).
    error MarketplaceWithdrawFailed(address to, uint256 amount);
    /// @notice Proceeds cannot be sent to the zero address.
    error MarketplaceZeroRecipient();
    /// @notice The token does not count its moves (`ITokenMoves` for ERC-721, `IAccountOutflows`
    /// for ERC-20), so a listing could not tell that it left the seller: list a token that does.
    error MarketplaceUnsupportedToken(address token);

    /// @notice A token was listed for `price` wei.
    event Listed(
        uint256 indexed listingId,
        address indexed seller,
        address indexed token,
        Kind kind,
        uint256 tokenId,
        uint256 amount,
        uint256 price
    );
    /// @notice A listing was bought: `amount` of `token` (`tokenId` for ERC-721) went from
    /// `seller` to `buyer` for `price` wei, in this transaction.
    event Sold(
        uint256 indexed listingId,
        address indexed seller,
        address indexed buyer,
        address token,
        uint256 tokenId,
        uint256 amount,
        uint256 price
    );
    /// @notice A listing was withdrawn by its seller.
    event Cancelled(uint256 indexed listingId, address indexed seller);
    /// @notice A seller pulled its proceeds.
    event ProceedsWithdrawn(address indexed account, address indexed to, uint256 amount);

    /// @notice Lists ERC-721 `tokenId` of `token` for `price` wei. The caller must own it and
    /// have approved this marketplace for this token (`approve`; an approval for all is not
    /// enough). The listing dies for good when the token leaves the seller (any transfer clears
    /// that approval), when the domain expires, or when the token is listed again. Not while paused.
    /// @return listingId The new listing's id (ids start at 1).
    function listERC721(address token, uint256 tokenId, uint256 price) external returns (uint256 listingId);

    /// @notice Lists `amount` base units of ERC-20 `token` for `price` wei in all. The caller
    /// must hold them and have approved this marketplace for at least `amount`.
    /// @return listingId The new listing's id (ids start at 1).
    function listERC20(address token, uint256 amount, uint256 price) external returns (uint256 listingId);

    /// @notice Buys listing `listingId`, paying exactly its price; the token moves from the
    /// seller to the caller and the price is credited to the seller. Not while paused.
    function buy(uint256 listingId) external payable;

    /// @notice Stops listing and buying; cancel and withdraw go on. The deployer only.
    function pause() external;

    /// @notice Resumes listing and buying. The deployer only.
    function unpause() external;

    /// @notice True when `listingId` can be bought now (active; for ERC-721 also the newest
    /// listing of its token, not moved since, still approved, held by the seller and not
    /// expired; for ERC-20 no unit left the seller since, other than by a sale here).
    function isLive(uint256 listingId) external view returns (bool);

    /// @notice Withdraws an active listing (its seller only).
    function cancel(uint256 listingId) external;

    /// @notice Sends the caller's proceeds to `to`.
    function withdraw(address payable to) external;

    /// @notice A listing by id (all zero for an unknown id).
    function listing(uint256 listingId) external view returns (Listing memory);

    /// @notice Number of listings ever made (the last id).
    function listingCount() external view returns (uint256);

    /// @notice Proceeds credited to `account` and not yet withdrawn.
    function proceedsOf(address account) external view returns (uint256);
}
