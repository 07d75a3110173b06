// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PlantedBoundary} from "../../contracts/test/planted/PlantedBoundary.sol";
import {PlantedMagicLock} from "../../contracts/test/planted/PlantedMagicLock.sol";
import {PlantedSelfTransferToken} from "../../contracts/test/planted/PlantedSelfTransferToken.sol";
import {PlantedVault} from "../../contracts/test/planted/PlantedVault.sol";
import {PlantedVoucher} from "../../contracts/test/planted/PlantedVoucher.sol";

/// @dev The cheatcodes used here, declared locally: forge-std is not installed offline.
interface Vm {
    function warp(uint256 timestamp) external;
    function prank(address sender) external;
}

/// @notice Forge's side of the planted-bug race in `make bench-fuzz`: the same properties
/// as tests/fuzz/planted.py, on the same contracts (contracts/test/planted/). Each must FAIL
/// (forge finds the bug); the benchmark reads how many runs and how long it took.
contract PlantedBench {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 private constant CAP = 1_000_000 ether;

    PlantedMagicLock private _lock;
    PlantedSelfTransferToken private _token;
    PlantedBoundary private _capped;
    PlantedVoucher private _voucher;
    address[3] private _holders = [address(0x1001), address(0x1002), address(0x1003)];

    function setUp() public {
        _lock = new PlantedMagicLock();
        address[] memory holders = new address[](3);
        for (uint256 i; i < 3; ++i) {
            holders[i] = _holders[i];
        }
        _token = new PlantedSelfTransferToken(holders, 1e21);
        _capped = new PlantedBoundary();
        _voucher = new PlantedVoucher();
    }

    function testFuzz_magicConstant(uint256 key) public {
        _lock.unlock(key);
        require(!_lock.opened(), "opened");
    }

    function testFuzz_magicInTimeWindow(uint256 key, uint256 when) public {
        VM.warp(when);
        _lock.unlockTimed(key);
        require(!_lock.opened(), "opened");
    }

    function testFuzz_selfTransfer(uint8 from, uint8 to, uint256 amount) public {
        address sender = _holders[from % 3];
        if (amount > _token.balanceOf(sender)) return;
        VM.prank(sender);
        _token.transfer(_holders[to % 3], amount);
        uint256 total;
        for (uint256 i; i < 3; ++i) {
            total += _token.balanceOf(_holders[i]);
        }
        require(total == _token.totalSupply(), "supply differs");
    }

    function testFuzz_offByOne(uint256 amount) public {
        try _capped.accept(amount) {
            require(amount < CAP, "accepted the cap");
        } catch {}
    }

    function testFuzz_valueFromEvent(uint256 code) public {
        _voucher.issue();
        _voucher.redeem(code);
        require(!_voucher.drained(), "drained");
    }
}

/// @notice The self-transfer bug through forge's invariant fuzzer: transfers bounded by
/// the sender's balance.
contract TokenHandler {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    PlantedSelfTransferToken public immutable token;
    address[3] private _holders = [address(0x1001), address(0x1002), address(0x1003)];

    constructor() {
        address[] memory holders = new address[](3);
        for (uint256 i; i < 3; ++i) {
            holders[i] = _holders[i];
        }
        token = new PlantedSelfTransferToken(holders, 1e21);
    }

    function transfer(uint8 from, uint8 to, uint256 amount) external {
        address sender = _holders[from % 3];
        amount %= token.balanceOf(sender) + 1;
        VM.prank(sender);
        token.transfer(_holders[to % 3], amount);
    }

    function sum() external view returns (uint256 total) {
        for (uint256 i; i < 3; ++i) {
            total += token.balanceOf(_holders[i]);
        }
    }
}

contract PlantedTokenInvariantBench {
    TokenHandler private _handler;

    function setUp() public {
        _handler = new TokenHandler();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(_handler);
    }

    function invariant_supplyIsSumOfBalances() public view {
        require(_handler.sum() == _handler.token().totalSupply(), "supply differs");
    }
}

/// @notice The vault inflation bug through forge's invariant fuzzer: every deposit of at
/// least 1 must mint at least 1 share (checked in the handler, as the engine's rule does).
contract VaultHandler {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    PlantedVault public immutable vault = new PlantedVault();
    bool public mintedNothing;

    function deposit(uint8 who, uint256 assets) external {
        assets = 1 + assets % 1e24;
        VM.prank(address(uint160(0x2001 + who % 2)));
        if (vault.deposit(assets) == 0) mintedNothing = true;
    }

    function donate(uint256 assets) external {
        if (vault.totalShares() == 0) return;
        vault.donate(1 + assets % 1e24);
    }
}

contract PlantedVaultInvariantBench {
    VaultHandler private _handler;

    function setUp() public {
        _handler = new VaultHandler();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(_handler);
    }

    function invariant_everyDepositMintsShares() public view {
        require(!_handler.mintedNothing(), "a deposit minted no shares");
    }
}
