"""Remember verified identities so a busy server does not re-verify the same certificate.

Verifying a client certificate costs about 0.3 ms (path validation and an ECDSA check);
a server sees the same few certificates on every call. A hit is only served while the
certificate is within its validity period at the given time, and the cache belongs to
one TrustStore, so a changed trust store means a new cache.

With a :class:`~node.identity.membership.MembershipView` every call — hit or miss — is
also checked against the chain's member table, so a removed province is refused on its
next call even though its certificates are still cached and still chain to a held CA.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from node.identity.errors import UntrustedCertificate
from node.identity.membership import MembershipView
from node.identity.roles import Identity, parse_certificate, peer_identity_from_cert
from node.identity.truststore import TrustStore

__all__ = ["IdentityCache"]


class IdentityCache:
    """A bounded, thread-safe memo of :func:`peer_identity_from_cert` for one TrustStore.

    Refusals (UnknownRole, UntrustedCertificate) are never cached: they are raised anew.
    ``membership`` (None: the trust store alone decides, as without a ledger) is consulted
    on every call.
    """

    def __init__(self, trusted: TrustStore, max_entries: int = 1024, *,
                 membership: MembershipView | None = None) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be >= 1, got {max_entries}")
        self._trusted = trusted
        self._held = trusted.fingerprints()
        self.membership = membership
        self._max = max_entries
        self._entries: OrderedDict[bytes, tuple[Identity, datetime, datetime]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def trusted(self) -> TrustStore:
        return self._trusted

    def identity(self, cert: bytes | x509.Certificate, *, now: datetime | None = None) -> Identity:
        """Same contract as :func:`peer_identity_from_cert` with this cache's TrustStore,
        and UntrustedCertificate when the membership view does not admit the province."""
        identity = self._identity(cert, now=now)
        if self.membership is None:
            return identity
        if identity.province:
            self.membership.check(identity.province, self._held[identity.province])
            self.membership.check_not_revoked(identity.province, identity.fingerprint)
        elif not self.membership.auditor_ca_appointed(identity.issuer):
            raise UntrustedCertificate(
                f"auditor certificate {identity.fingerprint} comes from auditor CA "
                f"{identity.issuer}, which the members have not appointed on the ledger")
        return identity

    def _identity(self, cert: bytes | x509.Certificate, *, now: datetime | None) -> Identity:
        now = now or datetime.now(UTC)
        raw = cert.public_bytes(serialization.Encoding.DER) if isinstance(
            cert, x509.Certificate) else cert
        key = hashlib.sha256(raw).digest()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[1] <= now <= hit[2]:
                self._entries.move_to_end(key)
                return hit[0]
        parsed = parse_certificate(cert)
        identity = peer_identity_from_cert(parsed, self._trusted, now=now)
        with self._lock:
            self._entries[key] = (identity, parsed.not_valid_before_utc,
                                  parsed.not_valid_after_utc)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return identity
