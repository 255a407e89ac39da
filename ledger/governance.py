"""Members, proposals and the catalog: the governance side of `LedgerClient`."""

from __future__ import annotations

from web3.types import TxReceipt

from ledger.core import ClientCore, tx_result
from ledger.errors import LedgerError
from ledger.proposals import (
    decode_proposal_data,
    encode_adopt_catalog,
    encode_appoint_auditor_ca,
    encode_change_threshold,
    encode_member,
    encode_remove_member,
)
from ledger.types import (
    ApprovalResult,
    Member,
    MemberSpec,
    Proposal,
    ProposalKind,
    TxResult,
    province_from_bytes,
    province_to_bytes,
    require_hash32,
)


class GovernanceOps(ClientCore):
    """Reads and proposals on Governance and Catalog."""

    # -- members -----------------------------------------------------------------------

    def members(self, include_inactive: bool = False) -> list[Member]:
        """Members in registration order; removed ones only with `include_inactive`."""
        found = []
        for raw in self.call("Governance", "provinces"):
            member = self.member(province_from_bytes(raw))
            if member.active or include_inactive:
                found.append(member)
        return found

    def member(self, province: str) -> Member:
        """The member registered for `province` (ContractRevert UnknownProvince if none)."""
        row = self.call("Governance", "memberOf", province_to_bytes(province))
        return Member(
            province=province_from_bytes(row[0]),
            account=str(row[1]),
            node_key=bytes(row[2]),
            oprf_key_commitment=bytes(row[3]),
            tls_ca_fingerprint=bytes(row[4]),
            active=bool(row[5]),
        )

    def is_member(self, account: str) -> bool:
        """Whether `account` is an active member's account."""
        return bool(self.call("Governance", "isMember", account))

    def province_of(self, account: str) -> str:
        """The province of an active member's account (ContractRevert NotMember if not)."""
        return province_from_bytes(self.call("Governance", "provinceOf", account))

    def threshold(self) -> int:
        """Approvals a proposal needs now."""
        return int(self.call("Governance", "threshold"))

    def majority(self) -> int:
        """The floor no threshold goes below: a strict majority of the active members."""
        return int(self.call("Governance", "majority"))

    def auditor_cas(self) -> list[bytes]:
        """SHA-256 fingerprints of the auditor CAs the members appointed, as they stand."""
        return [bytes(fp) for fp in self.call("Governance", "auditorCas")]

    def revoked_certificates(self, province: str) -> list[bytes]:
        """Fingerprints of the certificates ``province`` revoked, in order."""
        return [bytes(fp) for fp in self.call("Governance", "revokedCertificates",
                                              province_to_bytes(province))]

    def revoke_certificate(self, fingerprint: bytes) -> TxResult:
        """Revoke a certificate of this account's own province (SHA-256 of its DER)."""
        return tx_result(self.send("Governance", "revokeCertificate",
                                   require_hash32(fingerprint, "fingerprint")))

    def proposal_count(self) -> int:
        """The highest proposal id (ids start at 1)."""
        return int(self.call("Governance", "proposalCount"))

    # -- proposals ---------------------------------------------------------------------

    def propose(self, kind: ProposalKind, data: bytes) -> int:
        """Submit a proposal (the proposer's approval counts at once); returns its id."""
        receipt = self.send("Governance", "propose", int(kind), data)
        created = self.events_in(receipt, "Governance", "ProposalCreated")
        if len(created) != 1:
            raise LedgerError(
                f"propose transaction emitted {len(created)} ProposalCreated events, want 1"
            )
        return int(created[0]["args"]["id"])

    def propose_add_member(self, member: MemberSpec) -> int:
        """Propose adding `member`; returns the proposal id."""
        return self.propose(ProposalKind.ADD_MEMBER, encode_member(member))

    def propose_remove_member(self, province: str) -> int:
        """Propose removing `province`; returns the proposal id."""
        return self.propose(ProposalKind.REMOVE_MEMBER, encode_remove_member(province))

    def propose_rotate_keys(self, member: MemberSpec) -> int:
        """Propose new account/keys for `member.province`; returns the proposal id."""
        return self.propose(ProposalKind.ROTATE_KEYS, encode_member(member))

    def propose_adopt_catalog(self, version: int, document_hash: bytes) -> int:
        """Propose adopting catalog `version` with sha256 `document_hash`."""
        return self.propose(
            ProposalKind.ADOPT_CATALOG, encode_adopt_catalog(version, document_hash)
        )

    def propose_change_threshold(self, threshold: int) -> int:
        """Propose a new threshold (0 = back to the default ⌈2n/3⌉)."""
        return self.propose(ProposalKind.CHANGE_THRESHOLD, encode_change_threshold(threshold))

    def propose_appoint_auditor_ca(self, fingerprint: bytes, appointed: bool = True) -> int:
        """Propose appointing (or, with ``appointed=False``, dismissing) the auditor CA whose
        certificate has SHA-256 ``fingerprint``; returns the proposal id."""
        return self.propose(ProposalKind.APPOINT_AUDITOR_CA,
                            encode_appoint_auditor_ca(fingerprint, appointed))

    def approve(self, proposal_id: int) -> ApprovalResult:
        """Approve proposal `proposal_id`; it executes in this transaction if the
        threshold is reached."""
        receipt = self.send("Governance", "approve", proposal_id)
        return self._approval_result(receipt, proposal_id)

    def execute(self, proposal_id: int) -> ApprovalResult:
        """Execute a proposal whose approvals already reach the threshold."""
        receipt = self.send("Governance", "execute", proposal_id)
        return self._approval_result(receipt, proposal_id)

    def _approval_result(self, receipt: TxReceipt, proposal_id: int) -> ApprovalResult:
        base = tx_result(receipt)
        executed = any(
            int(e["args"]["id"]) == proposal_id
            for e in self.events_in(receipt, "Governance", "ProposalExecuted")
        )
        approvals = self.proposal(proposal_id).approvals
        return ApprovalResult(
            tx_hash=base.tx_hash,
            block_number=base.block_number,
            gas_used=base.gas_used,
            approvals=approvals,
            executed=executed,
        )

    def proposal(self, proposal_id: int) -> Proposal:
        """Proposal `proposal_id` (ContractRevert ProposalNotFound if none)."""
        kind_raw, data, proposer, approvals, executed = self.call(
            "Governance", "proposal", proposal_id
        )
        kind = ProposalKind(int(kind_raw))
        return Proposal(
            id=proposal_id,
            kind=kind,
            data=bytes(data),
            proposer=str(proposer),
            approvals=int(approvals),
            executed=bool(executed),
            params=decode_proposal_data(kind, bytes(data)),
        )

    # -- catalog -----------------------------------------------------------------------

    def current_catalog_version(self) -> int:
        """The latest adopted catalog version (0 = none yet)."""
        return int(self.call("Catalog", "currentVersion"))

    def catalog_hash(self, version: int) -> bytes:
        """sha256 of catalog document `version` (32 zero bytes if not adopted)."""
        return bytes(self.call("Catalog", "documentHash", version))

    def mapping_hash(self, province: str, version: int) -> bytes:
        """The hash of `province`'s local-code mapping onto catalog `version`."""
        return bytes(self.call("Catalog", "mappingHash", province_to_bytes(province), version))

    def publish_mapping(self, version: int, mapping_hash: bytes) -> TxResult:
        """Publish this member's mapping onto adopted catalog `version`."""
        receipt = self.send(
            "Catalog", "publishMapping", version, require_hash32(mapping_hash, "mapping_hash")
        )
        return tx_result(receipt)
