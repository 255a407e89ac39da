"""Who is calling: the role, province and purposes a client certificate stands for.

``peer_identity_from_cert`` is the one place a certificate becomes an :class:`Identity`.
The province is taken from the CA that signed the certificate (never only from what the
certificate says about itself), and the role from the ``OU=role:<label>`` subject field
(see :mod:`node.identity.naming`):

=========================  ==================  ================
issuing CA                 role label          role
=========================  ==================  ================
own province               platform            PLATFORM
own province               agency              AGENCY (+ purposes)
own province               auditor             AUDITOR
own province               admin               ADMIN
own province               authority           AUTHORITY (+ purposes)
another trusted province   node                PEER
a held auditor CA          auditor             AUDITOR (province "")
anything else                                  UnknownRole
=========================  ==================  ================

Another province's CA cannot make an auditor: every province holds its own CA key and
could mint one to read the others' access logs. The consortium's auditors come from an
auditor CA the members appoint on-chain (:mod:`node.identity.auditor_ca`); whether it
is appointed *now* is the membership view's call (:mod:`node.identity.cache`). The own
province's auditor label stays: a province's operator already holds its own node.

Usage in a servicer (gRPC hands over the verified peer certificate as PEM)::

    pem = context.auth_context()["x509_pem_cert"][0]
    identity = peer_identity_from_cert(pem, trust_store)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from cryptography import x509
from cryptography.x509 import verification
from cryptography.x509.oid import NameOID

from node.identity import naming
from node.identity.certs import fingerprint
from node.identity.errors import UnknownRole, UntrustedCertificate
from node.identity.truststore import TrustStore

__all__ = ["Identity", "Role", "parse_certificate", "peer_identity_from_cert"]


class Role(StrEnum):
    """What a caller may be. ``PEER`` is another province's node; ``AUTHORITY`` a public
    authority (监管), the only role that may use a purpose needing no subject grant."""

    PLATFORM = "platform"
    PEER = "peer"
    AGENCY = "agency"
    AUDITOR = "auditor"
    ADMIN = "admin"
    AUTHORITY = "authority"


@dataclass(frozen=True)
class Identity:
    """A caller as the node sees it.

    ``province`` is the province of the CA that issued the certificate; ``purposes`` is
    empty except for agencies and authorities; ``fingerprint`` (SHA-256 of the
    certificate, hex) is how audit entries name the actor.
    """

    role: Role
    province: str
    name: str
    purposes: frozenset[str]
    organisation: str
    fingerprint: str
    issuer: str = ""
    """SHA-256 fingerprint (hex) of the CA that issued the certificate."""


_LOCAL_ROLES = {
    "platform": Role.PLATFORM, "agency": Role.AGENCY,
    "auditor": Role.AUDITOR, "admin": Role.ADMIN, "authority": Role.AUTHORITY,
}
_FOREIGN_ROLES = {naming.NODE_LABEL: Role.PEER}
_AUDITOR_LABEL = "auditor"


def parse_certificate(data: bytes | x509.Certificate) -> x509.Certificate:
    """A certificate from PEM or DER bytes (or one already parsed).

    Raises UntrustedCertificate when the bytes are not a certificate.
    """
    if isinstance(data, x509.Certificate):
        return data
    if not isinstance(data, bytes):
        raise TypeError(f"certificate must be bytes or x509.Certificate, got {type(data)}")
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise UntrustedCertificate(f"malformed certificate ({len(data)} bytes): {exc}") from exc


def _subject_values(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> list[str]:
    return [str(a.value) for a in cert.subject.get_attributes_for_oid(oid)]


def _one(values: list[str], what: str, fp: str) -> str:
    if len(values) != 1:
        raise UnknownRole(f"certificate {fp} has {len(values)} {what} fields, expected 1")
    return values[0]


def _purposes(cert: x509.Certificate) -> frozenset[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return frozenset()
    uris = san.get_values_for_type(x509.UniformResourceIdentifier)
    prefix = naming.PURPOSE_URN_PREFIX
    return frozenset(u[len(prefix):] for u in uris if u.startswith(prefix))


def peer_identity_from_cert(
    cert: bytes | x509.Certificate, trusted: TrustStore, *, now: datetime | None = None
) -> Identity:
    """Map a client certificate to the :class:`Identity` it stands for.

    Preconditions: ``cert`` is PEM or DER bytes or a parsed certificate; ``now`` (default:
    the current time) is timezone-aware. Raises UntrustedCertificate when the certificate
    is malformed, expired or not issued by a CA in ``trusted``, and UnknownRole when it is
    trusted but maps to no role (see the module table).
    """
    leaf = parse_certificate(cert)
    fp = fingerprint(leaf)
    # (1): the certificate chains to a trusted CA, is in its validity period and may
    # authenticate a TLS client (RFC 5280 path validation by cryptography's verifier).
    policy = verification.PolicyBuilder().store(verification.Store(trusted.certificates()))
    verifier = policy.time(now or datetime.now(UTC)).build_client_verifier()
    try:
        chain = verifier.verify(leaf, []).chain
    except verification.VerificationError as exc:
        raise UntrustedCertificate(
            f"certificate {fp} does not verify against the trusted CAs: {exc}"
        ) from exc
    issuer = fingerprint(chain[-1])
    if trusted.is_auditor_ca(chain[-1]):
        return _consortium_auditor(leaf, fp, issuer)
    # (2): the province is the issuing CA's; a province named in the subject must agree.
    province = trusted.province_of(chain[-1])
    claimed = _subject_values(leaf, NameOID.STATE_OR_PROVINCE_NAME)
    if claimed and claimed != [province]:
        raise UnknownRole(
            f"certificate {fp} names province {claimed} but was issued by the {province} CA"
        )
    # (3): exactly one role label, and one the issuing province may hold here.
    ou = [v for v in _subject_values(leaf, NameOID.ORGANIZATIONAL_UNIT_NAME)
          if v.startswith(naming.ROLE_OU_PREFIX)]
    if not ou:
        raise UnknownRole(f"certificate {fp} carries no role (no OU={naming.ROLE_OU_PREFIX}...)")
    label = _one(ou, "role", fp)[len(naming.ROLE_OU_PREFIX):]
    table = _LOCAL_ROLES if province == trusted.own_province else _FOREIGN_ROLES
    if label not in table:
        where = "this province" if province == trusted.own_province else f"province {province}"
        raise UnknownRole(
            f"certificate {fp} from {where} carries role {label!r}, which maps to no role "
            f"here; expected one of {', '.join(sorted(table))}"
        )
    role = table[label]
    # (4): purposes belong to agencies and authorities only.
    purposes = _purposes(leaf)
    if purposes and role not in (Role.AGENCY, Role.AUTHORITY):
        raise UnknownRole(f"certificate {fp} with role {label!r} must not carry purposes")
    return Identity(
        role=role,
        province=province,
        name=_one(_subject_values(leaf, NameOID.COMMON_NAME), "CN", fp),
        purposes=purposes,
        organisation=_one(_subject_values(leaf, NameOID.ORGANIZATION_NAME), "O", fp),
        fingerprint=fp,
        issuer=issuer,
    )


def _consortium_auditor(leaf: x509.Certificate, fp: str, issuer: str) -> Identity:
    """A leaf of an auditor CA: the auditor role and nothing else, no province."""
    labels = [v[len(naming.ROLE_OU_PREFIX):]
              for v in _subject_values(leaf, NameOID.ORGANIZATIONAL_UNIT_NAME)
              if v.startswith(naming.ROLE_OU_PREFIX)]
    if labels != [_AUDITOR_LABEL]:
        raise UnknownRole(f"certificate {fp} from an auditor CA carries role(s) {labels}; "
                          f"an auditor CA issues only {_AUDITOR_LABEL!r}")
    if _subject_values(leaf, NameOID.STATE_OR_PROVINCE_NAME) or _purposes(leaf):
        raise UnknownRole(f"certificate {fp} from an auditor CA must name no province "
                          "and carry no purposes")
    return Identity(
        role=Role.AUDITOR, province="", purposes=frozenset(),
        name=_one(_subject_values(leaf, NameOID.COMMON_NAME), "CN", fp),
        organisation=_one(_subject_values(leaf, NameOID.ORGANIZATION_NAME), "O", fp),
        fingerprint=fp, issuer=issuer)
