// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title SequencedLog
/// @notice One province's chain of anchored Merkle roots: seq 1, 2, 3, … each naming the root
///         before it and a strictly larger tree size. RecordAnchors keeps two per province
///         (record batches, revocations) and both go through `append`.
/// @dev Storage per entry: the root (one slot) and size+block number packed in `meta` two
///      entries to a slot, so every other anchor writes into an existing slot (cheaper than a
///      fresh one). The head slot keeps the last seq, size and a caller-defined 32-bit tag of the
///      last entry; the last root is `roots[lastSeq]`.
library SequencedLog {
    struct Log {
        uint64 lastSeq;
        uint64 lastSize;
        uint32 lastTag;
        mapping(uint64 => bytes32) roots;
        mapping(uint64 => uint256) meta;
    }

    error WrongSeq(bytes2 province, uint64 got, uint64 want);
    error WrongPrevRoot(bytes2 province, uint64 seq, bytes32 got, bytes32 want);
    error SizeNotIncreasing(uint64 got, uint64 last);

    /// @dev Appends entry `seq` labelled `tag` and returns the previous entry's tag (0 before the
    ///      first). Checked here: seq = lastSeq + 1, prevRoot = the last root (zero before the
    ///      first entry), size > lastSize. The caller checks root != 0.
    function append(
        Log storage log,
        bytes2 province,
        uint64 seq,
        bytes32 root,
        uint64 size,
        bytes32 prevRoot,
        uint32 tag
    ) internal returns (uint32 previousTag) {
        uint64 lastSeq = log.lastSeq;
        if (seq != lastSeq + 1) revert WrongSeq(province, seq, lastSeq + 1);
        bytes32 want = lastSeq == 0 ? bytes32(0) : log.roots[lastSeq];
        if (prevRoot != want) revert WrongPrevRoot(province, seq, prevRoot, want);
        uint64 lastSize = log.lastSize;
        if (size <= lastSize) revert SizeNotIncreasing(size, lastSize);

        previousTag = log.lastTag;
        log.lastSeq = seq;
        log.lastSize = size;
        log.lastTag = tag;
        log.roots[seq] = root;
        uint256 shift = (seq & 1) * 128;
        uint256 packed = (uint256(size) << 64) | uint256(block.number);
        log.meta[seq >> 1] |= packed << shift;
    }

    /// @dev Entry `seq` as (root, size, blockNumber); zeros if it does not exist.
    function entry(Log storage log, uint64 seq) internal view returns (bytes32 root, uint64 size, uint64 blockNumber) {
        root = log.roots[seq];
        uint256 packed = log.meta[seq >> 1] >> ((seq & 1) * 128);
        size = uint64(packed >> 64);
        blockNumber = uint64(packed);
    }

    /// @dev The last entry as (seq, root, size); zeros before the first.
    function latest(Log storage log) internal view returns (uint64 seq, bytes32 root, uint64 size) {
        seq = log.lastSeq;
        return (seq, log.roots[seq], log.lastSize);
    }

    /// @dev True iff entry `seq` exists with exactly `root`.
    function contains(Log storage log, uint64 seq, bytes32 root) internal view returns (bool) {
        return root != bytes32(0) && log.roots[seq] == root;
    }
}
