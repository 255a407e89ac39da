"""Certificate contents: what gRPC's TLS and the role reader rely on."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from node.identity import Layout
from node.identity.certs import LeafSpec, issue_leaf, make_ca, new_tls_key
from node.identity.files import load_certificate

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def _san(cert: x509.Certificate) -> x509.SubjectAlternativeName:
    return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value


def _eku(cert: x509.Certificate) -> list[x509.ObjectIdentifier]:
    return list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)


def test_node_certificate_names_loopback_and_the_configured_host(sh_dir: Path) -> None:
    cert = load_certificate(Layout(sh_dir).node_cert)
    san = _san(cert)
    assert san.get_values_for_type(x509.DNSName) == ["localhost", "node.sh.example"]
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    assert "urn:yrd-credit:identity:SH:node:node-sh" in san.get_values_for_type(
        x509.UniformResourceIdentifier)
    assert _eku(cert) == [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]


def test_client_certificates_are_client_only(js_dir: Path) -> None:
    cert = load_certificate(Layout(js_dir).identity_cert("platform"))
    assert _eku(cert) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    ou = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    assert [a.value for a in ou] == ["role:platform"]


def test_ca_may_sign_only_leaves(js_dir: Path) -> None:
    ca = load_certificate(Layout(js_dir).ca_cert)
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign


def test_ipv6_and_unspecified_hosts() -> None:
    key = new_tls_key()
    ca = make_ca(key, "ZJ", NOW)
    cert = issue_leaf(key, ca, new_tls_key().public_key(),
                      LeafSpec("ZJ", "node", "node-zj", "ZJ", hosts=("0.0.0.0", "::1")), NOW)
    assert _san(cert).get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]


def test_leaf_never_outlives_its_ca() -> None:
    key = new_tls_key()
    ca = make_ca(key, "ZJ", NOW, days=30)
    cert = issue_leaf(key, ca, new_tls_key().public_key(),
                      LeafSpec("ZJ", "admin", "admin", "ZJ"), NOW)
    assert cert.not_valid_after_utc == ca.not_valid_after_utc


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (LeafSpec("ZJ", "root", "x", "o"), r"role label 'root' is not valid: expected one of"),
        (LeafSpec("ZJ", "admin", "Bad Name", "o"), r"identity name 'Bad Name' is not valid"),
        (LeafSpec("ZJ", "admin", "a", "o", purposes=("credit_report",)),
         r"purposes are only for agency and authority certificates, not 'admin'"),
        (LeafSpec("ZJ", "agency", "a", "o", purposes=("Credit Report",)),
         r"purpose 'Credit Report' is not valid"),
        (LeafSpec("ZJ", "platform", "a", "o", hosts=("h",)),
         r"hosts are only for node certificates, not 'platform'"),
        (LeafSpec("ZJ", "node", "n", "o", hosts=("bad host!",)),
         r"host 'bad host!' is neither an IP address nor a DNS name"),
        (LeafSpec("SH", "admin", "a", "o"), r"the CA does not belong to province SH"),
        (LeafSpec("XX", "admin", "a", "o"), r"province 'XX' is not valid: expected one of AH"),
        (LeafSpec("ZJ", "admin", "a", " "), r"organisation must not be empty"),
    ],
)
def test_bad_leaf_specs_are_refused(spec: LeafSpec, message: str) -> None:
    key = new_tls_key()
    ca = make_ca(key, "ZJ", NOW)
    with pytest.raises(ValueError, match=message):
        issue_leaf(key, ca, new_tls_key().public_key(), spec, NOW)


def test_wrong_ca_key_is_refused() -> None:
    ca = make_ca(new_tls_key(), "ZJ", NOW)
    with pytest.raises(ValueError, match=r"ca_key is not the key of ca_cert"):
        issue_leaf(new_tls_key(), ca, new_tls_key().public_key(),
                   LeafSpec("ZJ", "admin", "a", "o"), NOW)
