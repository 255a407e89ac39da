"""Consortium auditors come from an auditor CA the chain appointed, nothing else: unit
tests over real certificates, no servers (the live refusal is in
tests/node/runtime/test_membership_live.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from node.identity import (
    IdentityCache,
    Layout,
    MembershipView,
    MemberStanding,
    Role,
    TrustStore,
    UnknownRole,
    UntrustedCertificate,
    load_trust_store,
    peer_identity_from_cert,
)
from node.identity.auditor_ca import issue_auditor, make_auditor_ca
from node.identity.certs import fingerprint, new_tls_key
from node.identity.files import load_certificate

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
CA_KEY = new_tls_key()
AUDITOR_CA = make_auditor_ca(CA_KEY, NOW)
AUDITOR_KEY = new_tls_key()
AUDITOR = issue_auditor(CA_KEY, AUDITOR_CA, AUDITOR_KEY.public_key(), "consortium-auditor",
                        "YRD consortium auditor", NOW)


def _trust(js_dir: Path) -> TrustStore:
    return TrustStore("JS", {"JS": load_certificate(Layout(js_dir).ca_cert)}, (AUDITOR_CA,))


def test_an_auditor_ca_leaf_is_a_consortium_auditor(js_dir: Path) -> None:
    identity = peer_identity_from_cert(AUDITOR, _trust(js_dir), now=NOW)
    assert (identity.role, identity.province, identity.name) == (
        Role.AUDITOR, "", "consortium-auditor")
    assert identity.issuer == fingerprint(AUDITOR_CA)


def test_an_auditor_ca_issues_nothing_but_auditors(js_dir: Path) -> None:
    """A leaf of the auditor CA labelled as a node is no peer of any province."""
    key = new_tls_key()
    subject = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "x"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "role:node"),
        x509.NameAttribute(NameOID.COMMON_NAME, "node-sh"),
    ])
    leaf = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(AUDITOR_CA.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),
                       critical=False)
        .add_extension(x509.SubjectAlternativeName(
            [x509.UniformResourceIdentifier("urn:yrd-credit:identity:SH:node:node-sh")]),
            critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
            AUDITOR_CA.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value),
            critical=False)
        .sign(CA_KEY, hashes.SHA256()))
    with pytest.raises(UnknownRole, match=r"an auditor CA issues only 'auditor'"):
        peer_identity_from_cert(leaf, _trust(js_dir), now=NOW)


def test_only_while_the_chain_appoints_it(js_dir: Path) -> None:
    trust = _trust(js_dir)
    view = MembershipView("JS")
    cache = IdentityCache(trust, membership=view)
    own = MemberStanding("JS", True, trust.fingerprints()["JS"])
    view.replace([own])
    with pytest.raises(UntrustedCertificate, match="not appointed on the ledger"):
        cache.identity(AUDITOR, now=NOW)
    view.replace([own], auditor_cas=[fingerprint(AUDITOR_CA)])
    assert cache.identity(AUDITOR, now=NOW).role is Role.AUDITOR
    view.replace([own])  # dismissed by a later vote
    with pytest.raises(UntrustedCertificate, match="not appointed"):
        cache.identity(AUDITOR, now=NOW)


def test_the_trust_store_checks_auditor_cas(js_dir: Path) -> None:
    js_ca = load_certificate(Layout(js_dir).ca_cert)
    with pytest.raises(ValueError, match="names a province"):
        TrustStore("JS", {"JS": js_ca}, (js_ca,))
    with pytest.raises(ValueError, match="is not a CA"):
        TrustStore("JS", {"JS": js_ca}, (AUDITOR,))
    assert _trust(js_dir).certificates()[-1] == AUDITOR_CA
    assert load_trust_store("JS", {"JS": Layout(js_dir).ca_cert}).auditor_authorities == ()


def test_a_province_minted_auditor_is_refused_elsewhere(js_dir: Path, sh_dir: Path) -> None:
    trust = TrustStore("JS", {"JS": load_certificate(Layout(js_dir).ca_cert),
                              "SH": load_certificate(Layout(sh_dir).ca_cert)}, (AUDITOR_CA,))
    pem = Layout(sh_dir).identity_cert("auditor").read_bytes()
    with pytest.raises(UnknownRole, match="carries role 'auditor'"):
        peer_identity_from_cert(pem, trust, now=NOW)
