"""Roles come from trusted client certificates; anything else is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from node.config import ca_files, load_config
from node.identity import (
    Layout,
    Role,
    TrustStore,
    UnknownRole,
    UntrustedCertificate,
    load_trust_store,
    peer_identity_from_cert,
)
from node.identity.certs import LeafSpec, issue_leaf, make_ca, new_tls_key
from node.identity.files import load_certificate, load_tls_private_key

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)  # the instant conftest's nodes were made

def _trust(own: Path, *others: Path) -> TrustStore:
    own_cfg = load_config(own / "node.toml")
    cas = {own_cfg.node.province: Layout(own).ca_cert}
    for other in others:
        cas[load_config(other / "node.toml").node.province] = Layout(other).ca_cert
    return TrustStore(own_cfg.node.province, {p: load_certificate(f) for p, f in cas.items()})


@pytest.mark.parametrize(
    ("label", "role", "name"),
    [
        ("platform", Role.PLATFORM, "platform"),
        ("agency", Role.AGENCY, "example-agency"),
        ("auditor", Role.AUDITOR, "auditor"),
        ("admin", Role.ADMIN, "admin"),
    ],
)
def test_local_identities_map_to_their_roles(
    js_dir: Path, label: str, role: Role, name: str
) -> None:
    pem = Layout(js_dir).identity_cert(label).read_bytes()
    identity = peer_identity_from_cert(pem, _trust(js_dir), now=NOW)
    assert identity.role is role
    assert identity.province == "JS"
    assert identity.name == name
    if role is Role.AGENCY:
        assert identity.purposes == frozenset({"credit_report", "lending_review"})
    else:
        assert identity.purposes == frozenset()
    assert len(identity.fingerprint) == 64


def test_der_input_gives_the_same_identity(js_dir: Path) -> None:
    cert = load_certificate(Layout(js_dir).identity_cert("agency"))
    der = cert.public_bytes(serialization.Encoding.DER)
    trust = _trust(js_dir)
    assert peer_identity_from_cert(der, trust, now=NOW) == peer_identity_from_cert(
        cert, trust, now=NOW)


def test_other_province_node_is_a_peer(js_dir: Path, sh_dir: Path) -> None:
    pem = Layout(sh_dir).node_cert.read_bytes()
    identity = peer_identity_from_cert(pem, _trust(js_dir, sh_dir), now=NOW)
    assert (identity.role, identity.province, identity.name) == (Role.PEER, "SH", "node-sh")


def test_other_province_auditor_has_no_role_here(js_dir: Path, sh_dir: Path) -> None:
    """A province's CA cannot mint auditors of other provinces (issue 11): only an auditor
    CA the members appointed can (tests/node/identity/test_auditor_ca.py)."""
    pem = Layout(sh_dir).identity_cert("auditor").read_bytes()
    with pytest.raises(UnknownRole, match=r"from province SH carries role 'auditor'"):
        peer_identity_from_cert(pem, _trust(js_dir, sh_dir), now=NOW)


def test_other_province_agency_has_no_role_here(js_dir: Path, sh_dir: Path) -> None:
    pem = Layout(sh_dir).identity_cert("agency").read_bytes()
    with pytest.raises(UnknownRole, match=r"from province SH carries role 'agency'"):
        peer_identity_from_cert(pem, _trust(js_dir, sh_dir), now=NOW)


def test_own_node_certificate_is_not_a_peer(js_dir: Path) -> None:
    pem = Layout(js_dir).node_cert.read_bytes()
    with pytest.raises(UnknownRole, match=r"from this province carries role 'node'"):
        peer_identity_from_cert(pem, _trust(js_dir), now=NOW)


def _sign_with_js_ca(js_dir: Path, subject: x509.Name, uris: list[str]) -> x509.Certificate:
    layout = Layout(js_dir)
    ca_key = load_tls_private_key(layout.ca_key)
    ca = load_certificate(layout.ca_cert)
    key = new_tls_key()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(
            [x509.UniformResourceIdentifier(u) for u in uris]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
            ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value),
            critical=False)
        .sign(ca_key, hashes.SHA256())
    )


def test_trusted_certificate_without_role_is_unknown_role(js_dir: Path) -> None:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "someone")])
    cert = _sign_with_js_ca(js_dir, subject, ["urn:yrd-credit:identity:JS:x:someone"])
    with pytest.raises(UnknownRole, match=r"carries no role \(no OU=role:\.\.\.\)"):
        peer_identity_from_cert(cert, _trust(js_dir), now=NOW)


def test_unrecognised_role_label_is_unknown_role(js_dir: Path) -> None:
    subject = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "x"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "role:superuser"),
        x509.NameAttribute(NameOID.COMMON_NAME, "x"),
    ])
    cert = _sign_with_js_ca(js_dir, subject, ["urn:yrd-credit:identity:JS:superuser:x"])
    with pytest.raises(UnknownRole, match=r"role 'superuser', which maps to no role here; "
                                          r"expected one of admin, agency, auditor, "
                                          r"authority, platform"):
        peer_identity_from_cert(cert, _trust(js_dir), now=NOW)


def test_subject_claiming_another_province_is_refused(js_dir: Path) -> None:
    subject = x509.Name([
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "SH"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "x"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "role:platform"),
        x509.NameAttribute(NameOID.COMMON_NAME, "x"),
    ])
    cert = _sign_with_js_ca(js_dir, subject, ["urn:yrd-credit:identity:SH:platform:x"])
    with pytest.raises(UnknownRole, match=r"names province \['SH'\] but was issued by the JS CA"):
        peer_identity_from_cert(cert, _trust(js_dir), now=NOW)


def test_purposes_outside_an_agency_certificate_are_refused(js_dir: Path) -> None:
    subject = x509.Name([
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "JS"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "x"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "role:platform"),
        x509.NameAttribute(NameOID.COMMON_NAME, "x"),
    ])
    cert = _sign_with_js_ca(js_dir, subject, ["urn:yrd-credit:purpose:credit_report"])
    with pytest.raises(UnknownRole, match=r"role 'platform' must not carry purposes"):
        peer_identity_from_cert(cert, _trust(js_dir), now=NOW)


def test_certificate_from_an_untrusted_ca_is_refused(js_dir: Path, sh_dir: Path) -> None:
    pem = Layout(sh_dir).identity_cert("platform").read_bytes()
    with pytest.raises(UntrustedCertificate, match=r"does not verify against the trusted CAs"):
        peer_identity_from_cert(pem, _trust(js_dir), now=NOW)


def test_lookalike_ca_with_the_same_name_is_refused(js_dir: Path) -> None:
    # A second "JS" CA (same subject, different key) is not the trusted one.
    rogue_key = new_tls_key()
    rogue_ca = make_ca(rogue_key, "JS", NOW)
    leaf_key = new_tls_key()
    cert = issue_leaf(rogue_key, rogue_ca, leaf_key.public_key(),
                      LeafSpec("JS", "admin", "admin", "rogue"), NOW)
    with pytest.raises(UntrustedCertificate, match=r"does not verify"):
        peer_identity_from_cert(cert, _trust(js_dir), now=NOW)


def test_expired_certificate_is_refused(js_dir: Path) -> None:
    pem = Layout(js_dir).identity_cert("platform").read_bytes()
    with pytest.raises(UntrustedCertificate, match=r"does not verify"):
        peer_identity_from_cert(pem, _trust(js_dir), now=NOW + timedelta(days=900))


def test_malformed_certificate_bytes_are_refused(js_dir: Path) -> None:
    with pytest.raises(UntrustedCertificate, match=r"malformed certificate \(9 bytes\)"):
        peer_identity_from_cert(b"not a der", _trust(js_dir), now=NOW)


def test_trust_store_from_config(js_dir: Path, sh_dir: Path, tmp_path: Path) -> None:
    cfg = load_config(js_dir / "node.toml")
    files = ca_files(cfg)
    files["SH"] = Layout(sh_dir).ca_cert
    trust = load_trust_store("JS", files)
    assert set(trust.fingerprints()) == {"JS", "SH"}
    assert trust.pem_bundle().count(b"BEGIN CERTIFICATE") == 2
    assert trust.certificates()[0] == load_certificate(Layout(js_dir).ca_cert)
