"""Errors of ``node.identity``: one base to catch, narrow kinds below it.

Messages name the certificate by its SHA-256 fingerprint (hex) and say what was expected;
they never carry key material.
"""

from __future__ import annotations

__all__ = ["IdentityError", "IdentityFileError", "UnknownRole", "UntrustedCertificate"]


class IdentityError(Exception):
    """Base of every error ``node.identity`` raises on purpose."""


class UntrustedCertificate(IdentityError):
    """A certificate is malformed, expired, or does not chain to a CA in the trust store."""


class UnknownRole(IdentityError):
    """A trusted certificate maps to no role this node accepts; the call must be refused."""


class IdentityFileError(IdentityError):
    """A key or certificate file is missing, unreadable, malformed, or would be overwritten."""
