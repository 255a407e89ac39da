"""Which provinces the ledger says are members now, and with which CA: the membership view.

The CA files in ``node.toml`` only say which certificates *could* be trusted; the member
registry on the ledger says which of them *are*. A province's certificates — node,
platform, agency, auditor alike — are accepted only while that province is an active
member whose on-chain ``tlsCaFingerprint`` equals the fingerprint of the CA this node
holds for it. A follower (``node.runtime.membership``) refreshes the view from the chain
every second or so; every call consults it, so a removal or key rotation takes effect
on the next call after the follower sees it, without reloading TLS credentials.

Before the chain was read once (ledger down at start) only this node's own province is
admitted: its CA is the node's own root of trust, so its platform can keep submitting,
while no foreign certificate is trusted on the strength of a file alone. After that the
last view read is kept when the ledger is unreachable (the chain cannot change unseen
for long: the next successful read replaces it).

Auditor CAs are appointed by the members on-chain (``AppointAuditorCa``): the view also
holds the fingerprints appointed now. And a province revokes its own certificates
on-chain (``revokeCertificate``, no vote: de-accrediting an agency): the view holds each
province's revoked certificate fingerprints, applied to that province's certificates only.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from node.identity.errors import UntrustedCertificate

__all__ = ["MemberStanding", "MembershipView"]


@dataclass(frozen=True)
class MemberStanding:
    """One province as the member registry has it: active or not, and its CA fingerprint
    (lowercase hex of the SHA-256 of the CA certificate's DER)."""

    province: str
    active: bool
    tls_ca_fingerprint: str


class MembershipView:
    """The latest member table and appointed auditor CAs read from the chain; thread-safe.

    ``check`` is called on every authenticated call and costs one dictionary lookup.
    """

    def __init__(self, own_province: str) -> None:
        self._own = own_province
        self._lock = threading.Lock()
        self._members: dict[str, MemberStanding] | None = None
        self._auditor_cas: frozenset[str] = frozenset()
        self._revoked: dict[str, frozenset[str]] = {}
        self.generation = 0
        """How many times the view was replaced (tests and status wait on it)."""

    @property
    def read(self) -> bool:
        """Whether the chain has been read at least once."""
        with self._lock:
            return self._members is not None

    def replace(self, members: Iterable[MemberStanding], auditor_cas: Iterable[str] = (),
                revoked: Mapping[str, Iterable[str]] | None = None) -> None:
        """Install a fresh read of the chain: every province ever registered, the auditor
        CAs appointed now, and per province the certificates it revoked (hex)."""
        table = {m.province: m for m in members}
        appointed = frozenset(fp.lower() for fp in auditor_cas)
        withdrawn = {p: frozenset(fp.lower() for fp in fps) for p, fps in (revoked or {}).items()}
        with self._lock:
            self._members = table
            self._auditor_cas = appointed
            self._revoked = withdrawn
            self.generation += 1

    def standings(self) -> Mapping[str, MemberStanding]:
        """The member table as last read (empty before the first read)."""
        with self._lock:
            return dict(self._members or {})

    def check(self, province: str, ca_fingerprint: str) -> None:
        """Return if ``province``'s certificates, issued by the CA with ``ca_fingerprint``,
        may be trusted now; else raise UntrustedCertificate saying why."""
        with self._lock:
            members = self._members
        if members is None:
            if province == self._own:
                return
            raise UntrustedCertificate(
                f"province {province} is not trusted yet: the member registry has not been "
                "read from the ledger")
        standing = members.get(province)
        if standing is None:
            raise UntrustedCertificate(f"province {province} is not registered on the ledger")
        if not standing.active:
            raise UntrustedCertificate(f"province {province} is not an active member")
        if standing.tls_ca_fingerprint != ca_fingerprint.lower():
            raise UntrustedCertificate(
                f"the {province} CA held here ({ca_fingerprint}) is not the one registered on "
                f"the ledger ({standing.tls_ca_fingerprint})")

    def check_not_revoked(self, province: str, fingerprint: str) -> None:
        """Raise UntrustedCertificate when ``province`` revoked the certificate with
        ``fingerprint`` on-chain."""
        with self._lock:
            revoked = self._revoked.get(province, frozenset())
        if fingerprint.lower() in revoked:
            raise UntrustedCertificate(
                f"certificate {fingerprint} was revoked on the ledger by {province}")

    def admits(self, province: str, ca_fingerprint: str) -> bool:
        """``check`` as a bool, for outbound loops deciding whether to call a peer."""
        try:
            self.check(province, ca_fingerprint)
        except UntrustedCertificate:
            return False
        return True

    def auditor_ca_appointed(self, ca_fingerprint: str) -> bool:
        """Whether the members appointed the auditor CA with ``ca_fingerprint``."""
        with self._lock:
            return ca_fingerprint.lower() in self._auditor_cas

    def mismatches(self, held: Mapping[str, str]) -> dict[str, tuple[str, str]]:
        """Provinces whose CA held here (province -> fingerprint) differs from the active
        member's on-chain one: province -> (held, on-chain). For the follower's log."""
        found: dict[str, tuple[str, str]] = {}
        for province, fp in held.items():
            standing = self.standings().get(province)
            if standing is not None and standing.active and standing.tls_ca_fingerprint != fp:
                found[province] = (fp, standing.tls_ca_fingerprint)
        return found
