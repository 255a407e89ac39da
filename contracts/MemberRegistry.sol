// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title MemberRegistry
/// @notice The consortium's member table: one entry per province, keyed by its two-letter code.
/// @dev Abstract: only Governance may change members, through the internal functions below.
///      Invariant kept by every mutation: `_accountProvince[a] != 0` iff `a` is the account of an
///      active member, so `provinceOf` (called on every anchor) costs a single storage read.
abstract contract MemberRegistry {
    /// @notice A member as returned by `memberOf` (ABI order is fixed by the interface).
    struct Member {
        bytes2 province;
        address account;
        bytes32 nodeKey;
        bytes32 oprfKeyCommitment;
        bytes32 tlsCaFingerprint;
        bool active;
    }

    /// @dev Storage order differs from `Member` so that province, account and active share a slot.
    struct MemberRecord {
        bytes2 province;
        address account;
        bool active;
        bytes32 nodeKey;
        bytes32 oprfKeyCommitment;
        bytes32 tlsCaFingerprint;
    }

    mapping(bytes2 => MemberRecord) private _members;
    mapping(address => bytes2) private _accountProvince;
    bytes2[] private _provinces;
    uint256 private _activeCount;
    uint256 internal _explicitThreshold;

    event MemberAdded(
        bytes2 indexed province,
        address account,
        bytes32 nodeKey,
        bytes32 oprfKeyCommitment,
        bytes32 tlsCaFingerprint
    );
    event MemberRemoved(bytes2 indexed province, address account);
    event KeysRotated(
        bytes2 indexed province,
        address account,
        bytes32 nodeKey,
        bytes32 oprfKeyCommitment,
        bytes32 tlsCaFingerprint
    );

    error NotMember(address account);
    error UnknownProvince(bytes2 province);
    error MemberInactive(bytes2 province);
    error DuplicateMember(bytes2 province, address account);
    error LastMember();
    error ZeroAddress();
    error ZeroProvince();
    error ZeroKey(string field);

    /// @notice Number of active members.
    function memberCount() public view returns (uint256) {
        return _activeCount;
    }

    /// @notice Approvals a proposal needs: the explicit threshold (capped at the member count)
    ///         or, when none is set, ceil(2n/3) of the n active members; never below a
    ///         majority of the members there are now, so the floor scales with membership.
    function threshold() public view returns (uint256) {
        uint256 n = _activeCount;
        uint256 t = _explicitThreshold;
        if (t == 0) t = (2 * n + 2) / 3;
        else if (t > n) t = n;
        uint256 floor_ = majority();
        return t > floor_ ? t : floor_;
    }

    /// @notice A strict majority of the active members: floor(n/2) + 1.
    function majority() public view returns (uint256) {
        return _activeCount / 2 + 1;
    }

    /// @notice True iff `account` is the account of an active member.
    function isMember(address account) public view returns (bool) {
        return _accountProvince[account] != bytes2(0);
    }

    /// @notice The province of an active member's account; reverts `NotMember` otherwise.
    function provinceOf(address account) public view returns (bytes2 province) {
        province = _accountProvince[account];
        if (province == bytes2(0)) revert NotMember(account);
    }

    /// @notice The member entry of a province ever registered (inactive ones have active=false).
    function memberOf(bytes2 province) external view returns (Member memory) {
        MemberRecord storage r = _known(province);
        return Member(r.province, r.account, r.nodeKey, r.oprfKeyCommitment, r.tlsCaFingerprint, r.active);
    }

    /// @notice Every province ever registered, in registration order; check `memberOf(p).active`.
    function provinces() external view returns (bytes2[] memory) {
        return _provinces;
    }

    /// @dev The record of a registered province; reverts `UnknownProvince` otherwise.
    function _known(bytes2 province) internal view returns (MemberRecord storage r) {
        r = _members[province];
        if (r.province == bytes2(0)) revert UnknownProvince(province);
    }

    /// @dev Reverts unless the member could be added now (province not active, account unused).
    function _checkAdd(bytes2 province, address account, bytes32 nodeKey, bytes32 oprf, bytes32 tls)
        internal
        view
    {
        _checkFields(province, account, nodeKey, oprf, tls);
        if (_members[province].active || _accountProvince[account] != bytes2(0)) {
            revert DuplicateMember(province, account);
        }
    }

    /// @dev Reverts unless `province` is active and `account` is free or already its own.
    function _checkRotate(bytes2 province, address account, bytes32 nodeKey, bytes32 oprf, bytes32 tls)
        internal
        view
    {
        _checkFields(province, account, nodeKey, oprf, tls);
        if (!_known(province).active) revert MemberInactive(province);
        bytes2 owner = _accountProvince[account];
        if (owner != bytes2(0) && owner != province) revert DuplicateMember(province, account);
    }

    /// @dev Reverts unless `province` is active and not the last active member.
    function _checkRemove(bytes2 province) internal view {
        if (!_known(province).active) revert MemberInactive(province);
        if (_activeCount == 1) revert LastMember();
    }

    /// @dev Registers or re-activates a member. Precondition: `_checkAdd` passed.
    function _addMember(bytes2 province, address account, bytes32 nodeKey, bytes32 oprf, bytes32 tls)
        internal
    {
        MemberRecord storage r = _members[province];
        if (r.province == bytes2(0)) _provinces.push(province);
        _members[province] = MemberRecord(province, account, true, nodeKey, oprf, tls);
        _accountProvince[account] = province;
        _activeCount += 1;
        emit MemberAdded(province, account, nodeKey, oprf, tls);
    }

    /// @dev Deactivates a member (its record stays for history). Precondition: `_checkRemove` passed.
    function _removeMember(bytes2 province) internal {
        MemberRecord storage r = _members[province];
        r.active = false;
        delete _accountProvince[r.account];
        _activeCount -= 1;
        emit MemberRemoved(province, r.account);
    }

    /// @dev Replaces a member's account and keys. Precondition: `_checkRotate` passed.
    function _rotateKeys(bytes2 province, address account, bytes32 nodeKey, bytes32 oprf, bytes32 tls)
        internal
    {
        MemberRecord storage r = _members[province];
        delete _accountProvince[r.account];
        _accountProvince[account] = province;
        r.account = account;
        r.nodeKey = nodeKey;
        r.oprfKeyCommitment = oprf;
        r.tlsCaFingerprint = tls;
        emit KeysRotated(province, account, nodeKey, oprf, tls);
    }

    function _checkFields(bytes2 province, address account, bytes32 nodeKey, bytes32 oprf, bytes32 tls)
        private
        pure
    {
        if (province == bytes2(0)) revert ZeroProvince();
        if (account == address(0)) revert ZeroAddress();
        if (nodeKey == bytes32(0)) revert ZeroKey("nodeKey");
        if (oprf == bytes32(0)) revert ZeroKey("oprfKeyCommitment");
        if (tls == bytes32(0)) revert ZeroKey("tlsCaFingerprint");
    }
}
