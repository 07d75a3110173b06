// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title EnvironmentProbe
/// @notice Test-only, never deployed: reads what a contract sees of its environment
/// (block and transaction fields, precompiles, code, self-destruct, halts) so that the fast
/// fuzz engine can be compared with Ape's own chain on each of them
/// (tests/fuzz/test_fast_differential.py).
contract EnvironmentProbe {
    /// @notice What `environment()` saw, emitted so a transaction can report it too.
    event EnvironmentSeen(Environment environment);

    struct Environment {
        uint256 chainId;
        uint256 timestamp;
        uint256 number;
        uint256 basefee;
        uint256 gasprice;
        uint256 prevrandao;
        uint256 gaslimit;
        address coinbase;
        address sender;
        address origin;
    }

    /// @notice The environment of the call.
    function environment() public view returns (Environment memory env) {
        env = Environment({
            chainId: block.chainid,
            timestamp: block.timestamp,
            number: block.number,
            basefee: block.basefee,
            gasprice: tx.gasprice,
            prevrandao: block.prevrandao,
            gaslimit: block.gaslimit,
            coinbase: block.coinbase,
            sender: msg.sender,
            origin: tx.origin
        });
    }

    /// @notice The environment of a transaction, as an event.
    function recordEnvironment() external {
        emit EnvironmentSeen(environment());
    }

    /// @notice Whether the precompile at `precompile` answers `input`, and how many bytes.
    function precompileAnswers(address precompile, bytes calldata input)
        external
        view
        returns (bool ok, uint256 length)
    {
        bytes memory output;
        (ok, output) = precompile.staticcall(input);
        length = output.length;
    }

    /// @notice The size of the code at `account` as the EVM sees it (EXTCODESIZE).
    function codeSize(address account) external view returns (uint256) {
        return account.code.length;
    }

    /// @notice Creates a child that self-destructs in the same transaction (EIP-6780: its
    /// code and storage go); returns its address.
    function createAndDestroy() external returns (address child) {
        Doomed doomed = new Doomed();
        doomed.destroy();
        child = address(doomed);
    }

    /// @notice Creates a child that self-destructs only when told to, in a later transaction.
    function create() external returns (address child) {
        child = address(new Doomed());
    }

    /// @notice Ends in the INVALID opcode (an exceptional halt, not a revert).
    function invalidOpcode() external pure {
        assembly ("memory-safe") {
            invalid()
        }
    }

    /// @notice Runs out of gas.
    function burnAllGas() external view returns (uint256 i) {
        while (gasleft() > 0) {
            ++i;
        }
    }
}

/// @notice A child of EnvironmentProbe that self-destructs on request.
contract Doomed {
    /// @notice Self-destructs, sending any balance to the caller.
    // Triage: a test-only probe of EIP-6780 that anyone may destroy; it never holds value.
    // slither-disable-next-line suicidal,selfdestruct
    function destroy() external {
        // Anyone may: a test-only probe of EIP-6780, never deployed with value.
        selfdestruct(payable(msg.sender));
    }
}
