"""The CAs a node trusts: its own province's and its peers', each bound to a province, and
the consortium's auditor CAs (bound to no province; their leaves may only audit)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from node.identity.certs import fingerprint
from node.identity.errors import UntrustedCertificate
from node.identity.files import load_certificate

__all__ = ["TrustStore", "load_trust_store"]


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    return constraints.ca


@dataclass(frozen=True)
class TrustStore:
    """Province code → that province's CA certificate; ``own_province`` must be present.

    Construction checks that every certificate is a CA, that its subject's province
    (``ST``) is the province it is filed under, that an auditor CA names no province, and
    that no CA is listed twice.
    """

    own_province: str
    authorities: Mapping[str, x509.Certificate]
    auditor_authorities: tuple[x509.Certificate, ...] = ()
    _by_fingerprint: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _auditor_fingerprints: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        authorities = MappingProxyType(dict(self.authorities))
        object.__setattr__(self, "authorities", authorities)
        if self.own_province not in authorities:
            raise ValueError(f"trust store has no CA for its own province {self.own_province}")
        by_fp: dict[str, str] = {}
        for province, cert in authorities.items():
            fp = fingerprint(cert)
            if not _is_ca(cert):
                raise ValueError(f"certificate {fp} filed as the {province} CA is not a CA")
            st = [a.value for a in cert.subject.get_attributes_for_oid(
                NameOID.STATE_OR_PROVINCE_NAME)]
            if st != [province]:
                raise ValueError(
                    f"CA certificate {fp} filed under {province} names province(s) {st}"
                )
            if fp in by_fp:
                raise ValueError(f"CA certificate {fp} is listed for {by_fp[fp]} and {province}")
            by_fp[fp] = province
        object.__setattr__(self, "_by_fingerprint", MappingProxyType(by_fp))
        object.__setattr__(self, "auditor_authorities", tuple(self.auditor_authorities))
        auditors: set[str] = set()
        for cert in self.auditor_authorities:
            fp = fingerprint(cert)
            if not _is_ca(cert):
                raise ValueError(f"certificate {fp} filed as an auditor CA is not a CA")
            if cert.subject.get_attributes_for_oid(NameOID.STATE_OR_PROVINCE_NAME):
                raise ValueError(f"auditor CA certificate {fp} names a province; it must not")
            if fp in by_fp or fp in auditors:
                raise ValueError(f"CA certificate {fp} is listed twice")
            auditors.add(fp)
        object.__setattr__(self, "_auditor_fingerprints", frozenset(auditors))

    def is_auditor_ca(self, ca_cert: x509.Certificate) -> bool:
        """Whether ``ca_cert`` is one of the auditor CAs held here (appointed or not: the
        membership view says whether the chain appointed it)."""
        return fingerprint(ca_cert) in self._auditor_fingerprints

    def province_of(self, ca_cert: x509.Certificate) -> str:
        """The province a trusted CA certificate belongs to (else UntrustedCertificate)."""
        fp = fingerprint(ca_cert)
        try:
            return self._by_fingerprint[fp]
        except KeyError:
            raise UntrustedCertificate(f"CA certificate {fp} is not in the trust store") from None

    def fingerprints(self) -> dict[str, str]:
        """Province → SHA-256 fingerprint (hex) of its CA, as published on-chain."""
        return {province: fp for fp, province in self._by_fingerprint.items()}

    def certificates(self) -> list[x509.Certificate]:
        """Every trusted CA certificate, own province first then by province code, then
        the auditor CAs."""
        order = sorted(self.authorities, key=lambda p: (p != self.own_province, p))
        return [*(self.authorities[p] for p in order), *self.auditor_authorities]

    def pem_bundle(self) -> bytes:
        """All CA certificates as concatenated PEM (gRPC's ``root_certificates``)."""
        return b"".join(
            c.public_bytes(serialization.Encoding.PEM) for c in self.certificates()
        )


def load_trust_store(own_province: str, ca_files: Mapping[str, Path],
                     auditor_ca_files: Sequence[Path] = ()) -> TrustStore:
    """A TrustStore from PEM CA files by province (``node.config.ca_files(cfg)`` gives them)
    and the auditor CA files (``[tls] auditor_cas``).

    Raises IdentityFileError for an unreadable file and ValueError for a certificate that
    is not a CA of the province it is filed under.
    """
    return TrustStore(
        own_province, {province: load_certificate(path) for province, path in ca_files.items()},
        tuple(load_certificate(path) for path in auditor_ca_files),
    )
