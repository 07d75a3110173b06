// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IDomainBasket} from "./interfaces/IDomainBasket.sol";
import {IDomaOwnershipToken} from "./interfaces/IDomaOwnershipToken.sol";
import {IValuationOracle} from "./interfaces/IValuationOracle.sol";
import {BasketMath} from "./libraries/BasketMath.sol";
import {BPS, WAD} from "./libraries/Units.sol";

/// @title DomainBasket
/// @notice See {IDomainBasket}: ERC-20 shares (18 decimals) of a set of tokenized domains.
/// @dev Deployed by {DomainBasketFactory}. Holdings are tracked internally (`_held`), never read
/// from `balanceOf`: a donation cannot move the NAV. Tokens that charge a fee on transfer or
/// rebase are not supported as components (the tracked amount would differ from the balance).
contract DomainBasket is IDomainBasket, ERC20, Ownable, Pausable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Most components per basket, keeping every loop bounded.
    uint256 public constant MAX_COMPONENTS = 16;
    /// @notice Shares locked in the basket by the first deposit (inflation-attack guard).
    uint256 public constant MIN_LIQUIDITY = 1_000;

    address private immutable _factory;
    IValuationOracle private immutable _oracle;

    Component[] private _components;
    /// @dev Units held per component, same order: ERC-20 base units, or 1/0 for an NFT.
    uint256[] private _held;
    /// @dev Of each held NFT (1e18 units = the whole NFT), the units owed to holders who left in
    /// kind; the basket's own part is 1e18 minus this. Their sum over accounts equals it.
    mapping(uint256 index => uint256 units) private _nftClaimed;
    mapping(uint256 index => mapping(address account => uint256 units)) private _nftClaims;

    /// @param owner_ The basket owner: reweights and pauses.
    /// @param oracle_ The valuation oracle.
    /// @param components_ Components with target weights summing to 10,000 bps.
    constructor(
        address owner_,
        address oracle_,
        string memory name_,
        string memory symbol_,
        Component[] memory components_
    ) ERC20(name_, symbol_) Ownable(owner_) {
        if (oracle_ == address(0)) revert BasketZeroAddress();
        _factory = msg.sender;
        _oracle = IValuationOracle(oracle_);
        uint256 n = components_.length;
        if (n == 0 || n > MAX_COMPONENTS) revert BasketComponentCount(n, MAX_COMPONENTS);
        uint256 sum = 0;
        for (uint256 i; i < n; ++i) {
            Component memory c = components_[i];
            if (c.token == address(0) || c.weightBps == 0 || (c.kind == ComponentKind.ERC20 && c.tokenId != 0)) {
                revert BasketInvalidComponent(i);
            }
            for (uint256 j; j < i; ++j) {
                if (components_[j].token == c.token && components_[j].tokenId == c.tokenId) {
                    revert BasketInvalidComponent(i);
                }
            }
            sum += c.weightBps;
            _components.push(c);
            _held.push(0);
        }
        if (sum != BPS) revert BasketWeightsSum(sum);
    }

    /// @inheritdoc IDomainBasket
    function deposit(uint256 value, uint256 minShares)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 shares, uint256[] memory amounts)
    {
        uint256 totalScaled = _totalScaled();
        uint256 supply = totalSupply();
        uint256 valueScaled;
        (valueScaled, amounts) = _depositAmounts(value);
        shares = _mintFor(valueScaled, supply, totalScaled, minShares);
        uint256 n = amounts.length;
        for (uint256 i; i < n; ++i) {
            _held[i] += amounts[i];
        }
        emit Deposited(msg.sender, valueScaled / WAD, shares, amounts);
        _emitNav(totalScaled + valueScaled);
        // Effects (shares, tracked holdings, events) come first; a failed pull reverts them all.
        for (uint256 i; i < n; ++i) {
            if (amounts[i] != 0) IERC20(_components[i].token).safeTransferFrom(msg.sender, address(this), amounts[i]);
        }
    }

    /// @inheritdoc IDomainBasket
    function depositNft(uint256 index, uint256 minShares) external nonReentrant whenNotPaused returns (uint256 shares) {
        Component memory c = _nft(index, false);
        // An expired domain would mint shares for a value the NAV then does not count.
        if (_expired(c)) revert BasketNftExpired(index);
        uint256 totalScaled = _totalScaled();
        uint256 valueScaled = _oracle.priceOf(c.token, c.tokenId) * WAD;
        shares = _mintFor(valueScaled, totalSupply(), totalScaled, minShares);
        _held[index] = 1;
        emit NftDeposited(msg.sender, index, c.token, c.tokenId, valueScaled / WAD, shares);
        _emitNav(totalScaled + valueScaled);
        // Effects first; the pull reverts everything unless the caller owns and approved the NFT.
        IERC721(c.token).transferFrom(msg.sender, address(this), c.tokenId);
    }

    /// @inheritdoc IDomainBasket
    function redeem(uint256 shares, uint256 minValue)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 value, uint256[] memory amounts)
    {
        uint256 totalScaled = _totalScaled();
        uint256 outScaled;
        (outScaled, amounts) = _redeemAmounts(shares, totalSupply(), totalScaled);
        value = outScaled / WAD;
        if (value < minValue) revert BasketTooLittleValue(value, minValue);
        _burn(msg.sender, shares);
        uint256 n = amounts.length;
        for (uint256 i; i < n; ++i) {
            _held[i] -= amounts[i];
        }
        emit Redeemed(msg.sender, shares, value, amounts);
        _emitNav(totalScaled - outScaled);
        // Effects (burn, tracked holdings, events) come before the transfers out.
        for (uint256 i; i < n; ++i) {
            if (amounts[i] != 0) IERC20(_components[i].token).safeTransfer(msg.sender, amounts[i]);
        }
    }

    /// @inheritdoc IDomainBasket
    function redeemNft(uint256 index, uint256 maxShares) external nonReentrant whenNotPaused returns (uint256 shares) {
        Component memory c = _nft(index, true);
        _requireUnclaimed(index);
        uint256 totalScaled = _totalScaled();
        uint256 valueScaled = _oracle.priceOf(c.token, c.tokenId) * WAD;
        shares = BasketMath.sharesForWithdrawal(valueScaled, totalSupply(), totalScaled);
        if (shares > maxShares) revert BasketTooManyShares(shares, maxShares);
        _burn(msg.sender, shares);
        _held[index] = 0;
        emit NftRedeemed(msg.sender, index, c.token, c.tokenId, valueScaled / WAD, shares);
        _emitNav(totalScaled - valueScaled);
        // Effects (burn, tracked holding, events) come before the NFT leaves; the guard blocks re-entry.
        IERC721(c.token).safeTransferFrom(address(this), msg.sender, c.tokenId);
    }

    /// @inheritdoc IDomainBasket
    function redeemInKind(uint256 shares) external nonReentrant returns (uint256[] memory amounts) {
        if (shares == 0) revert BasketZeroAmount();
        uint256 supply = totalSupply();
        // The shares locked by the first deposit belong to the basket itself: the holder of
        // every other share is the last one out and takes what remains of each NFT.
        bool last = shares == supply - balanceOf(address(this));
        _burn(msg.sender, shares);
        uint256 n = _components.length;
        amounts = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 held = _held[i];
            if (held == 0) continue;
            if (_components[i].kind == ComponentKind.ERC20) {
                // Pro rata, rounded down: what stays behind is never less than its share.
                amounts[i] = Math.mulDiv(held, shares, supply);
                _held[i] = held - amounts[i];
            } else if (_creditNftClaim(i, shares, supply, last)) {
                amounts[i] = 1;
            }
        }
        emit RedeemedInKind(msg.sender, shares, amounts);
        _emitNavIfPriced();
        // Effects (burn, tracked holdings, claims, events) come before the transfers out.
        for (uint256 i; i < n; ++i) {
            if (amounts[i] == 0) continue;
            Component memory c = _components[i];
            if (c.kind == ComponentKind.ERC20) IERC20(c.token).safeTransfer(msg.sender, amounts[i]);
            else IERC721(c.token).safeTransferFrom(address(this), msg.sender, c.tokenId);
        }
    }

    /// @inheritdoc IDomainBasket
    function transferNftClaim(uint256 index, address to, uint256 units) external nonReentrant {
        if (to == address(0)) revert BasketZeroAddress();
        if (units == 0) revert BasketZeroAmount();
        uint256 own = _nftClaims[index][msg.sender];
        if (units > own) revert BasketNftClaimTooSmall(index, own, units);
        _nftClaims[index][msg.sender] = own - units;
        _nftClaims[index][to] += units;
        emit NftClaimTransferred(msg.sender, to, index, units);
    }

    /// @inheritdoc IDomainBasket
    function withdrawNft(uint256 index) external nonReentrant {
        Component memory c = _nft(index, true);
        uint256 own = _nftClaims[index][msg.sender];
        if (own != WAD) revert BasketNftClaimNotWhole(index, own);
        _releaseNft(index, c);
        IERC721(c.token).safeTransferFrom(address(this), msg.sender, c.tokenId);
    }

    /// @dev Credits the redeemer with `shares / supply` of the basket's part of NFT `index`
    /// (all of it for the last holder), rounded down. True when the redeemer now holds the whole
    /// NFT and it can move (not expired): the caller then sends it. A burned NFT credits nothing.
    function _creditNftClaim(uint256 index, uint256 shares, uint256 supply, bool last) private returns (bool whole) {
        Component memory c = _components[index];
        if (!_nftOwned(c)) return false;
        uint256 claimed = _nftClaimed[index];
        uint256 remaining = WAD - claimed;
        uint256 units = last ? remaining : Math.mulDiv(remaining, shares, supply);
        if (units == 0) return false;
        uint256 own = _nftClaims[index][msg.sender] + units;
        _nftClaims[index][msg.sender] = own;
        _nftClaimed[index] = claimed + units;
        emit NftClaimCredited(msg.sender, index, units);
        if (own != WAD || _expired(c)) return false;
        _releaseNft(index, c);
        return true;
    }

    /// @dev The whole NFT leaves to the holder of every claim unit: no claim on it remains.
    function _releaseNft(uint256 index, Component memory c) private {
        _nftClaims[index][msg.sender] = 0;
        _nftClaimed[index] = 0;
        _held[index] = 0;
        emit NftWithdrawn(msg.sender, index, c.token, c.tokenId);
    }

    /// @inheritdoc IDomainBasket
    function reweight(uint16[] calldata weightsBps) external onlyOwner {
        uint256 n = _components.length;
        if (weightsBps.length != n) revert BasketWeightsLength(weightsBps.length, n);
        uint16[] memory previous = new uint16[](n);
        uint256 sum = 0;
        for (uint256 i; i < n; ++i) {
            if (weightsBps[i] == 0) revert BasketInvalidComponent(i);
            previous[i] = _components[i].weightBps;
            _components[i].weightBps = weightsBps[i];
            sum += weightsBps[i];
        }
        if (sum != BPS) revert BasketWeightsSum(sum);
        emit Reweighted(previous, weightsBps);
    }

    /// @inheritdoc IDomainBasket
    function pause() external onlyOwner {
        _pause();
    }

    /// @inheritdoc IDomainBasket
    function unpause() external onlyOwner {
        _unpause();
    }

    /// @dev Mints the shares of a deposit; the first one locks MIN_LIQUIDITY in the basket.
    function _mintFor(uint256 valueScaled, uint256 supply, uint256 totalScaled, uint256 minShares)
        private
        returns (uint256 shares)
    {
        shares = _sharesFor(valueScaled, supply, totalScaled);
        if (shares < minShares) revert BasketTooFewShares(shares, minShares);
        if (supply == 0) _mint(address(this), MIN_LIQUIDITY);
        _mint(msg.sender, shares);
    }

    function _emitNav(uint256 totalScaled) private {
        uint256 supply = totalSupply();
        emit NavUpdated(totalScaled / WAD, supply, totalScaled / supply);
    }

    /// @dev NavUpdated after an exit in kind, which must work without prices: the NAV is read
    /// only if it can be, and the event is skipped when a read reverts (a stale or missing
    /// price, a component that reverts, an overflow), so that no valuation failure can block the
    /// exit. The reads are external calls to this contract because `try` takes only external
    /// calls; both are views, so nothing can re-enter a state change.
    function _emitNavIfPriced() private {
        (bool valued, uint256 value) = _tryRead(this.totalValue);
        if (!valued) return;
        (bool navRead, uint256 nav) = _tryRead(this.navPerShare);
        if (navRead) emit NavUpdated(value, totalSupply(), nav);
    }

    /// @dev Calls the view `read` of this contract; (false, 0) when it reverts.
    function _tryRead(function() external view returns (uint256) read) private view returns (bool ok, uint256 value) {
        try read() returns (uint256 v) {
            return (true, v);
        } catch {
            return (false, 0);
        }
    }

    /// @dev Shares for a deposit, net of the locked MIN_LIQUIDITY on the first one.
    function _sharesFor(uint256 valueScaled, uint256 supply, uint256 totalScaled) private pure returns (uint256) {
        if (supply != 0 && totalScaled == 0) revert BasketNoValue();
        uint256 shares = BasketMath.sharesForDeposit(valueScaled, supply, totalScaled);
        if (supply == 0) {
            if (shares <= MIN_LIQUIDITY) revert BasketFirstDepositTooSmall(shares, MIN_LIQUIDITY);
            shares -= MIN_LIQUIDITY;
        }
        if (shares == 0) revert BasketZeroAmount();
        return shares;
    }

    function _nft(uint256 index, bool held) private view returns (Component memory c) {
        uint256 n = _components.length;
        if (index >= n) revert BasketUnknownComponent(index, n);
        c = _components[index];
        if (c.kind != ComponentKind.ERC721) revert BasketWrongKind(index, c.kind);
        if ((_held[index] == 1) != held) revert BasketNftState(index, _held[index] == 1);
    }

    /// @dev `redeemNft` takes the NFT whole: only while no holder who left in kind owns part of it.
    function _requireUnclaimed(uint256 index) private view {
        uint256 claimed = _nftClaimed[index];
        if (claimed != 0) revert BasketNftPartlyClaimed(index, claimed);
    }

    function _depositAmounts(uint256 value) private view returns (uint256 valueScaled, uint256[] memory amounts) {
        if (value == 0) revert BasketZeroAmount();
        uint256 n = _components.length;
        uint256 fungibleBps = 0;
        for (uint256 i; i < n; ++i) {
            if (_components[i].kind == ComponentKind.ERC20) fungibleBps += _components[i].weightBps;
        }
        if (fungibleBps == 0) revert BasketNoFungibleComponents();
        amounts = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            Component memory c = _components[i];
            if (c.kind != ComponentKind.ERC20) continue;
            uint256 price = _oracle.fungiblePriceOf(c.token);
            amounts[i] = BasketMath.depositAmount(value, c.weightBps, fungibleBps, price);
            valueScaled += amounts[i] * price;
        }
    }

    function _redeemAmounts(uint256 shares, uint256 supply, uint256 totalScaled)
        private
        view
        returns (uint256 outScaled, uint256[] memory amounts)
    {
        if (shares == 0) revert BasketZeroAmount();
        if (totalScaled == 0) revert BasketNoValue();
        uint256 owedScaled = BasketMath.valueOfShares(shares, supply, totalScaled);
        uint256 n = _components.length;
        uint256[] memory prices = new uint256[](n);
        uint256 fungibleScaled = 0;
        for (uint256 i; i < n; ++i) {
            if (_components[i].kind == ComponentKind.ERC20 && _held[i] != 0) {
                prices[i] = _oracle.fungiblePriceOf(_components[i].token);
                fungibleScaled += _held[i] * prices[i];
            }
        }
        if (owedScaled > fungibleScaled) revert BasketInsufficientFungibleValue(owedScaled, fungibleScaled);
        amounts = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            if (prices[i] == 0) continue;
            // Pro rata to holdings, rounded down: the redeemer never gets more than owed.
            amounts[i] = Math.mulDiv(_held[i], owedScaled, fungibleScaled);
            outScaled += amounts[i] * prices[i];
        }
    }

    /// @dev Oracle value of the tracked holdings, scaled by 1e18; reverts on a stale price.
    /// An NFT that expired or left the basket (burned) is worth nothing here, as the tracker
    /// refuses it when held directly: a basket must not keep a dead domain's value alive.
    function _totalScaled() private view returns (uint256 total) {
        uint256 n = _components.length;
        for (uint256 i; i < n; ++i) {
            uint256 held = _held[i];
            if (held == 0) continue;
            Component memory c = _components[i];
            if (c.kind == ComponentKind.ERC721) {
                // Only the basket's own part: claimed units belong to holders who left.
                if (_nftLive(c)) total += _oracle.priceOf(c.token, c.tokenId) * (WAD - _nftClaimed[i]);
            } else {
                total += held * _oracle.fungiblePriceOf(c.token);
            }
        }
    }

    /// @dev True when the basket still owns the NFT and its registration has not expired.
    function _nftLive(Component memory c) private view returns (bool) {
        return _nftOwned(c) && !_expired(c);
    }

    /// @dev True when the basket still owns the NFT (expired or not: a renewal revives it).
    function _nftOwned(Component memory c) private view returns (bool) {
        try IERC721(c.token).ownerOf(c.tokenId) returns (address owner_) {
            return owner_ == address(this);
        } catch {
            return false; // burned
        }
    }

    /// @dev ERC-165 probe for Doma's expiry interface; a token without it never expires.
    function _expired(Component memory c) private view returns (bool) {
        try IERC165(c.token).supportsInterface(type(IDomaOwnershipToken).interfaceId) returns (bool yes) {
            if (!yes) return false;
        } catch {
            return false;
        }
        // Timestamp triage: registrations last months to years; drift cannot matter.
        // slither-disable-next-line timestamp
        return IDomaOwnershipToken(c.token).expirationOf(c.tokenId) <= block.timestamp;
    }

    /// @inheritdoc IDomainBasket
    function factory() external view returns (address) {
        return _factory;
    }

    /// @inheritdoc IDomainBasket
    function oracle() external view returns (address) {
        return address(_oracle);
    }

    /// @inheritdoc IDomainBasket
    function components() external view returns (Component[] memory) {
        return _components;
    }

    /// @inheritdoc IDomainBasket
    function holdings() external view returns (uint256[] memory) {
        return _held;
    }

    /// @inheritdoc IDomainBasket
    function nftClaimOf(uint256 index, address account) external view returns (uint256) {
        return _nftClaims[index][account];
    }

    /// @inheritdoc IDomainBasket
    function nftClaimed(uint256 index) external view returns (uint256) {
        return _nftClaimed[index];
    }

    /// @inheritdoc IDomainBasket
    function totalValue() external view returns (uint256) {
        return _totalScaled() / WAD;
    }

    /// @inheritdoc IDomainBasket
    function navPerShare() external view returns (uint256) {
        uint256 supply = totalSupply();
        return supply == 0 ? 0 : _totalScaled() / supply;
    }

    /// @inheritdoc IDomainBasket
    function valueOfShares(uint256 shares) external view returns (uint256) {
        uint256 supply = totalSupply();
        if (supply == 0) return 0;
        return BasketMath.valueOfShares(shares, supply, _totalScaled()) / WAD;
    }

    /// @inheritdoc IDomainBasket
    function previewDeposit(uint256 value) external view returns (uint256 shares, uint256[] memory amounts) {
        uint256 valueScaled;
        (valueScaled, amounts) = _depositAmounts(value);
        shares = _sharesFor(valueScaled, totalSupply(), _totalScaled());
    }

    /// @inheritdoc IDomainBasket
    function previewRedeem(uint256 shares) external view returns (uint256 value, uint256[] memory amounts) {
        uint256 outScaled;
        (outScaled, amounts) = _redeemAmounts(shares, totalSupply(), _totalScaled());
        value = outScaled / WAD;
    }

    /// @inheritdoc IDomainBasket
    function previewDepositNft(uint256 index) external view returns (uint256 shares) {
        Component memory c = _nft(index, false);
        return _sharesFor(_oracle.priceOf(c.token, c.tokenId) * WAD, totalSupply(), _totalScaled());
    }

    /// @inheritdoc IDomainBasket
    function previewRedeemNft(uint256 index) external view returns (uint256 shares) {
        Component memory c = _nft(index, true);
        _requireUnclaimed(index);
        return BasketMath.sharesForWithdrawal(_oracle.priceOf(c.token, c.tokenId) * WAD, totalSupply(), _totalScaled());
    }
}
