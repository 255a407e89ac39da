"""The consortium's auditor CA: the only issuer of certificates that may audit any node.

A province's CA can make any certificate it likes, so an auditor role granted to any
province's certificates would let every member read every other member's access log.
Instead the members appoint an auditor CA on-chain (``AppointAuditorCa``, a threshold
vote on its fingerprint); nodes hold its certificate in ``[tls] auditor_cas`` and grant
the auditor role to its leaves only while the chain lists it as appointed
(:mod:`node.identity.membership`).

The auditor CA names no province (no ``ST``): its leaves are consortium auditors, not
any member's. Pure functions over keys and an explicit ``now``, like :mod:`.certs`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from node.identity import naming
from node.identity.certs import CA_DAYS, LEAF_DAYS

__all__ = ["AUDITOR_CA_ORGANISATION", "CONSORTIUM", "issue_auditor", "make_auditor_ca"]

AUDITOR_CA_ORGANISATION: Final = "YRD Credit Chain consortium"
_BACKDATE: Final = timedelta(minutes=5)
_AUDITOR: Final = "auditor"
CONSORTIUM: Final = "consortium"
"""Where a province code would be in the holder's identity URN."""


def _name(organisation: str, label: str, common_name: str) -> x509.Name:
    if not organisation.strip():
        raise ValueError("organisation must not be empty")
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, naming.ROLE_OU_PREFIX + label),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
        encipher_only=False, decipher_only=False)


def make_auditor_ca(key: ec.EllipticCurvePrivateKey, now: datetime,
                    days: int = CA_DAYS) -> x509.Certificate:
    """A self-signed auditor CA certificate (no province), valid ``days`` from ``now``;
    it may sign leaf certificates only (path length 0)."""
    name = _name(AUDITOR_CA_ORGANISATION, naming.CA_LABEL, "YRD Credit consortium auditor CA")
    public = key.public_key()
    return (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE).not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def issue_auditor(ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate,
                  public_key: ec.EllipticCurvePublicKey, name: str, organisation: str,
                  now: datetime, days: int = LEAF_DAYS) -> x509.Certificate:
    """A client certificate with the auditor role, signed by the auditor CA.

    Preconditions: ``ca_key`` is the key of ``ca_cert``; ``name`` is a valid holder name
    (:func:`naming.check_name`); ``now`` is timezone-aware.
    """
    naming.check_name(name)
    if ca_cert.public_key() != ca_key.public_key():
        raise ValueError("ca_key is not the key of ca_cert")
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder().subject_name(_name(organisation, _AUDITOR, name))
        .issuer_name(ca_cert.subject).public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(min(now + timedelta(days=days), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),
                       critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.UniformResourceIdentifier(
            f"{naming.IDENTITY_URN_PREFIX}{CONSORTIUM}:{_AUDITOR}:{name}")]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
