// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {MemberGated} from "./MemberGated.sol";

/// @title AuditAnchors
/// @notice Anchors each province's signed access-audit tree heads and collects peer witness
///         co-signatures on them. A province's tree size never decreases and a size, once
///         anchored, can never be given another root, so a rewritten or forked log is visible.
contract AuditAnchors is MemberGated {
    /// @dev The latest head's size; its root is `_roots[province][treeSize]` (one slot, not two).
    struct Head {
        uint64 treeSize;
        bool exists;
    }

    mapping(bytes2 => Head) private _latest;
    mapping(bytes2 => mapping(uint64 => bytes32)) private _roots;
    mapping(bytes2 => mapping(uint64 => uint256)) private _witnessCount;
    mapping(bytes2 => mapping(uint64 => mapping(bytes2 => bool))) private _witnessed;

    event AuditHeadAnchored(bytes2 indexed province, uint64 treeSize, bytes32 root, bytes signature);
    event AuditHeadWitnessed(
        bytes2 indexed province, uint64 treeSize, bytes32 root, bytes2 indexed witness, bytes cosignature
    );

    error BadSignatureLength(uint256 length);
    error ZeroRoot();
    error TreeSizeDecreased(uint64 got, uint64 last);
    error ConflictingHead(bytes2 province, uint64 treeSize);
    error HeadAlreadyAnchored(bytes2 province, uint64 treeSize);
    error CannotWitnessSelf();
    error HeadNotAnchored(bytes2 province, uint64 treeSize, bytes32 root);
    error AlreadyWitnessed(bytes2 province, uint64 treeSize, bytes2 witness);

    /// @notice Binds the audit anchors to the consortium's Governance contract.
    constructor(address governance_) MemberGated(governance_) {}

    /// @notice Anchors the caller province's signed audit tree head (`signature`: 64-byte Ed25519
    ///         over the head by the province's node key).
    /// @dev Reverts `NotMember`, `BadSignatureLength`, `ZeroRoot`, `TreeSizeDecreased`,
    ///      `ConflictingHead` (same size, other root), `HeadAlreadyAnchored` (same size and root).
    function anchorHead(uint64 treeSize, bytes32 root, bytes calldata signature) external {
        bytes2 province = _callerProvince();
        _checkSignature(signature);
        if (root == bytes32(0)) revert ZeroRoot();
        Head storage last = _latest[province];
        if (last.exists) {
            uint64 lastSize = last.treeSize;
            if (treeSize < lastSize) revert TreeSizeDecreased(treeSize, lastSize);
            if (treeSize == lastSize) {
                if (root != _roots[province][lastSize]) revert ConflictingHead(province, treeSize);
                revert HeadAlreadyAnchored(province, treeSize);
            }
        }
        _latest[province] = Head(treeSize, true);
        _roots[province][treeSize] = root;
        emit AuditHeadAnchored(province, treeSize, root, signature);
    }

    /// @notice Records the caller province's co-signature on another province's anchored head.
    /// @dev Reverts `NotMember`, `BadSignatureLength`, `CannotWitnessSelf`, `HeadNotAnchored`
    ///      (no head of that size with that root), `AlreadyWitnessed` (once per witness per head).
    function witness(bytes2 province, uint64 treeSize, bytes32 root, bytes calldata cosignature) external {
        bytes2 witnessProvince = _callerProvince();
        _checkSignature(cosignature);
        if (witnessProvince == province) revert CannotWitnessSelf();
        if (root == bytes32(0) || _roots[province][treeSize] != root) {
            revert HeadNotAnchored(province, treeSize, root);
        }
        if (_witnessed[province][treeSize][witnessProvince]) {
            revert AlreadyWitnessed(province, treeSize, witnessProvince);
        }
        _witnessed[province][treeSize][witnessProvince] = true;
        _witnessCount[province][treeSize] += 1;
        emit AuditHeadWitnessed(province, treeSize, root, witnessProvince, cosignature);
    }

    /// @notice The latest anchored head of `province`; zeros if none.
    function latestHead(bytes2 province) external view returns (uint64 treeSize, bytes32 root) {
        Head storage h = _latest[province];
        if (!h.exists) return (0, bytes32(0));
        return (h.treeSize, _roots[province][h.treeSize]);
    }

    /// @notice The anchored root of `province`'s head at `treeSize`; zero if none.
    function headRoot(bytes2 province, uint64 treeSize) external view returns (bytes32) {
        return _roots[province][treeSize];
    }

    /// @notice How many distinct peer provinces co-signed `province`'s head at `treeSize`.
    function witnessCount(bytes2 province, uint64 treeSize) external view returns (uint256) {
        return _witnessCount[province][treeSize];
    }

    function _checkSignature(bytes calldata signature) private pure {
        if (signature.length != 64) revert BadSignatureLength(signature.length);
    }
}
