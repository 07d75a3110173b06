// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IValuationOracle} from "../../contracts/interfaces/IValuationOracle.sol";

/// @dev The cheatcodes used here, declared locally: forge-std is not installed offline.
interface Vm {
    function envBytes(string calldata name) external view returns (bytes memory);
}

/// @notice Forge's side of `make bench-fuzz`: the oracle change-cap property of
/// `bench/fuzz_bench.py`, run by forge's fuzzer on the contract Ape compiled (its init code
/// comes in through DOMACROSS_ORACLE_INITCODE, so both tools run the same bytecode).
/// Plain Solidity with `require`: forge-std is not available offline.
contract OracleCapBench {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    address private constant COLLECTION = address(0xC0C0c0c0C0C0c0c0c0C0c0C0C0C0C0C0C0C0c0c0);
    uint256 private constant PREVIOUS = 1e18;
    uint256 private constant CAP_BPS = 2_000;
    uint256 private constant MAX_PRICE = 1e30;

    IValuationOracle private _oracle;

    function setUp() public {
        bytes memory code =
            abi.encodePacked(VM.envBytes("DOMACROSS_ORACLE_INITCODE"), abi.encode(address(this), 1 days, CAP_BPS));
        address oracle;
        assembly ("memory-safe") {
            oracle := create(0, add(code, 32), mload(code))
        }
        require(oracle != address(0), "oracle deployment failed");
        _oracle = IValuationOracle(oracle);
        (bool ok,) = oracle.call(abi.encodeWithSignature("grantRole(bytes32,address)", keccak256("REPORTER_ROLE"), address(this)));
        require(ok, "grantRole failed");
        _oracle.overridePrice(COLLECTION, 1, PREVIOUS);
    }

    /// @notice A reporter's update is stored iff it moves the price by at most the cap;
    /// otherwise it reverts with OraclePriceChangeTooLarge carrying the exact values.
    function testFuzz_setPrice_acceptedIffWithinCap(uint256 seed) public {
        uint256 price = 1 + seed % MAX_PRICE; // the Python side draws integers(1, 1e30)
        uint256 diff = price > PREVIOUS ? price - PREVIOUS : PREVIOUS - price;
        bool within = diff * 10_000 <= PREVIOUS * CAP_BPS;
        try _oracle.setPrice(COLLECTION, 1, price) {
            require(within, "accepted beyond the cap");
            (uint256 stored,) = _oracle.latestPrice(COLLECTION, 1);
            require(stored == price, "price not stored");
        } catch (bytes memory reason) {
            require(!within, "rejected within the cap");
            bytes memory expected = abi.encodeWithSelector(
                IValuationOracle.OraclePriceChangeTooLarge.selector, COLLECTION, 1, PREVIOUS, price, CAP_BPS
            );
            require(keccak256(reason) == keccak256(expected), "wrong revert");
        }
    }
}
