// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {IMembers} from "./Interfaces.sol";

/// @title MemberGated
/// @notice Base for contracts whose writers must be active consortium members.
/// @dev The caller's province comes from Governance, so a removed member is refused everywhere
///      at once and a rotated account takes over its province's logs.
abstract contract MemberGated {
    /// @notice The Governance contract that says who is a member.
    IMembers public immutable governance;

    error NotMember(address account);
    error ZeroAddress();

    constructor(address governance_) {
        if (governance_ == address(0)) revert ZeroAddress();
        governance = IMembers(governance_);
    }

    /// @dev The province of `msg.sender`; reverts `NotMember(msg.sender)` if it is not an
    ///      active member (Governance's own revert is re-thrown under this contract's ABI).
    function _callerProvince() internal view returns (bytes2) {
        try governance.provinceOf(msg.sender) returns (bytes2 province) {
            return province;
        } catch {
            revert NotMember(msg.sender);
        }
    }
}
