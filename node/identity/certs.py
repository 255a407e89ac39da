"""Issue the certificates of a province: its CA, its node, and its local identities.

Pure functions over keys and an explicit ``now``: no files, no clock. All keys are ECDSA
P-256 with SHA-256 signatures, which gRPC's TLS stack (BoringSSL) accepts for mutual TLS.
The encoding of roles, provinces and purposes is in :mod:`node.identity.naming`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from node.domain.fields import PROVINCES
from node.identity import naming

__all__ = [
    "CA_DAYS",
    "LEAF_DAYS",
    "LeafSpec",
    "fingerprint",
    "issue_leaf",
    "make_ca",
    "new_tls_key",
]

CA_DAYS: Final = 3650
LEAF_DAYS: Final = 825
_BACKDATE: Final = timedelta(minutes=5)  # tolerate clock skew between nodes
_ORGANISATION: Final = "YRD Credit Chain"
_HOST_RE = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
_ALWAYS_HOSTS: Final = ("localhost", "127.0.0.1")


@dataclass(frozen=True)
class LeafSpec:
    """Who a leaf certificate is for.

    ``label`` is one of :data:`naming.LEAF_LABELS`; ``purposes`` only for ``agency`` and
    ``authority`` (a public authority, 监管);
    ``hosts`` (DNS names or IP addresses) only for ``node``, which always also gets
    ``localhost`` and ``127.0.0.1``.
    """

    province: str
    label: str
    name: str
    organisation: str
    purposes: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()


def new_tls_key() -> ec.EllipticCurvePrivateKey:
    """A fresh ECDSA P-256 private key."""
    return ec.generate_private_key(ec.SECP256R1())


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER encoding, lowercase hex (what goes on-chain)."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def _check_province(province: str) -> str:
    if province not in PROVINCES:
        raise ValueError(
            f"province {province!r} is not valid: expected one of {', '.join(sorted(PROVINCES))}"
        )
    return province


def _subject(province: str, organisation: str, label: str, name: str) -> x509.Name:
    if not organisation.strip():
        raise ValueError("organisation must not be empty")
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, province),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, naming.ROLE_OU_PREFIX + label),
        x509.NameAttribute(NameOID.COMMON_NAME, name),
    ])


def make_ca(
    key: ec.EllipticCurvePrivateKey, province: str, now: datetime, days: int = CA_DAYS
) -> x509.Certificate:
    """A self-signed CA certificate for ``province``, valid ``days`` from ``now``.

    Preconditions: ``province`` is SH, JS, ZJ or AH; ``now`` is timezone-aware.
    The CA may sign leaf certificates only (path length 0).
    """
    _check_province(province)
    name = _subject(province, _ORGANISATION, naming.CA_LABEL, f"YRD Credit {province} CA")
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _host_names(hosts: Sequence[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    seen: set[str] = set()
    for host in (*_ALWAYS_HOSTS, *hosts):
        if host in seen:
            continue
        seen.add(host)
        try:
            ip = ipaddress.ip_address(host)
        except ValueError as exc:
            if not _HOST_RE.fullmatch(host):
                raise ValueError(
                    f"host {host!r} is neither an IP address nor a DNS name"
                ) from exc
            names.append(x509.DNSName(host.lower()))
            continue
        if not ip.is_unspecified:  # 0.0.0.0 / :: is a bind address, never dialled
            names.append(x509.IPAddress(ip))
    return names


def _alt_names(spec: LeafSpec) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [
        x509.UniformResourceIdentifier(naming.identity_urn(spec.province, spec.label, spec.name))
    ]
    names.extend(x509.UniformResourceIdentifier(naming.purpose_urn(p)) for p in spec.purposes)
    if spec.label == naming.NODE_LABEL:
        names.extend(_host_names(spec.hosts))
    return names


def _check_spec(spec: LeafSpec) -> None:
    _check_province(spec.province)
    naming.check_name(spec.name)
    if spec.label not in naming.LEAF_LABELS:
        raise ValueError(
            f"role label {spec.label!r} is not valid: expected one of "
            f"{', '.join(naming.LEAF_LABELS)}"
        )
    if spec.purposes and spec.label not in ("agency", "authority"):
        raise ValueError(f"purposes are only for agency and authority certificates, "
                         f"not {spec.label!r}")
    if len(set(spec.purposes)) != len(spec.purposes):
        raise ValueError("purposes must not repeat")
    if spec.hosts and spec.label != naming.NODE_LABEL:
        raise ValueError(f"hosts are only for node certificates, not {spec.label!r}")


def issue_leaf(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    public_key: ec.EllipticCurvePublicKey,
    spec: LeafSpec,
    now: datetime,
    days: int = LEAF_DAYS,
) -> x509.Certificate:
    """A TLS certificate for ``spec`` signed by the province CA, valid ``days`` from ``now``.

    Preconditions: ``ca_key`` is the key of ``ca_cert``; ``spec.province`` is the CA's
    province; ``now`` is timezone-aware. Node certificates may serve and call (server and
    client auth); every other identity is a client only.
    """
    _check_spec(spec)
    if ca_cert.public_key() != ca_key.public_key():
        raise ValueError("ca_key is not the key of ca_cert")
    ca_province = ca_cert.subject.get_attributes_for_oid(NameOID.STATE_OR_PROVINCE_NAME)
    if [a.value for a in ca_province] != [spec.province]:
        raise ValueError(f"the CA does not belong to province {spec.province}")
    usages = [ExtendedKeyUsageOID.CLIENT_AUTH]
    if spec.label == naming.NODE_LABEL:
        usages.insert(0, ExtendedKeyUsageOID.SERVER_AUTH)
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(_subject(spec.province, spec.organisation, spec.label, spec.name))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(min(now + timedelta(days=days), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .add_extension(x509.SubjectAlternativeName(_alt_names(spec)), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
