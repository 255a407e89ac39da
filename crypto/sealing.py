"""Sealing record payloads at rest: AES-256-GCM under a per-record data key.

Each :func:`seal` draws a fresh 256-bit data key, encrypts the payload with AES-256-GCM and
wraps the data key under the node master key with AES key wrap (RFC 3394, NIST SP
800-38F "KW"). Usage::

    from crypto.sealing import new_master_key, open_sealed, record_aad, seal

    aad = record_aad("JS", "JS-2025-001042")
    blob = seal(payload, master_key, aad).to_bytes()
    assert open_sealed(blob, master_key, aad) == payload

Why AES-KW for the data key rather than AES-GCM with its own nonce: KW is the standard
construction for wrapping keys, deterministic (no nonce, so no random-nonce birthday
bound on the number of records one master key may wrap — GCM with random 96-bit nonces is
limited to 2^32 wraps per key), and 40 bytes instead of 60. Its 64-bit integrity check
plus the GCM tag of the payload (a wrong data key never authenticates) cover tampering.

The associated data binds the sealed bytes to the row they belong to (use
:func:`record_aad`), so a ciphertext copied into another row does not open. The GCM
associated data is ``SEAL_DOMAIN ‖ version ‖ master key id ‖ wrapped key ‖ aad``: every
part before ``aad`` has a fixed length, so the split is unambiguous.

Crypto-shredding: without its wrapped key a ciphertext is unreadable, even under the
master key. Destroying ``Sealed.wrapped_key`` therefore destroys the record — but only
every copy of it: store wrapped keys apart from ciphertexts (own table or column family,
short backup retention) if shredding must also reach backups. :func:`detach_key` splits a
sealed blob into the ciphertext part (no key material) and the wrapped key, and
:func:`attach_key` puts them back together, so a store can keep the two in different
databases.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import struct
from collections.abc import Sequence
from typing import Final, NewType

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from crypto.errors import SealingError

__all__ = [
    "MASTER_KEY_SIZE",
    "SEAL_DOMAIN",
    "SEAL_VERSION",
    "MasterKey",
    "Sealed",
    "attach_key",
    "detach_key",
    "master_key",
    "master_key_id",
    "new_master_key",
    "open_sealed",
    "record_aad",
    "seal",
    "seal_many",
]

MasterKey = NewType("MasterKey", bytes)
"""A node's 32-byte symmetric master key (wraps every per-record data key)."""

MASTER_KEY_SIZE: Final = 32
SEAL_VERSION: Final = 1
SEAL_DOMAIN: Final = b"yrd-credit/sealed-payload/v%d\x00" % SEAL_VERSION
_KEY_ID_DOMAIN = b"yrd-credit/master-key-id/v1\x00"
_AAD_DOMAIN = b"yrd-credit/record-aad/v1\x00"
KEY_ID_SIZE: Final = 8
WRAPPED_KEY_SIZE: Final = 40
NONCE_SIZE: Final = 12
TAG_SIZE: Final = 16
_DATA_KEY_SIZE = 32
"""An AES-256-GCM data key, one per sealed payload."""
_HEADER_SIZE = 1 + KEY_ID_SIZE + WRAPPED_KEY_SIZE + NONCE_SIZE
DETACHED_TAG: Final = 0xD1
"""First byte of a sealed blob whose wrapped key was taken out (never a ``SEAL_VERSION``)."""
_DETACHED = bytes([DETACHED_TAG])


def master_key(raw: bytes) -> MasterKey:
    """Return ``raw`` typed as a :data:`MasterKey` after checking it is 32 bytes."""
    if not isinstance(raw, bytes):
        raise TypeError(f"master key must be bytes, got {type(raw).__name__}")
    if len(raw) != MASTER_KEY_SIZE:
        raise ValueError(f"master key must be {MASTER_KEY_SIZE} bytes, got {len(raw)}")
    return MasterKey(raw)


def new_master_key() -> MasterKey:
    """Return a fresh random master key from the OS CSPRNG."""
    return MasterKey(secrets.token_bytes(MASTER_KEY_SIZE))


def master_key_id(key: MasterKey) -> bytes:
    """Return the 8-byte public identifier of ``key`` (a domain-separated hash prefix)."""
    return hashlib.sha256(_KEY_ID_DOMAIN + master_key(key)).digest()[:KEY_ID_SIZE]


def record_aad(province: str, record_no: str) -> bytes:
    """Return associated data naming one record: ``domain ‖ province ‖ uint16 BE len ‖ no``.

    ``record_no`` is the record's number within its province's source (UTF-8, at most
    1024 bytes); the length prefix keeps the encoding unambiguous.
    Preconditions: ``province`` is two ASCII upper-case letters; ``record_no`` non-empty.
    """
    if not isinstance(province, str) or not isinstance(record_no, str):
        raise TypeError("province and record_no must be str")
    if len(province) != 2 or not (province.isascii() and province.isalpha() and province.isupper()):
        raise ValueError(f"province must be two upper-case ASCII letters, got {province[:8]!r}")
    encoded = record_no.encode("utf-8")
    if not 0 < len(encoded) <= 1024:
        raise ValueError(f"record_no must be 1..1024 UTF-8 bytes, got {len(encoded)}")
    return _AAD_DOMAIN + province.encode("ascii") + struct.pack(">H", len(encoded)) + encoded


@dataclasses.dataclass(frozen=True, slots=True)
class Sealed:
    """An encrypted payload with its wrapped data key.

    ``to_bytes()`` layout: ``version (1) ‖ master_key_id (8) ‖ wrapped_key (40) ‖
    nonce (12) ‖ ciphertext with GCM tag (>= 16)``.
    """

    master_key_id: bytes
    wrapped_key: bytes
    nonce: bytes
    ciphertext: bytes

    def __post_init__(self) -> None:
        sizes = (
            ("master_key_id", KEY_ID_SIZE), ("wrapped_key", WRAPPED_KEY_SIZE),
            ("nonce", NONCE_SIZE),
        )
        for name, size in sizes:
            value = getattr(self, name)
            if not isinstance(value, bytes):
                raise TypeError(f"{name} must be bytes, got {type(value).__name__}")
            if len(value) != size:
                raise SealingError(f"malformed sealed payload: {name} is {len(value)} bytes, "
                                   f"want {size}")
        if not isinstance(self.ciphertext, bytes):
            raise TypeError(f"ciphertext must be bytes, got {type(self.ciphertext).__name__}")
        if len(self.ciphertext) < TAG_SIZE:
            raise SealingError(f"malformed sealed payload: ciphertext is {len(self.ciphertext)} "
                               f"bytes, want at least the {TAG_SIZE}-byte tag")

    def to_bytes(self) -> bytes:
        """Return the compact serialization described in the class docstring."""
        return (bytes([SEAL_VERSION]) + self.master_key_id + self.wrapped_key + self.nonce
                + self.ciphertext)

    @classmethod
    def from_bytes(cls, data: bytes) -> Sealed:
        """Parse :meth:`to_bytes` output; :class:`SealingError` names any defect."""
        if not isinstance(data, bytes):
            raise TypeError(f"sealed data must be bytes, got {type(data).__name__}")
        if data[:1] == _DETACHED:
            raise SealingError("sealed payload without its data key: the key is kept apart "
                               "(detached) and must be attached first, or it was destroyed")
        if len(data) < _HEADER_SIZE + TAG_SIZE:
            raise SealingError(f"malformed sealed payload: {len(data)} bytes, want at least "
                               f"{_HEADER_SIZE + TAG_SIZE}")
        if data[0] != SEAL_VERSION:
            raise SealingError(f"unsupported sealed payload version {data[0]}; "
                               f"want {SEAL_VERSION}")
        wrapped_at = 1 + KEY_ID_SIZE
        nonce_at = wrapped_at + WRAPPED_KEY_SIZE
        return cls(
            master_key_id=data[1:wrapped_at],
            wrapped_key=data[wrapped_at:nonce_at],
            nonce=data[nonce_at:_HEADER_SIZE],
            ciphertext=data[_HEADER_SIZE:],
        )

    def _gcm_aad(self, aad: bytes) -> bytes:
        return (SEAL_DOMAIN + bytes([SEAL_VERSION]) + self.master_key_id + self.wrapped_key
                + aad)


def seal(plaintext: bytes, master_key: MasterKey, aad: bytes) -> Sealed:
    """Encrypt ``plaintext`` under a fresh data key wrapped by ``master_key``.

    ``aad`` is not encrypted but must be given again, identical, to open the result; pass
    :func:`record_aad` of the row the payload is stored in.
    """
    if not isinstance(plaintext, bytes) or not isinstance(aad, bytes):
        raise TypeError("plaintext and aad must be bytes")
    key_id = master_key_id(master_key)
    data_key = AESGCM.generate_key(bit_length=256)
    wrapped = aes_key_wrap(master_key, data_key)
    nonce = secrets.token_bytes(NONCE_SIZE)
    shell = Sealed(key_id, wrapped, nonce, b"\x00" * TAG_SIZE)
    ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, shell._gcm_aad(aad))
    return dataclasses.replace(shell, ciphertext=ciphertext)


def seal_many(items: Sequence[tuple[bytes, bytes]], master_key: MasterKey) -> list[bytes]:
    """:func:`seal` of each ``(plaintext, aad)`` of ``items``, as ``Sealed.to_bytes()``.

    The same layout and the same guarantees, one fresh data key and nonce per item; what is
    done once for all of them: the master key's id, and one draw from the OS CSPRNG for
    every data key and nonce (a batch of records is sealed at ingest).
    """
    key_id = master_key_id(master_key)
    version = bytes([SEAL_VERSION])
    step = _DATA_KEY_SIZE + NONCE_SIZE
    randomness = secrets.token_bytes(step * len(items))
    out: list[bytes] = []
    for i, (plaintext, aad) in enumerate(items):
        if not isinstance(plaintext, bytes) or not isinstance(aad, bytes):
            raise TypeError("plaintext and aad must be bytes")
        at = i * step
        data_key = randomness[at:at + _DATA_KEY_SIZE]
        nonce = randomness[at + _DATA_KEY_SIZE:at + step]
        head = version + key_id + aes_key_wrap(master_key, data_key)
        ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, SEAL_DOMAIN + head + aad)
        out.append(head + nonce + ciphertext)
    return out


def open_sealed(sealed: Sealed | bytes, master_key: MasterKey, aad: bytes) -> bytes:
    """Decrypt and authenticate ``sealed``; return the plaintext or raise :class:`SealingError`.

    Steps: (1) parse; (2) the payload names this master key; (3) unwrap the data key;
    (4) AES-GCM decrypt, authenticating the header and ``aad``.
    """
    if not isinstance(aad, bytes):
        raise TypeError(f"aad must be bytes, got {type(aad).__name__}")
    # (1): parse
    parsed = Sealed.from_bytes(sealed) if isinstance(sealed, bytes) else sealed
    if not isinstance(parsed, Sealed):
        raise TypeError(f"sealed must be Sealed or bytes, got {type(sealed).__name__}")
    # (2): the right master key
    have = master_key_id(master_key)
    if parsed.master_key_id != have:
        raise SealingError(
            f"sealed under master key id {parsed.master_key_id.hex()}, but this master key "
            f"has id {have.hex()}: wrong master key (or the header was altered)"
        )
    # (3): unwrap the data key
    try:
        data_key = aes_key_unwrap(master_key, parsed.wrapped_key)
    except InvalidUnwrap as exc:
        raise SealingError(
            "wrapped data key fails its integrity check under this master key: tampered "
            "wrapped key"
        ) from exc
    # (4): decrypt and authenticate
    try:
        return AESGCM(data_key).decrypt(parsed.nonce, parsed.ciphertext, parsed._gcm_aad(aad))
    except InvalidTag as exc:
        raise SealingError(
            "sealed payload does not authenticate: ciphertext, nonce or wrapped key tampered, "
            "or aad names a different record than the one it was sealed for"
        ) from exc


def detach_key(blob: bytes) -> tuple[bytes, bytes]:
    """Split a sealed blob into ``(body, wrapped_key)``; the body holds no key material.

    ``body`` is ``DETACHED_TAG ‖ version ‖ master_key_id ‖ nonce ‖ ciphertext``; it opens
    only after :func:`attach_key` with the same wrapped key. Raises :class:`SealingError`
    for a blob that is not a sealed payload.
    """
    parsed = Sealed.from_bytes(blob)
    body = (bytes([DETACHED_TAG, SEAL_VERSION]) + parsed.master_key_id + parsed.nonce
            + parsed.ciphertext)
    return body, parsed.wrapped_key


def attach_key(body: bytes, wrapped_key: bytes) -> bytes:
    """Rebuild the sealed blob :func:`detach_key` split (``SealingError`` names a defect)."""
    if not isinstance(body, bytes) or not isinstance(wrapped_key, bytes):
        raise TypeError("body and wrapped_key must be bytes")
    fixed = 2 + KEY_ID_SIZE + NONCE_SIZE
    if len(body) < fixed + TAG_SIZE or body[0] != DETACHED_TAG or body[1] != SEAL_VERSION:
        raise SealingError(f"malformed detached payload: {len(body)} bytes, want at least "
                           f"{fixed + TAG_SIZE} starting 0x{DETACHED_TAG:02x} {SEAL_VERSION}")
    nonce_at = 2 + KEY_ID_SIZE
    return Sealed(master_key_id=body[2:nonce_at], wrapped_key=wrapped_key,
                  nonce=body[nonce_at:fixed], ciphertext=body[fixed:]).to_bytes()
