// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IDomainBasketTypes} from "./IDomainBasketTypes.sol";

/// @title IDomainBasket
/// @notice A domain basket ("domain ETF"): an ERC-20 whose shares are claims on a set of
/// tokenized domains held by the basket, valued with the {IValuationOracle}.
///
/// Every entry and exit is priced at the net asset value and rounded against the caller:
/// - Value: `totalValue()` is the oracle value of the underlying the basket accounts for
///   (ERC-20 units times their price per 1e18, plus the price of each held NFT that is still
///   the basket's and not expired: a burned or expired domain counts 0); any stale or missing
///   price of a held component makes it (and every priced deposit and redemption) revert.
/// - `deposit(value)` pulls the ERC-20 components split by their target weights (each amount
///   rounded up) and mints `floor(depositValue * supply / totalValue)` shares.
/// - `depositNft(i)`: a whole NFT enters and mints `floor(price * supply / totalValue)`.
/// - `redeem(shares)` pays `floor(shares * totalValue / supply)` of value out of the ERC-20
///   components, pro rata to their holdings (each amount rounded down), in kind. It reverts
///   when the ERC-20 part is worth less: an NFT cannot be split.
/// - `redeemNft(i)`: a whole NFT leaves and burns `ceil(price * supply / totalValue)` shares.
/// - `redeemInKind(shares)`: the exit that always works (needs no price, never paused, no other
///   holder's action): the same fraction of every ERC-20 holding, and of every NFT the basket
///   owns the same fraction of the basket's part as a claim (1e18 units = the whole NFT); the
///   last circulating shares take the rest of each NFT. A claim leaves the NAV with its holder:
///   the remaining holders are valued on the basket's part only. An NFT cannot be split, so it
///   leaves physically only to one account holding every unit of it (`withdrawNft`); claims
///   move with `transferNftClaim` so that they can be gathered.
/// Invariant: for every NFT the basket owns, its own part plus the claims of all accounts is
/// exactly 1e18 units; the ERC-20 amounts all holders can take in kind never exceed holdings.
/// The first deposit mints shares 1:1 to its value in wei and locks `MIN_LIQUIDITY` of them in
/// the basket forever, and only tracked holdings count (tokens sent to the basket directly are
/// ignored): together they defeat the first-depositor / donation inflation attack.
interface IDomainBasket is IDomainBasketTypes {
    /// @notice A component index is out of range.
    error BasketUnknownComponent(uint256 index, uint256 count);
    /// @notice The component is not of the kind the call needs.
    error BasketWrongKind(uint256 index, ComponentKind kind);
    /// @notice The NFT component is already held (deposit) or not held (redemption).
    error BasketNftState(uint256 index, bool held);
    /// @notice A basket needs 1..MAX_COMPONENTS components.
    error BasketComponentCount(uint256 count, uint256 max);
    /// @notice A component is invalid: zero token, ERC-20 with a tokenId, zero weight, or listed twice.
    error BasketInvalidComponent(uint256 index);
    /// @notice The weights do not sum to 10,000 basis points.
    error BasketWeightsSum(uint256 sum);
    /// @notice `reweight` got a different number of weights than there are components.
    error BasketWeightsLength(uint256 length, uint256 count);
    /// @notice The basket has no ERC-20 component with a weight to split a deposit across.
    error BasketNoFungibleComponents();
    /// @notice A zero amount (value or shares) was given.
    error BasketZeroAmount();
    /// @notice The first deposit must mint more than `MIN_LIQUIDITY` shares.
    error BasketFirstDepositTooSmall(uint256 shares, uint256 minLiquidity);
    /// @notice Fewer shares minted than the caller's minimum.
    error BasketTooFewShares(uint256 shares, uint256 minShares);
    /// @notice More shares burned than the caller's maximum.
    error BasketTooManyShares(uint256 shares, uint256 maxShares);
    /// @notice Less value paid out than the caller's minimum.
    error BasketTooLittleValue(uint256 value, uint256 minValue);
    /// @notice The redemption asks more value (scaled by 1e18) than the ERC-20 components hold.
    error BasketInsufficientFungibleValue(uint256 owedScaled, uint256 availableScaled);
    /// @notice The basket holds shares but no value (every price or amount rounded to zero).
    error BasketNoValue();
    /// @notice A zero address was given.
    error BasketZeroAddress();
    /// @notice The NFT of component `index` has expired: it is worth nothing to the basket.
    error BasketNftExpired(uint256 index);
    /// @notice Holders who left in kind own `claimedUnits` (of 1e18) of NFT `index`: it cannot
    /// leave whole for shares; gather every claim unit and use `withdrawNft`.
    error BasketNftPartlyClaimed(uint256 index, uint256 claimedUnits);
    /// @notice `withdrawNft` needs every one of the 1e18 claim units; the caller holds `units`.
    error BasketNftClaimNotWhole(uint256 index, uint256 units);
    /// @notice The caller's claim on NFT `index` (`units`) is smaller than the `requested` transfer.
    error BasketNftClaimTooSmall(uint256 index, uint256 units, uint256 requested);

    /// @notice ERC-20 components worth `value` wei were deposited for `shares`; `amounts` per component.
    event Deposited(address indexed account, uint256 value, uint256 shares, uint256[] amounts);
    /// @notice A whole NFT (component `index`) worth `value` wei was deposited for `shares`.
    event NftDeposited(
        address indexed account, uint256 indexed index, address token, uint256 tokenId, uint256 value, uint256 shares
    );
    /// @notice `shares` were redeemed for ERC-20 components worth `value` wei; `amounts` per component.
    event Redeemed(address indexed account, uint256 shares, uint256 value, uint256[] amounts);
    /// @notice `account` burned `shares` for `amounts` of every component in kind (an NFT's
    /// amount is 1 when it left whole to the redeemer; claim units show in `NftClaimCredited`).
    event RedeemedInKind(address indexed account, uint256 shares, uint256[] amounts);
    /// @notice `account` left in kind with `units` (of 1e18) of NFT `index` as its claim.
    event NftClaimCredited(address indexed account, uint256 indexed index, uint256 units);
    /// @notice `units` of the claim on NFT `index` moved from `from` to `to`.
    event NftClaimTransferred(address indexed from, address indexed to, uint256 indexed index, uint256 units);
    /// @notice The holder of every claim unit of NFT `index` took it out of the basket.
    event NftWithdrawn(address indexed account, uint256 indexed index, address token, uint256 tokenId);
    /// @notice A whole NFT (component `index`) worth `value` wei was redeemed for `shares`.
    event NftRedeemed(
        address indexed account, uint256 indexed index, address token, uint256 tokenId, uint256 value, uint256 shares
    );
    /// @notice The owner changed the target weights (they steer future deposits).
    event Reweighted(uint16[] previousWeightsBps, uint16[] weightsBps);
    /// @notice The net asset value after a deposit or redemption. `navPerShare` is wei per 1e18 shares.
    /// After `redeemInKind`, which needs no price, only while every held component is priced.
    event NavUpdated(uint256 totalValue, uint256 totalSupply, uint256 navPerShare);

    /// @notice Deposits ERC-20 components worth at least `value` wei, split by target weight
    /// (amounts from `previewDeposit`; approve them first). Reverts below `minShares`.
    function deposit(uint256 value, uint256 minShares) external returns (uint256 shares, uint256[] memory amounts);

    /// @notice Deposits the whole NFT of component `index` (approve it first). Reverts below `minShares`.
    function depositNft(uint256 index, uint256 minShares) external returns (uint256 shares);

    /// @notice Burns `shares` for their value in ERC-20 components, pro rata to holdings.
    /// Reverts when less than `minValue` wei is paid out.
    function redeem(uint256 shares, uint256 minValue) external returns (uint256 value, uint256[] memory amounts);

    /// @notice Takes the whole NFT of component `index` out, burning `ceil(price * supply / totalValue)`
    /// shares. Reverts above `maxShares`.
    function redeemNft(uint256 index, uint256 maxShares) external returns (uint256 shares);

    /// @notice Burns `shares` for the same fraction of every ERC-20 component held, in kind,
    /// needing no price and never paused: a holder can always leave. Of each NFT the basket owns,
    /// the redeemer's claim grows by the same fraction of the basket's part (the last circulating
    /// shares take all of it); the NFT itself goes out (amount 1) once the redeemer holds every unit.
    /// Emits NavUpdated when the NAV can be read (every held price fresh), and goes on without it
    /// otherwise.
    function redeemInKind(uint256 shares) external returns (uint256[] memory amounts);

    /// @notice Moves `units` of the caller's claim on NFT `index` to `to` (to gather a whole NFT).
    function transferNftClaim(uint256 index, address to, uint256 units) external;

    /// @notice Takes NFT `index` out of the basket: the caller must hold all 1e18 claim units
    /// (reverts while the domain is expired, as the token refuses the transfer; renew first).
    function withdrawNft(uint256 index) external;

    /// @notice Sets new target weights (same order as the components; sum 10,000). Owner only.
    function reweight(uint16[] calldata weightsBps) external;

    /// @notice Stops deposits and redemptions. Owner only.
    function pause() external;

    /// @notice Resumes deposits and redemptions. Owner only.
    function unpause() external;

    /// @notice The factory that created the basket.
    function factory() external view returns (address);

    /// @notice The oracle that values the basket.
    function oracle() external view returns (address);

    /// @notice The components with their current target weights.
    function components() external view returns (Component[] memory);

    /// @notice Units of each component the basket accounts for (an NFT: 1 or 0, claimed or not).
    function holdings() external view returns (uint256[] memory);

    /// @notice Units (of 1e18) of NFT `index` that `account` claims after leaving in kind.
    function nftClaimOf(uint256 index, address account) external view returns (uint256);

    /// @notice Units (of 1e18) of NFT `index` claimed by all accounts; the basket's part is the rest.
    function nftClaimed(uint256 index) external view returns (uint256);

    /// @notice Oracle value of the held underlying in wei (rounded down). Reverts on a stale price.
    function totalValue() external view returns (uint256);

    /// @notice Wei per 1e18 shares (rounded down); 0 before the first deposit.
    function navPerShare() external view returns (uint256);

    /// @notice The value in wei of `shares` at the current NAV (rounded down).
    function valueOfShares(uint256 shares) external view returns (uint256);

    /// @notice What `deposit(value, 0)` would pull per component and mint now.
    function previewDeposit(uint256 value) external view returns (uint256 shares, uint256[] memory amounts);

    /// @notice What `redeem(shares, 0)` would pay out (value in wei, amounts per component) now.
    function previewRedeem(uint256 shares) external view returns (uint256 value, uint256[] memory amounts);

    /// @notice Shares `depositNft(index, 0)` would mint now.
    function previewDepositNft(uint256 index) external view returns (uint256 shares);

    /// @notice Shares `redeemNft(index, type(uint256).max)` would burn now.
    function previewRedeemNft(uint256 index) external view returns (uint256 shares);
}
