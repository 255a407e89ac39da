"""Client identities of a local consortium, and one credit-service agency per province.

A node takes an agency certificate only when its own province's CA issued it
(``node.identity.roles``): an agency accredited in SH is a stranger to the ZJ node. So
the demo agency holds one identity per province, ``agency.SH``, ``agency.JS``, … each
issued by that province's CA with the agency's purposes, and queries a province's node
with that province's identity. ``agency`` stays as an alias of the home province's
(``agency.SH``: the same certificate and key files) for tools written before.

A consortium created before these identities existed gets them on its next
``consortium up`` (:func:`ensure_agencies`); nothing else of it changes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from node.devnet.layout import ConsortiumDoc, ConsortiumLayout, IdentityEntry
from node.identity import Layout, certs, files
from node.identity.auditor_ca import issue_auditor, make_auditor_ca

__all__ = ["AGENCY_ALIAS", "AGENCY_NAME", "AGENCY_PURPOSES", "agency_label",
           "auditor_ca_cert", "auditor_ca_key", "ensure_agencies", "issue_identity",
           "make_consortium_auditor"]

AGENCY_NAME: Final = "delta-credit-services"
AGENCY_PURPOSES: Final = ("credit_report", "lending_review", "public_disclosure")
AGENCY_ALIAS: Final = "agency"
"""The compatibility name of the home province's agency identity."""


def agency_label(province: str) -> str:
    """The identity name of the agency accredited in ``province`` (``agency.ZJ``)."""
    return f"{AGENCY_ALIAS}.{province}"


def issue_identity(layout: ConsortiumLayout, home: str, label: str, name: str,
                   organisation: str, purposes: tuple[str, ...], now: datetime, *,
                   role: str | None = None) -> None:
    """Issue a client certificate of role ``role`` (default: ``label``) by province
    ``home``'s CA and write its key and certificate to ``layout.identity_key/cert(label)``.

    Precondition: ``home``'s node directory holds its CA key and certificate; ``role`` is
    a role label of ``node.identity.naming`` (``agency``, ``auditor`` …).
    """
    node = Layout(layout.node_dir(home))
    ca_key = files.load_tls_private_key(node.ca_key)
    ca_cert = files.load_certificate(node.ca_cert)
    key = certs.new_tls_key()
    spec = certs.LeafSpec(home, role or label, name, organisation, purposes)
    cert = certs.issue_leaf(ca_key, ca_cert, key.public_key(), spec, now)
    files.write_tls_private_key(layout.identity_key(label), key)
    files.write_certificate(layout.identity_cert(label), cert)


def auditor_ca_cert(layout: ConsortiumLayout) -> Path:
    """The consortium auditor CA's certificate, which every node holds (``auditor_cas``)."""
    return layout.root / "tls" / "auditor-ca.pem"


def auditor_ca_key(layout: ConsortiumLayout) -> Path:
    """The auditor CA's private key, kept apart from every node directory (offline in
    production: it only signs auditor certificates)."""
    return layout.root / "auditor-ca-offline" / "ca.key"


def make_consortium_auditor(layout: ConsortiumLayout, name: str, organisation: str,
                            now: datetime) -> str:
    """Create the consortium's auditor CA and issue the ``auditor`` identity from it;
    return the CA's fingerprint (hex), which the members appoint on-chain.

    Raises IdentityFileError when any of the files exists already.
    """
    ca_key = certs.new_tls_key()
    ca_cert = make_auditor_ca(ca_key, now)
    auditor_ca_key(layout).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    auditor_ca_cert(layout).parent.mkdir(parents=True, exist_ok=True)
    layout.identity_key("auditor").parent.mkdir(parents=True, exist_ok=True)
    files.write_tls_private_key(auditor_ca_key(layout), ca_key)
    files.write_certificate(auditor_ca_cert(layout), ca_cert)
    key = certs.new_tls_key()
    leaf = issue_auditor(ca_key, ca_cert, key.public_key(), name, organisation, now)
    files.write_tls_private_key(layout.identity_key("auditor"), key)
    files.write_certificate(layout.identity_cert("auditor"), leaf)
    return certs.fingerprint(ca_cert)


def _agency_entry(layout: ConsortiumLayout, province: str, label: str) -> IdentityEntry:
    return IdentityEntry(str(layout.identity_cert(label)), str(layout.identity_key(label)),
                         str(Layout(layout.node_dir(province)).ca_cert), AGENCY_NAME,
                         province, list(AGENCY_PURPOSES))


def ensure_agencies(layout: ConsortiumLayout, doc: ConsortiumDoc, home: str, *,
                    now: datetime | None = None) -> list[str]:
    """Give ``doc`` an agency identity for every province that lacks one; return those
    provinces. The caller saves ``doc``.

    The ``agency`` identity (issued now by ``home``'s CA if the consortium has none) is
    its own province's; every other province's is issued by that province's CA under
    the label ``agency.<P>`` (files an interrupted earlier call left are taken as they
    are). Preconditions: the provinces' node directories exist; ``home`` is one of
    ``doc.provinces``. Raises IdentityFileError when only one of a pair of files exists.
    """
    now = now or datetime.now(UTC)
    added: list[str] = []
    if AGENCY_ALIAS not in doc.identities:
        issue_identity(layout, home, AGENCY_ALIAS, AGENCY_NAME,
                       "Delta Credit Services (demo credit-service agency)", AGENCY_PURPOSES,
                       now)
        doc.identities[AGENCY_ALIAS] = _agency_entry(layout, home, AGENCY_ALIAS)
    alias = doc.identities[AGENCY_ALIAS]
    for province in doc.provinces:
        label = agency_label(province)
        if label in doc.identities:
            continue
        if province == alias.province:
            doc.identities[label] = replace(alias, purposes=list(alias.purposes))
        elif layout.identity_cert(label).exists() and layout.identity_key(label).exists():
            doc.identities[label] = _agency_entry(layout, province, label)  # an earlier try
        else:
            issue_identity(layout, province, label, AGENCY_NAME,
                           f"Delta Credit Services (demo credit-service agency, accredited in "
                           f"{province})", AGENCY_PURPOSES, now, role=AGENCY_ALIAS)
            doc.identities[label] = _agency_entry(layout, province, label)
        added.append(province)
    return added
