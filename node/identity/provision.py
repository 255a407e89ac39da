"""Create a node's identity material in a directory: keys, its CA and its certificates.

What ``credit-node init`` writes (paths relative to the node directory; keys 0600,
certificates 0644):

==============================  ==================================================
``keys/node_signing.key``       Ed25519 key signing batch headers and tree heads
``keys/master.key``             32-byte master key sealing payloads at rest
``keys/ledger_account.key``     secp256k1 ledger account key, ``0x<hex>``
``keys/oprf.key``               seed of the OPRF key for private list matching
                                (its public key is the on-chain commitment)
``tls/ca.pem``                  the province CA certificate (P-256)
``../<dir>-ca-offline/ca.key``  the CA's private key, *outside* the node directory (or
                                ``ca_dir``): a running node never needs it, and a
                                node directory copied or breached must not carry it
``tls/node.pem``, ``node.key``  the node's server + client TLS certificate
``identities/<label>.pem|key``  client certificates for ``platform``, ``agency``,
                                ``auditor``, ``admin``
==============================  ==================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from crypto.keys import create_master_key_file, create_signing_key_file
from crypto.oprf_keys import create_oprf_key_file
from node.identity import certs, files
from node.identity.errors import IdentityFileError

__all__ = [
    "EXAMPLE_AGENCY_PURPOSES",
    "LOCAL_IDENTITIES",
    "Layout",
    "Provisioned",
    "default_ca_dir",
    "provision_node",
]

LOCAL_IDENTITIES: Final = ("platform", "agency", "auditor", "admin")
EXAMPLE_AGENCY_PURPOSES: Final = ("credit_report", "lending_review")

_NAMES: Final = {
    "platform": ("platform", "{p} public credit information platform"),
    "agency": ("example-agency", "Example credit-service agency ({p})"),
    "auditor": ("auditor", "{p} credit information auditor"),
    "admin": ("admin", "{p} node operator"),
}


def default_ca_dir(root: Path) -> Path:
    """Where the CA key goes by default: ``<root>-ca-offline`` next to the node directory."""
    root = Path(root)
    return root.parent / f"{root.name}-ca-offline"


@dataclass(frozen=True)
class Layout:
    """Where each file lives under a node directory ``root`` (the CA key under ``ca_dir``,
    by default :func:`default_ca_dir`)."""

    root: Path
    ca_dir: Path | None = None

    @property
    def signing_key(self) -> Path:
        return self.root / "keys" / "node_signing.key"

    @property
    def master_key(self) -> Path:
        return self.root / "keys" / "master.key"

    @property
    def ledger_account(self) -> Path:
        return self.root / "keys" / "ledger_account.key"

    @property
    def oprf_key(self) -> Path:
        return self.root / "keys" / "oprf.key"

    @property
    def ca_cert(self) -> Path:
        return self.root / "tls" / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return (self.ca_dir or default_ca_dir(self.root)) / "ca.key"

    @property
    def node_cert(self) -> Path:
        return self.root / "tls" / "node.pem"

    @property
    def node_key(self) -> Path:
        return self.root / "tls" / "node.key"

    def identity_cert(self, label: str) -> Path:
        return self.root / "identities" / f"{label}.pem"

    def identity_key(self, label: str) -> Path:
        return self.root / "identities" / f"{label}.key"

    def private_files(self) -> list[Path]:
        """Every key file (mode 0600)."""
        return [
            self.signing_key, self.master_key, self.ledger_account, self.oprf_key,
            self.ca_key, self.node_key,
            *(self.identity_key(label) for label in LOCAL_IDENTITIES),
        ]

    def public_files(self) -> list[Path]:
        """Every certificate file (mode 0644)."""
        return [
            self.ca_cert, self.node_cert,
            *(self.identity_cert(label) for label in LOCAL_IDENTITIES),
        ]


@dataclass(frozen=True)
class Provisioned:
    """What :func:`provision_node` made: where it is and what to publish on-chain."""

    layout: Layout
    ledger_address: str
    node_public_key: bytes
    ca_fingerprint: str
    oprf_key_commitment: bytes


def provision_node(
    root: Path,
    province: str,
    *,
    hosts: Sequence[str] = (),
    agency_purposes: Sequence[str] = EXAMPLE_AGENCY_PURPOSES,
    ca_dir: Path | None = None,
    now: datetime,
) -> Provisioned:
    """Create every key and certificate of a new ``province`` node under ``root``.

    Preconditions: none of the files exists yet (else IdentityFileError, before anything
    is written); ``hosts`` are extra DNS names or IPs for the node certificate (localhost
    and 127.0.0.1 are always in it); ``ca_dir`` (default :func:`default_ca_dir`) receives
    the CA key and must not be inside ``root``; ``now`` is timezone-aware.
    """
    layout = Layout(Path(root), Path(ca_dir) if ca_dir is not None else None)
    if layout.ca_key.resolve().is_relative_to(layout.root.resolve()):
        raise IdentityFileError(
            f"the CA key {layout.ca_key} would be inside the node directory {root}; "
            "choose a ca_dir outside it")
    existing = [p for p in (*layout.private_files(), *layout.public_files()) if p.exists()]
    if existing:
        raise IdentityFileError(
            f"{root} already holds node files ({existing[0]} and {len(existing) - 1} more); "
            "refusing to overwrite them"
        )
    for directory in (layout.root / "keys", layout.root / "tls", layout.root / "identities"):
        directory.mkdir(mode=0o700 if directory.name == "keys" else 0o755,
                        parents=True, exist_ok=True)
    layout.ca_key.parent.mkdir(mode=0o700, parents=True, exist_ok=True)

    signing_key = create_signing_key_file(layout.signing_key)
    create_master_key_file(layout.master_key)
    address = files.create_ledger_account_file(layout.ledger_account)
    oprf_key = create_oprf_key_file(layout.oprf_key)

    ca_key = certs.new_tls_key()
    ca_cert = certs.make_ca(ca_key, province, now)
    files.write_tls_private_key(layout.ca_key, ca_key)
    files.write_certificate(layout.ca_cert, ca_cert)

    node_spec = certs.LeafSpec(province, "node", f"node-{province.lower()}",
                               f"{province} credit-sharing node", hosts=tuple(hosts))
    _issue(layout.node_cert, layout.node_key, ca_key, ca_cert, node_spec, now)
    for label in LOCAL_IDENTITIES:
        name, org = _NAMES[label]
        purposes = tuple(agency_purposes) if label == "agency" else ()
        spec = certs.LeafSpec(province, label, name, org.format(p=province), purposes)
        _issue(layout.identity_cert(label), layout.identity_key(label), ca_key, ca_cert,
               spec, now)
    return Provisioned(
        layout=layout,
        ledger_address=address,
        node_public_key=bytes(signing_key.verify_key),
        ca_fingerprint=certs.fingerprint(ca_cert),
        oprf_key_commitment=oprf_key.public_key,
    )


def _issue(
    cert_path: Path,
    key_path: Path,
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    spec: certs.LeafSpec,
    now: datetime,
) -> None:
    key = certs.new_tls_key()
    cert = certs.issue_leaf(ca_key, ca_cert, key.public_key(), spec, now)
    files.write_tls_private_key(key_path, key)
    files.write_certificate(cert_path, cert)
