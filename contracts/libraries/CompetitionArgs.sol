// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ICompetitionTypes} from "../interfaces/ICompetitionTypes.sol";

/// @title CompetitionArgs
/// @notice Packs a competition's configuration into the immutable arguments of its clone
/// and reads it back. Packed, not ABI-encoded: every byte of a clone costs 200 gas to deploy.
///
/// Layout (bytes): factory 0-19, organizer 20-39, oracle 40-59, tracker 60-79, treasury 80-99,
/// startTime 100-107, endTime 108-115, claimDeadline 116-123, disputeWindow 124-131,
/// entryFee 132-147, maxParticipants 148-151, rakeBps 152-153, index 154-157,
/// payoutBps from 158, 2 bytes each.
library CompetitionArgs {
    uint256 internal constant HEAD_LENGTH = 158;
    uint256 internal constant INDEX_OFFSET = 154;

    /// @notice Packs a configuration.
    function encode(ICompetitionTypes.CompetitionConfig memory c) internal pure returns (bytes memory) {
        uint256 n = c.payoutBps.length;
        bytes memory payouts = new bytes(2 * n);
        for (uint256 i; i < n; ++i) {
            payouts[2 * i] = bytes1(uint8(c.payoutBps[i] >> 8));
            payouts[2 * i + 1] = bytes1(uint8(c.payoutBps[i]));
        }
        return abi.encodePacked(
            abi.encodePacked(c.factory, c.organizer, c.oracle, c.tracker, c.treasury),
            abi.encodePacked(c.startTime, c.endTime, c.claimDeadline, c.disputeWindow),
            abi.encodePacked(c.entryFee, c.maxParticipants, c.rakeBps, c.index),
            payouts
        );
    }

    /// @notice Unpacks a configuration written by {encode}.
    function decode(bytes memory args) internal pure returns (ICompetitionTypes.CompetitionConfig memory c) {
        c.factory = address(uint160(_read(args, 0, 160)));
        c.organizer = address(uint160(_read(args, 20, 160)));
        c.oracle = address(uint160(_read(args, 40, 160)));
        c.tracker = address(uint160(_read(args, 60, 160)));
        c.treasury = address(uint160(_read(args, 80, 160)));
        c.startTime = uint64(_read(args, 100, 64));
        c.endTime = uint64(_read(args, 108, 64));
        c.claimDeadline = uint64(_read(args, 116, 64));
        c.disputeWindow = uint64(_read(args, 124, 64));
        c.entryFee = uint128(_read(args, 132, 128));
        c.maxParticipants = uint32(_read(args, 148, 32));
        c.rakeBps = uint16(_read(args, 152, 16));
        c.index = uint32(_read(args, INDEX_OFFSET, 32));
        uint256 n = (args.length - HEAD_LENGTH) / 2;
        c.payoutBps = new uint16[](n);
        for (uint256 i; i < n; ++i) {
            c.payoutBps[i] = uint16(_read(args, HEAD_LENGTH + 2 * i, 16));
        }
    }

    /// @notice The registry index alone, from arguments at least `HEAD_LENGTH` long.
    function index(bytes memory args) internal pure returns (uint256) {
        return _read(args, INDEX_OFFSET, 32);
    }

    /// @dev Reads the `bits`-wide big-endian value at byte `offset`. Callers keep
    /// `offset + bits / 8 <= args.length`: the layout above is fixed and checked by the factory.
    function _read(bytes memory args, uint256 offset, uint256 bits) private pure returns (uint256 value) {
        assembly ("memory-safe") {
            value := shr(sub(256, bits), mload(add(add(args, 32), offset)))
        }
    }
}
