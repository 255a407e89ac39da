"""Who is calling: the verified client certificate mapped to an ``Identity``."""

from __future__ import annotations

from collections.abc import Collection

import grpc
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from node.identity import Identity, IdentityCache, IdentityError, Role
from node.service.errors import Refusal, Refused, Unauthenticated


def peer_certificate(context: grpc.ServicerContext) -> bytes:
    """The PEM client certificate TLS verified; Unauthenticated when there is none."""
    certs = context.auth_context().get("x509_pem_cert") or []
    if not certs:
        raise Unauthenticated("no client certificate on this connection")
    return bytes(certs[0])


def caller_identity(context: grpc.ServicerContext, cache: IdentityCache,
                    roles: Collection[Role]) -> Identity:
    """The caller's identity, required to hold one of ``roles``.

    Raises Unauthenticated when the certificate maps to no role, Refused for another role.
    """
    try:
        identity = cache.identity(peer_certificate(context))
    except IdentityError as exc:
        raise Unauthenticated(f"client certificate maps to no role: {exc}") from exc
    if identity.role not in roles:
        allowed = ", ".join(sorted(r.value for r in roles))
        raise Refused(f"role {identity.role.value} may not call this method; want {allowed}",
                      reason=Refusal.WRONG_ROLE)
    return identity


def caller_public_key(context: grpc.ServicerContext) -> ec.EllipticCurvePublicKey:
    """The EC public key of the caller's certificate (grants are signed with it)."""
    cert = x509.load_pem_x509_certificate(peer_certificate(context))
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise Unauthenticated("client certificate key is not an EC key")
    return key
