// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IRegistryFactory
/// @notice What every factory of the suite shares ({ICompetitionFactory}, {IDomainBasketFactory}):
/// one admin named at deployment (DEFAULT_ADMIN_ROLE, never the zero address), a guardian
/// (GUARDIAN_ROLE) who may stop creation at once, and an append-only registry of what it created
/// (each factory names its own getters and creation event). Pausing emits OpenZeppelin's
/// `Paused` / `Unpaused`; roles emit `RoleGranted` / `RoleRevoked`.
interface IRegistryFactory {
    /// @notice The admin given at deployment is the zero address: nobody could grant a role or unpause.
    error FactoryZeroAdmin();

    /// @notice Stops creation. Admin or guardian.
    function pause() external;

    /// @notice Resumes creation. Admin role only: a guardian stops, the admin decides to resume.
    function unpause() external;

    /// @notice The role that may pause creation besides the admin.
    // Naming triage: the getter of a role constant, named like OpenZeppelin's DEFAULT_ADMIN_ROLE().
    // slither-disable-next-line naming-convention
    function GUARDIAN_ROLE() external view returns (bytes32);
}
