"""The caller's verified client certificate and its key (``node.grpc.audited`` maps the
certificate to an ``Identity`` and checks its role)."""

from __future__ import annotations

from functools import lru_cache

import grpc
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from node.service.errors import Unauthenticated


def peer_certificate(context: grpc.ServicerContext) -> bytes:
    """The PEM client certificate TLS verified; Unauthenticated when there is none."""
    certs = context.auth_context().get("x509_pem_cert") or []
    if not certs:
        raise Unauthenticated("no client certificate on this connection")
    return bytes(certs[0])


def caller_public_key(context: grpc.ServicerContext) -> ec.EllipticCurvePublicKey:
    """The EC public key of the caller's certificate (grants are signed with it)."""
    key = _public_key(peer_certificate(context))
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise Unauthenticated("client certificate key is not an EC key")
    return key


@lru_cache(maxsize=256)
def _public_key(pem: bytes) -> object:
    """The key of a certificate TLS verified (a server sees the same few on every call)."""
    return x509.load_pem_x509_certificate(pem).public_key()
