"""Who is who: the province CA, node and client certificates, and roles read from them.

Usage::

    from node.identity import TrustStore, peer_identity_from_cert, Role

    trust = load_trust_store("JS", {"JS": ca_pem_path, "SH": sh_ca_pem_path})
    identity = peer_identity_from_cert(pem_from_grpc, trust)
    if identity.role is Role.AGENCY and purpose in identity.purposes: ...

Certificates are ECDSA P-256 (what gRPC's TLS accepts); the role is ``OU=role:<label>``
in the subject, agency purposes are ``urn:yrd-credit:purpose:<p>`` SAN URIs, and the
province is the one of the issuing CA. ``provision_node`` creates a node's whole set.
"""

from node.identity.cache import IdentityCache
from node.identity.errors import (
    IdentityError,
    IdentityFileError,
    UnknownRole,
    UntrustedCertificate,
)
from node.identity.membership import MembershipView, MemberStanding
from node.identity.provision import Layout, Provisioned, provision_node
from node.identity.roles import Identity, Role, parse_certificate, peer_identity_from_cert
from node.identity.truststore import TrustStore, load_trust_store

__all__ = [
    "Identity",
    "IdentityCache",
    "IdentityError",
    "IdentityFileError",
    "Layout",
    "MemberStanding",
    "MembershipView",
    "Provisioned",
    "Role",
    "TrustStore",
    "UnknownRole",
    "UntrustedCertificate",
    "load_trust_store",
    "parse_certificate",
    "peer_identity_from_cert",
    "provision_node",
]
