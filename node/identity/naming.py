"""How a role, a province and agency purposes are written into an X.509 certificate.

One place for the encoding, shared by the issuer (``certs``) and the reader (``roles``):

* subject ``C=CN, ST=<province>, O=<organisation>, OU=role:<label>, CN=<name>``; the
  ``OU`` carries the role label, ``ST`` the province code (SH, JS, ZJ, AH);
* subjectAltName ``URI:urn:yrd-credit:identity:<province>:<label>:<name>`` on every
  leaf (the X.509 verifier wants a SAN; it also names the holder unambiguously);
* subjectAltName ``URI:urn:yrd-credit:purpose:<purpose>``, one per purpose an agency may
  query for.

Labels: ``platform``, ``agency``, ``auditor``, ``admin`` (local identities), ``node`` (a
province's node; another province's node is a *peer*) and ``ca``.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "CA_LABEL",
    "IDENTITY_URN_PREFIX",
    "LEAF_LABELS",
    "NODE_LABEL",
    "PURPOSE_URN_PREFIX",
    "ROLE_OU_PREFIX",
    "check_name",
    "check_purpose",
    "identity_urn",
    "purpose_urn",
]

ROLE_OU_PREFIX: Final = "role:"
IDENTITY_URN_PREFIX: Final = "urn:yrd-credit:identity:"
PURPOSE_URN_PREFIX: Final = "urn:yrd-credit:purpose:"
NODE_LABEL: Final = "node"
CA_LABEL: Final = "ca"
LEAF_LABELS: Final = ("platform", "agency", "auditor", "admin", "authority", NODE_LABEL)

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_PURPOSE_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def check_name(name: str) -> str:
    """Return ``name`` if it is a valid identity name (lowercase ``[a-z0-9._-]``, ≤ 63)."""
    if not _NAME_RE.fullmatch(name):
        raise ValueError(
            f"identity name {name!r} is not valid: expected 1-63 characters of "
            "lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return name


def check_purpose(purpose: str) -> str:
    """Return ``purpose`` if it is a valid purpose id (``[a-z][a-z0-9_]*``, ≤ 63)."""
    if not _PURPOSE_RE.fullmatch(purpose):
        raise ValueError(
            f"purpose {purpose!r} is not valid: expected 1-63 characters of lowercase "
            "letters, digits or '_', starting with a letter"
        )
    return purpose


def identity_urn(province: str, label: str, name: str) -> str:
    """The SAN URI naming a leaf certificate's holder."""
    return f"{IDENTITY_URN_PREFIX}{province}:{label}:{check_name(name)}"


def purpose_urn(purpose: str) -> str:
    """The SAN URI granting one query purpose to an agency."""
    return f"{PURPOSE_URN_PREFIX}{check_purpose(purpose)}"
