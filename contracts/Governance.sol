// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {MemberRegistry} from "./MemberRegistry.sol";
import {ICatalog} from "./Interfaces.sol";

/// @title Governance
/// @notice Consortium members and the proposals that change them: add, remove, rotate keys,
///         adopt a catalog version, change the approval threshold, appoint or dismiss an
///         auditor CA. A proposal executes in the transaction that brings its approvals (from
///         accounts that are active members at that moment) to `threshold()`; a RotateKeys
///         proposal also needs the approval of the province whose keys it replaces, so a
///         quorum cannot take over a member's identity (a province that lost its key is
///         removed and re-added instead, which is visible to everyone as such).
contract Governance is MemberRegistry {
    enum ProposalKind {
        AddMember,
        RemoveMember,
        RotateKeys,
        AdoptCatalog,
        ChangeThreshold,
        AppointAuditorCa
    }

    struct Proposal {
        uint8 kind;
        bool executed;
        address proposer;
        bytes data;
        address[] approvers;
    }

    /// @notice The account that deployed this contract; the only one allowed to bind the catalog.
    address public immutable deployer;
    address private _catalog;
    uint256 private _proposalCount;
    mapping(uint256 => Proposal) private _proposals;
    mapping(uint256 => mapping(address => bool)) private _approved;
    mapping(bytes2 => bytes32[]) private _revoked;
    mapping(bytes2 => mapping(bytes32 => bool)) private _isRevoked;
    bytes32[] private _auditorCas;
    mapping(bytes32 => uint256) private _auditorCaSlot; // index + 1 in _auditorCas; 0 = none

    event ThresholdChanged(uint256 threshold);
    event ProposalCreated(uint256 indexed id, uint8 kind, address indexed proposer, bytes data);
    event ProposalApproved(uint256 indexed id, address indexed member, uint256 approvals);
    event ProposalExecuted(uint256 indexed id, uint8 kind);
    event CatalogBound(address catalog);
    event AuditorCaAppointed(bytes32 indexed fingerprint, bool appointed);
    event CertificateRevoked(bytes2 indexed province, bytes32 fingerprint);

    error NotDeployer();
    error AlreadyBound();
    error CatalogNotBound();
    error ArrayLengthMismatch();
    error NoInitialMembers();
    error InvalidProposalKind(uint8 kind);
    error BadProposalData(uint8 kind, uint256 length, uint256 expected);
    error ProposalNotFound(uint256 id);
    error ProposalAlreadyExecuted(uint256 id);
    error AlreadyApproved(uint256 id, address member);
    error ThresholdNotReached(uint256 id, uint256 approvals, uint256 threshold);
    error ThresholdOutOfRange(uint256 requested, uint256 members);
    error ThresholdBelowMajority(uint256 requested, uint256 minimum);
    error ProvinceConsentMissing(uint256 id, bytes2 province);
    error AuditorCaUnchanged(bytes32 fingerprint, bool appointed);
    error AlreadyRevoked(bytes2 province, bytes32 fingerprint);
    error VersionNotIncreasing(uint32 got, uint32 latest);
    error ZeroHash();

    modifier onlyMember() {
        if (!isMember(msg.sender)) revert NotMember(msg.sender);
        _;
    }

    /// @notice Registers the initial members; the arrays are parallel, one entry per member.
    constructor(
        bytes2[] memory provinces_,
        address[] memory accounts,
        bytes32[] memory nodeKeys,
        bytes32[] memory oprfKeyCommitments,
        bytes32[] memory tlsCaFingerprints
    ) {
        uint256 n = provinces_.length;
        if (
            accounts.length != n || nodeKeys.length != n || oprfKeyCommitments.length != n
                || tlsCaFingerprints.length != n
        ) revert ArrayLengthMismatch();
        if (n == 0) revert NoInitialMembers();
        deployer = msg.sender;
        for (uint256 i = 0; i < n; ++i) {
            _checkAdd(provinces_[i], accounts[i], nodeKeys[i], oprfKeyCommitments[i], tlsCaFingerprints[i]);
            _addMember(provinces_[i], accounts[i], nodeKeys[i], oprfKeyCommitments[i], tlsCaFingerprints[i]);
        }
    }

    /// @notice Binds the Catalog contract that AdoptCatalog proposals write to.
    /// @dev Only the deployer, only once; reverts `NotDeployer`, `AlreadyBound`, `ZeroAddress`.
    function bindCatalog(address catalog_) external {
        if (msg.sender != deployer) revert NotDeployer();
        if (_catalog != address(0)) revert AlreadyBound();
        if (catalog_ == address(0)) revert ZeroAddress();
        _catalog = catalog_;
        emit CatalogBound(catalog_);
    }

    /// @notice The bound Catalog contract (zero until `bindCatalog`).
    function catalog() external view returns (address) {
        return _catalog;
    }

    /// @notice SHA-256 fingerprints (of the DER certificate) of the auditor CAs the members
    ///         appointed; only certificates from these CAs may hold the auditor role.
    function auditorCas() external view returns (bytes32[] memory) {
        return _auditorCas;
    }

    /// @notice Whether `fingerprint` is an appointed auditor CA now.
    function isAuditorCa(bytes32 fingerprint) external view returns (bool) {
        return _auditorCaSlot[fingerprint] != 0;
    }

    /// @notice Revokes a certificate (SHA-256 of its DER) issued by the caller's province CA:
    ///         every node refuses it from the next membership refresh, within seconds.
    /// @dev Only active members, and only for their own province: a revocation is filed
    ///      under the sender's province and nodes apply it to that province's certificates
    ///      only. No vote: a province de-accredits its own agencies. Irreversible (issue a
    ///      new certificate instead). Reverts `ZeroHash`, `AlreadyRevoked`.
    function revokeCertificate(bytes32 fingerprint) external onlyMember {
        if (fingerprint == bytes32(0)) revert ZeroHash();
        bytes2 province = provinceOf(msg.sender);
        if (_isRevoked[province][fingerprint]) revert AlreadyRevoked(province, fingerprint);
        _isRevoked[province][fingerprint] = true;
        _revoked[province].push(fingerprint);
        emit CertificateRevoked(province, fingerprint);
    }

    /// @notice Every certificate fingerprint `province` revoked, in order.
    function revokedCertificates(bytes2 province) external view returns (bytes32[] memory) {
        return _revoked[province];
    }

    /// @notice Number of proposals ever created; ids run from 1 to this number.
    function proposalCount() external view returns (uint256) {
        return _proposalCount;
    }

    /// @notice A proposal; `approvals` counts approvers that are active members now.
    function proposal(uint256 id)
        external
        view
        returns (uint8 kind, bytes memory data, address proposer, uint256 approvals, bool executed)
    {
        Proposal storage p = _existing(id);
        return (p.kind, p.data, p.proposer, _liveApprovals(p), p.executed);
    }

    /// @notice Creates a proposal (data = abi.encode of the kind's arguments, see INTERFACE.md),
    ///         counts the proposer's approval and executes at once if that reaches the threshold.
    /// @dev Only active members. The data is checked now and again at execution.
    function propose(uint8 kind, bytes calldata data) external onlyMember returns (uint256 id) {
        _run(kind, data, false);
        id = ++_proposalCount;
        Proposal storage p = _proposals[id];
        p.kind = kind;
        p.proposer = msg.sender;
        p.data = data;
        emit ProposalCreated(id, kind, msg.sender, data);
        _approve(id, p);
    }

    /// @notice Approves an open proposal; executes it if approvals now reach the threshold.
    /// @dev Only active members, once each; reverts `ProposalNotFound`, `ProposalAlreadyExecuted`,
    ///      `AlreadyApproved`, or the proposal's own check failing at execution.
    function approve(uint256 id) external onlyMember {
        _approve(id, _open(id));
    }

    /// @notice Executes an open proposal whose live approvals already reach the threshold
    ///         (needed when the threshold fell after everyone still active had approved).
    /// @dev Only active members; reverts `ThresholdNotReached` otherwise.
    function execute(uint256 id) external onlyMember {
        Proposal storage p = _open(id);
        uint256 approvals = _liveApprovals(p);
        uint256 needed = threshold();
        if (approvals < needed) revert ThresholdNotReached(id, approvals, needed);
        bytes2 province = _consentNeeded(id, p);
        if (province != bytes2(0)) revert ProvinceConsentMissing(id, province);
        _execute(id, p);
    }

    function _approve(uint256 id, Proposal storage p) private {
        if (_approved[id][msg.sender]) revert AlreadyApproved(id, msg.sender);
        _approved[id][msg.sender] = true;
        p.approvers.push(msg.sender);
        uint256 approvals = _liveApprovals(p);
        emit ProposalApproved(id, msg.sender, approvals);
        if (approvals >= threshold() && _consentNeeded(id, p) == bytes2(0)) _execute(id, p);
    }

    /// @dev The province whose own approval a proposal still lacks (zero when none is needed):
    ///      a RotateKeys proposal needs the approval of the account it replaces.
    function _consentNeeded(uint256 id, Proposal storage p) private view returns (bytes2) {
        if (p.kind != uint8(ProposalKind.RotateKeys)) return bytes2(0);
        bytes2 province = abi.decode(p.data, (bytes2));
        if (_approved[id][_known(province).account]) return bytes2(0);
        return province;
    }

    function _execute(uint256 id, Proposal storage p) private {
        p.executed = true;
        _run(p.kind, p.data, true);
        emit ProposalExecuted(id, p.kind);
    }

    /// @dev Decodes and checks a proposal's data against the current state; applies it if `apply_`.
    ///      One function for both so the check at propose time is exactly the check at execution.
    function _run(uint8 kind, bytes memory data, bool apply_) private {
        if (kind > uint8(type(ProposalKind).max)) revert InvalidProposalKind(kind);
        ProposalKind k = ProposalKind(kind);
        uint256 expected = (k == ProposalKind.AddMember || k == ProposalKind.RotateKeys)
            ? 160
            : ((k == ProposalKind.AdoptCatalog || k == ProposalKind.AppointAuditorCa) ? 64 : 32);
        if (data.length != expected) revert BadProposalData(kind, data.length, expected);

        if (k == ProposalKind.AddMember || k == ProposalKind.RotateKeys) {
            (bytes2 province, address account, bytes32 nodeKey, bytes32 oprf, bytes32 tls) =
                abi.decode(data, (bytes2, address, bytes32, bytes32, bytes32));
            if (k == ProposalKind.AddMember) {
                _checkAdd(province, account, nodeKey, oprf, tls);
                if (apply_) _addMember(province, account, nodeKey, oprf, tls);
            } else {
                _checkRotate(province, account, nodeKey, oprf, tls);
                if (apply_) _rotateKeys(province, account, nodeKey, oprf, tls);
            }
        } else if (k == ProposalKind.RemoveMember) {
            bytes2 province = abi.decode(data, (bytes2));
            _checkRemove(province);
            if (apply_) _removeMember(province);
        } else if (k == ProposalKind.AdoptCatalog) {
            (uint32 version, bytes32 documentHash) = abi.decode(data, (uint32, bytes32));
            if (_catalog == address(0)) revert CatalogNotBound();
            if (documentHash == bytes32(0)) revert ZeroHash();
            uint32 latest = ICatalog(_catalog).currentVersion();
            if (version <= latest) revert VersionNotIncreasing(version, latest);
            if (apply_) ICatalog(_catalog).adopt(version, documentHash);
        } else if (k == ProposalKind.AppointAuditorCa) {
            (bytes32 fingerprint, bool appointed) = abi.decode(data, (bytes32, bool));
            if (fingerprint == bytes32(0)) revert ZeroHash();
            if ((_auditorCaSlot[fingerprint] != 0) == appointed) {
                revert AuditorCaUnchanged(fingerprint, appointed);
            }
            if (apply_) _setAuditorCa(fingerprint, appointed);
        } else {
            uint256 requested = abi.decode(data, (uint256));
            uint256 members = memberCount();
            if (requested > members) revert ThresholdOutOfRange(requested, members);
            uint256 minimum = majority();
            if (requested != 0 && requested < minimum) revert ThresholdBelowMajority(requested, minimum);
            if (apply_) {
                _explicitThreshold = requested;
                emit ThresholdChanged(requested);
            }
        }
    }

    function _setAuditorCa(bytes32 fingerprint, bool appointed) private {
        if (appointed) {
            _auditorCas.push(fingerprint);
            _auditorCaSlot[fingerprint] = _auditorCas.length;
        } else {
            uint256 slot = _auditorCaSlot[fingerprint];
            bytes32 last = _auditorCas[_auditorCas.length - 1];
            _auditorCas[slot - 1] = last;
            _auditorCaSlot[last] = slot;
            _auditorCas.pop();
            delete _auditorCaSlot[fingerprint];
        }
        emit AuditorCaAppointed(fingerprint, appointed);
    }

    function _existing(uint256 id) private view returns (Proposal storage p) {
        if (id == 0 || id > _proposalCount) revert ProposalNotFound(id);
        p = _proposals[id];
    }

    function _open(uint256 id) private view returns (Proposal storage p) {
        p = _existing(id);
        if (p.executed) revert ProposalAlreadyExecuted(id);
    }

    function _liveApprovals(Proposal storage p) private view returns (uint256 count) {
        address[] storage approvers = p.approvers;
        for (uint256 i = 0; i < approvers.length; ++i) {
            if (isMember(approvers[i])) ++count;
        }
    }
}
