// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {MemberGated} from "./MemberGated.sol";

/// @title Catalog
/// @notice The shared dishonesty catalog (失信行为标准互认): adopted versions, each bound to the
///         sha256 of its canonical document, and each province's published mapping of its local
///         codes onto a version. Versions are adopted only through Governance proposals.
contract Catalog is MemberGated {
    uint32 private _currentVersion;
    mapping(uint32 => bytes32) private _documentHash;
    mapping(bytes2 => mapping(uint32 => bytes32)) private _mappingHash;

    event CatalogAdopted(uint32 indexed version, bytes32 documentHash);
    event MappingPublished(bytes2 indexed province, uint32 indexed version, bytes32 mappingHash);

    error NotGovernance();
    error VersionNotIncreasing(uint32 got, uint32 latest);
    error VersionNotAdopted(uint32 version);
    error ZeroHash();

    /// @notice Binds the catalog to its Governance contract (which must then `bindCatalog` it).
    constructor(address governance_) MemberGated(governance_) {}

    /// @notice Records an adopted version; only the Governance contract calls this, when an
    ///         AdoptCatalog proposal executes.
    /// @dev Reverts `NotGovernance`, `VersionNotIncreasing` (versions strictly increase, the
    ///      first is at least 1), `ZeroHash`.
    function adopt(uint32 version, bytes32 documentHash_) external {
        if (msg.sender != address(governance)) revert NotGovernance();
        if (documentHash_ == bytes32(0)) revert ZeroHash();
        uint32 latest = _currentVersion;
        if (version <= latest) revert VersionNotIncreasing(version, latest);
        _currentVersion = version;
        _documentHash[version] = documentHash_;
        emit CatalogAdopted(version, documentHash_);
    }

    /// @notice The latest adopted version, 0 if none.
    function currentVersion() external view returns (uint32) {
        return _currentVersion;
    }

    /// @notice The document hash of an adopted version, zero if `version` was not adopted.
    function documentHash(uint32 version) external view returns (bytes32) {
        return _documentHash[version];
    }

    /// @notice True iff `version` was adopted.
    function isAdopted(uint32 version) external view returns (bool) {
        return _documentHash[version] != bytes32(0);
    }

    /// @notice Publishes (or re-publishes; the latest wins) the caller's province mapping onto
    ///         an adopted version.
    /// @dev Caller must be an active member (`NotMember`); reverts `VersionNotAdopted`, `ZeroHash`.
    function publishMapping(uint32 version, bytes32 mappingHash_) external {
        bytes2 province = _callerProvince();
        if (_documentHash[version] == bytes32(0)) revert VersionNotAdopted(version);
        if (mappingHash_ == bytes32(0)) revert ZeroHash();
        _mappingHash[province][version] = mappingHash_;
        emit MappingPublished(province, version, mappingHash_);
    }

    /// @notice A province's published mapping hash for `version`, zero if none.
    function mappingHash(bytes2 province, uint32 version) external view returns (bytes32) {
        return _mappingHash[province][version];
    }
}
