// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title Interfaces
/// @notice The few cross-contract calls the 征信链 contracts make of one another.

/// @notice What the anchor and catalog contracts ask of Governance.
interface IMembers {
    /// @notice The province of an active member's account; reverts `NotMember(address)` otherwise.
    function provinceOf(address account) external view returns (bytes2);
}

/// @notice What Governance and RecordAnchors ask of the Catalog.
interface ICatalog {
    /// @notice Records an adopted catalog version; only the Governance contract may call it.
    function adopt(uint32 version, bytes32 documentHash) external;

    /// @notice The latest adopted version (0 if none).
    function currentVersion() external view returns (uint32);

    /// @notice True iff `version` has been adopted.
    function isAdopted(uint32 version) external view returns (bool);
}
