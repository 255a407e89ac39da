// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {MemberGated} from "./MemberGated.sol";
import {ICatalog} from "./Interfaces.sol";
import {SequencedLog} from "./SequencedLog.sol";

/// @title RecordAnchors
/// @notice Anchors each province's signed batch roots: its record log (batches of record
///         commitments) and its revocation log (repair / withdrawal notices). Only a province's
///         active account may extend its own logs; the full header travels in the events.
contract RecordAnchors is MemberGated {
    using SequencedLog for SequencedLog.Log;

    /// @notice The Catalog whose adopted versions batches must name.
    ICatalog public immutable catalog;
    mapping(bytes2 => SequencedLog.Log) private _batches;
    mapping(bytes2 => SequencedLog.Log) private _revocations;

    event BatchAnchored(
        bytes2 indexed province,
        uint64 indexed seq,
        bytes32 root,
        uint64 size,
        bytes32 prevRoot,
        uint32 catalogVersion,
        bytes headerSig
    );
    event RevocationsAnchored(
        bytes2 indexed province, uint64 indexed seq, bytes32 root, uint64 size, bytes32 prevRoot, bytes headerSig
    );

    error BadSignatureLength(uint256 length);
    error ZeroRoot();
    error CatalogVersionNotAdopted(uint32 version);

    /// @notice Binds the anchors to the consortium's Governance and Catalog contracts.
    constructor(address governance_, address catalog_) MemberGated(governance_) {
        if (catalog_ == address(0)) revert ZeroAddress();
        catalog = ICatalog(catalog_);
    }

    /// @notice Anchors the caller province's record batch `seq` (its log grown to `size` leaves
    ///         with root `root`), chained to the previous batch by `prevRoot`.
    /// @dev Reverts `NotMember`, `BadSignatureLength` (headerSig must be 64 bytes, Ed25519),
    ///      `ZeroRoot`, `WrongSeq`, `WrongPrevRoot`, `SizeNotIncreasing`, `CatalogVersionNotAdopted`.
    function anchorBatch(
        uint64 seq,
        bytes32 root,
        uint64 size,
        bytes32 prevRoot,
        uint32 catalogVersion,
        bytes calldata headerSig
    ) external {
        bytes2 province = _checkedCaller(root, headerSig);
        // Adoption is irreversible, so a version this log already used needs no second look.
        uint32 lastVersion = _batches[province].append(province, seq, root, size, prevRoot, catalogVersion);
        if (catalogVersion != lastVersion && !catalog.isAdopted(catalogVersion)) {
            revert CatalogVersionNotAdopted(catalogVersion);
        }
        emit BatchAnchored(province, seq, root, size, prevRoot, catalogVersion, headerSig);
    }

    /// @notice Anchors the caller province's revocation batch `seq`; same rules as `anchorBatch`
    ///         in a sequence of its own.
    /// @dev Reverts `NotMember`, `BadSignatureLength`, `ZeroRoot`, `WrongSeq`, `WrongPrevRoot`,
    ///      `SizeNotIncreasing`.
    function anchorRevocations(uint64 seq, bytes32 root, uint64 size, bytes32 prevRoot, bytes calldata headerSig)
        external
    {
        bytes2 province = _checkedCaller(root, headerSig);
        _revocations[province].append(province, seq, root, size, prevRoot, 0);
        emit RevocationsAnchored(province, seq, root, size, prevRoot, headerSig);
    }

    /// @notice Record batch `seq` of `province`; zeros if not anchored.
    function batch(bytes2 province, uint64 seq) external view returns (bytes32 root, uint64 size, uint64 blockNumber) {
        return _batches[province].entry(seq);
    }

    /// @notice The latest record batch of `province`; zeros if none.
    function latestBatch(bytes2 province) external view returns (uint64 seq, bytes32 root, uint64 size) {
        return _batches[province].latest();
    }

    /// @notice True iff `province` anchored record batch `seq` with exactly `root`.
    function isAnchored(bytes2 province, uint64 seq, bytes32 root) external view returns (bool) {
        return _batches[province].contains(seq, root);
    }

    /// @notice Revocation batch `seq` of `province`; zeros if not anchored.
    function revocationBatch(bytes2 province, uint64 seq)
        external
        view
        returns (bytes32 root, uint64 size, uint64 blockNumber)
    {
        return _revocations[province].entry(seq);
    }

    /// @notice The latest revocation batch of `province`; zeros if none.
    function latestRevocation(bytes2 province) external view returns (uint64 seq, bytes32 root, uint64 size) {
        return _revocations[province].latest();
    }

    /// @notice True iff `province` anchored revocation batch `seq` with exactly `root`.
    function isRevocationAnchored(bytes2 province, uint64 seq, bytes32 root) external view returns (bool) {
        return _revocations[province].contains(seq, root);
    }

    /// @dev The caller's province after the checks common to both logs.
    function _checkedCaller(bytes32 root, bytes calldata headerSig) private view returns (bytes2 province) {
        province = _callerProvince();
        if (headerSig.length != 64) revert BadSignatureLength(headerSig.length);
        if (root == bytes32(0)) revert ZeroRoot();
    }
}
