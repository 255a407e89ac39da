"""Keys the running node derives from its key files (no extra key file on disk)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

from crypto.sealing import MasterKey

TOKEN_KEY_LABEL: Final = b"yrd-credit/subject-token-key/v1"


def derive_token_key(master: MasterKey) -> bytes:
    """The 32-byte subject-token key: HMAC-SHA256(master key, domain label).

    Precondition: ``master`` is a 32-byte master key (``crypto.keys.load_master_key``).
    Deterministic, so every front end of one node computes the same subject tokens.
    """
    return hmac.new(bytes(master), TOKEN_KEY_LABEL, hashlib.sha256).digest()
