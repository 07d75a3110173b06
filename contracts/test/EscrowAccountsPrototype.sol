// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";

/// @title CheckpointPriceOracle
/// @notice Gas yardstick only (bench/score_bench.py), never deployed: the oracle that escrowed
/// competition accounts would need, keeping every ERC-721 price as a checkpoint so that a
/// value at `endTime` can be read exactly afterwards.
contract CheckpointPriceOracle {
    using Checkpoints for Checkpoints.Trace208;

    mapping(address token => mapping(uint256 tokenId => Checkpoints.Trace208)) private _prices;

    function setPrice(address token, uint256 tokenId, uint208 price) external {
        // Triage (unused-return): push returns the previous and new values; neither is needed.
        // slither-disable-next-line unused-return
        _prices[token][tokenId].push(uint48(block.timestamp), price);
    }

    function priceAt(address token, uint256 tokenId, uint48 timepoint) external view returns (uint256) {
        return _prices[token][tokenId].upperLookupRecent(timepoint);
    }
}

/// @title EscrowAccountsPrototype
/// @notice Gas yardstick only (bench/score_bench.py), never deployed: the rejected design of
/// "competition accounts". Entrants deposit domains and cash into the competition, trade
/// between accounts from escrow, and are valued on chain at any time from checkpoints.
/// Minimal on purpose (no fees, no withdrawals, no fractions): it measures the floor of
/// what the design costs per action, not a product.
contract EscrowAccountsPrototype {
    struct Listing {
        address seller;
        address token;
        uint256 tokenId;
        uint256 price;
    }

    error EscrowNotEntrant(address account);
    error EscrowAlreadyJoined(address account);
    error EscrowNotHeld(address token, uint256 tokenId);
    error EscrowInsufficientCash(uint256 cash, uint256 price);
    error EscrowTransferFailed();

    CheckpointPriceOracle private immutable _oracle;
    mapping(address account => bool) private _joined;
    mapping(address account => uint256 wei_) private _cash;
    mapping(address account => bytes32[] keys) private _holdings;
    mapping(bytes32 key => uint256 indexPlusOne) private _index;
    mapping(bytes32 key => address account) private _holder;
    mapping(bytes32 key => address token) private _tokenOf;
    mapping(bytes32 key => uint256 tokenId) private _idOf;
    Listing[] private _listings;

    constructor(CheckpointPriceOracle oracle_) {
        _oracle = oracle_;
    }

    function join() external payable {
        if (_joined[msg.sender]) revert EscrowAlreadyJoined(msg.sender);
        _joined[msg.sender] = true;
    }

    function depositCash() external payable {
        if (!_joined[msg.sender]) revert EscrowNotEntrant(msg.sender);
        _cash[msg.sender] += msg.value;
    }

    /// @notice Takes escrowed cash back out. Effects before the call: the balance is
    /// debited before any ether leaves, so a re-entrant call finds it already spent.
    function withdrawCash(uint256 amount) external {
        uint256 cash = _cash[msg.sender];
        if (cash < amount) revert EscrowInsufficientCash(cash, amount);
        _cash[msg.sender] = cash - amount;
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert EscrowTransferFailed();
    }

    function depositERC721(address token, uint256 tokenId) external {
        if (!_joined[msg.sender]) revert EscrowNotEntrant(msg.sender);
        bytes32 key = keccak256(abi.encode(token, tokenId));
        _tokenOf[key] = token;
        _idOf[key] = tokenId;
        _add(msg.sender, key);
        IERC721(token).transferFrom(msg.sender, address(this), tokenId);
    }

    function list(address token, uint256 tokenId, uint256 price) external returns (uint256 id) {
        bytes32 key = keccak256(abi.encode(token, tokenId));
        if (_holder[key] != msg.sender) revert EscrowNotHeld(token, tokenId);
        id = _listings.length;
        _listings.push(Listing(msg.sender, token, tokenId, price));
    }

    /// @notice A trade between two accounts, paid from the buyer's escrowed cash.
    function buy(uint256 listingId) external {
        Listing memory l = _listings[listingId];
        bytes32 key = keccak256(abi.encode(l.token, l.tokenId));
        if (_holder[key] != l.seller) revert EscrowNotHeld(l.token, l.tokenId);
        uint256 cash = _cash[msg.sender];
        if (cash < l.price) revert EscrowInsufficientCash(cash, l.price);
        _cash[msg.sender] = cash - l.price;
        _cash[l.seller] += l.price;
        _remove(l.seller, key);
        _add(msg.sender, key);
        delete _listings[listingId];
    }

    /// @notice The account's value at `timepoint`: escrowed domains at checkpointed prices
    /// plus cash. NOTE: holdings as of now; exact at the end only if trading stops then.
    function valueAt(address account, uint48 timepoint) external view returns (uint256 value) {
        bytes32[] storage keys = _holdings[account];
        uint256 n = keys.length;
        for (uint256 i; i < n; ++i) {
            bytes32 key = keys[i];
            value += _oracle.priceAt(_tokenOf[key], _idOf[key], timepoint);
        }
        value += _cash[account];
    }

    function _add(address account, bytes32 key) private {
        _holder[key] = account;
        _holdings[account].push(key);
        _index[key] = _holdings[account].length;
    }

    function _remove(address account, bytes32 key) private {
        bytes32[] storage keys = _holdings[account];
        uint256 i = _index[key] - 1;
        bytes32 last = keys[keys.length - 1];
        keys[i] = last;
        _index[last] = i + 1;
        keys.pop();
        delete _index[key];
    }
}
