// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IValuationOracle} from "../../contracts/interfaces/IValuationOracle.sol";

/// @dev The cheatcodes used here, declared locally: forge-std is not installed offline.
interface Vm {
    function envBytes(string calldata name) external view returns (bytes memory);
    function warp(uint256 timestamp) external;
    function load(address target, bytes32 slot) external view returns (bytes32 data);
}

/// @notice The sequences forge's invariant fuzzer drives: the same three rules as the
/// engine's machine in `bench/fuzz_bench.py` (`oracle_machine`), each with its model.
contract OracleHandler {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    address public constant COLLECTION = address(0xC0C0c0c0C0C0c0c0c0C0c0C0C0C0C0C0C0C0c0c0);
    uint256 public constant IDS = 4;
    uint256 private constant CAP_BPS = 2_000;
    uint256 private constant MAX_PRICE = 1e30;

    IValuationOracle public immutable oracle;
    uint256[IDS] public model;

    /// @dev The test contract (the oracle's admin) sets every price to 1e18 before the runs.
    constructor(IValuationOracle oracle_) {
        oracle = oracle_;
        for (uint256 i; i < IDS; ++i) {
            model[i] = 1e18;
        }
    }

    /// @notice A reporter's update within the cap (up or down by at most CAP_BPS).
    function setPrice(uint256 id, uint256 bps, bool up) external {
        id %= IDS;
        uint256 previous = model[id];
        uint256 delta = previous * (bps % (CAP_BPS + 1)) / 10_000;
        uint256 price = up ? previous + delta : previous - delta;
        oracle.setPrice(COLLECTION, id + 1, price);
        model[id] = price;
    }

    /// @notice The admin's override: any positive price.
    function overridePrice(uint256 id, uint256 price) external {
        id %= IDS;
        price = 1 + price % MAX_PRICE;
        oracle.overridePrice(COLLECTION, id + 1, price);
        model[id] = price;
    }

    function warp(uint256 seconds_) external {
        VM.warp(block.timestamp + 1 + seconds_ % 1 days);
    }
}

/// @notice Forge's side of the stateful comparison: the ValuationOracle Ape compiled (init
/// code through DOMACROSS_ORACLE_INITCODE), driven through OracleHandler.
contract OracleInvariantBench {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    /// @dev ValuationOracle's storage: AccessControl._roles (0), Pausable._paused (1), then
    /// _prices (2), each Price packing `uint192 price` in its low bits
    /// (tests/utils/fast_oracle.py PRICES_SLOT).
    uint256 private constant PRICES_SLOT = 2;
    OracleHandler private _handler;

    function setUp() public {
        bytes memory code = abi.encodePacked(
            VM.envBytes("DOMACROSS_ORACLE_INITCODE"), abi.encode(address(this), 1 days, uint256(2_000))
        );
        address oracle;
        assembly ("memory-safe") {
            oracle := create(0, add(code, 32), mload(code))
        }
        require(oracle != address(0), "oracle deployment failed");
        _handler = new OracleHandler(IValuationOracle(oracle));
        _grant(oracle, keccak256("REPORTER_ROLE"));
        _grant(oracle, bytes32(0));
        for (uint256 i; i < _handler.IDS(); ++i) {
            IValuationOracle(oracle).overridePrice(_handler.COLLECTION(), i + 1, 1e18);
        }
    }

    /// @notice Read by forge instead of forge-std's `targetContract`.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(_handler);
    }

    /// @notice Every stored price is the model's, read from the oracle's storage (vm.load),
    /// as the engine's machine reads it (FastChain.storage_at).
    function invariant_pricesMatchModel() public view {
        address oracle = address(_handler.oracle());
        bytes32 prices = keccak256(abi.encode(_handler.COLLECTION(), PRICES_SLOT));
        for (uint256 i; i < _handler.IDS(); ++i) {
            uint256 word = uint256(VM.load(oracle, keccak256(abi.encode(i + 1, prices))));
            require(word & type(uint192).max == _handler.model(i), "price differs from the model");
        }
    }

    function _grant(address oracle, bytes32 role) private {
        (bool ok,) = oracle.call(abi.encodeWithSignature("grantRole(bytes32,address)", role, address(_handler)));
        require(ok, "grantRole failed");
    }
}
