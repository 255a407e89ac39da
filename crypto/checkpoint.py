"""Signed tree heads as C2SP checkpoints in C2SP signed notes (Ed25519).

A checkpoint (c2sp.org/tlog-checkpoint) is the text ``<origin>\\n<size>\\n<base64 root>\\n``;
a signed note (c2sp.org/signed-note) adds a blank line and one line per signature,
``— <key name> <base64(key id ‖ Ed25519 signature)>``, the key id being the first 4 bytes
of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key). A witness co-signs by adding its own line over
the same text. The format is the transparency-log ecosystem's, so Go's ``sumdb/note`` and
its witnesses read our heads as they are. Usage::

    from crypto.checkpoint import Checkpoint, NoteVerifier, sign_checkpoint, verify_checkpoint

    note = sign_checkpoint(Checkpoint("yrd-credit/audit/JS", 3, root), "yrd-credit/audit/JS", key)
    log = NoteVerifier("yrd-credit/audit/JS", public_key_of(key))
    checkpoint = verify_checkpoint(note, "yrd-credit/audit/JS", [log])   # raises if wrong

Signatures cover the note text itself, without a ``crypto.signing`` domain tag, as the
spec demands. They still cannot be confused with our domain-tagged signatures: every tag
ends in a NUL byte within its first 129 bytes, and note text may hold no control byte.

Parsers refuse every malformed input with :class:`MalformedNote` naming the defect; a
signature that does not verify, or a note no known key signed, raises
:class:`~crypto.errors.InvalidSignature`; a well-signed head of another log raises
:class:`OriginMismatch`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import nacl.exceptions
import nacl.signing

from crypto.errors import CryptoError, InvalidSignature
from crypto.signing import SIGNATURE_SIZE, NodePublicKey, node_public_key, public_key_of

__all__ = [
    "MAX_SIGNATURES",
    "Checkpoint",
    "MalformedNote",
    "NoteSignature",
    "NoteVerifier",
    "OriginMismatch",
    "SignedNote",
    "add_signature",
    "checkpoint_note",
    "head_signature",
    "note_key_id",
    "open_note",
    "parse_checkpoint",
    "parse_note",
    "parse_verifier_key",
    "sign_checkpoint",
    "sign_note",
    "verify_checkpoint",
    "verify_head_signature",
]

ALG_ED25519: Final = 0x01
MAX_SIGNATURES: Final = 100
"""Most signature lines read from one note (the limit Go's sumdb/note applies)."""
_SIG_PREFIX: Final = "\u2014 "
_KEY_ID_SIZE: Final = 4
_MAX_SIZE: Final = 2**63 - 1
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


class MalformedNote(CryptoError, ValueError):
    """A signed note, checkpoint or verifier key is malformed; the message names the defect."""


class OriginMismatch(CryptoError):
    """A correctly signed checkpoint belongs to another log than the one expected."""


def _check_name(name: str, what: str = "key name") -> str:
    if not isinstance(name, str):
        raise TypeError(f"{what} must be str, got {type(name).__name__}")
    if not name or "+" in name or any(c.isspace() for c in name) or _CONTROL.search(name):
        raise MalformedNote(
            f"malformed note: {what} {name!r} must be non-empty, without spaces or '+'"
        )
    return name


def note_key_id(name: str, public_key: NodePublicKey) -> bytes:
    """The 4-byte key id of an Ed25519 note key: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4]."""
    raw = bytes([ALG_ED25519]) + node_public_key(public_key)
    return hashlib.sha256(_check_name(name).encode() + b"\n" + raw).digest()[:_KEY_ID_SIZE]


@dataclass(frozen=True, slots=True)
class NoteVerifier:
    """A named Ed25519 public key that note signatures are checked against."""

    name: str
    public_key: NodePublicKey

    @property
    def key_id(self) -> bytes:
        return note_key_id(self.name, self.public_key)

    def vkey(self) -> str:
        """The verifier key string ``<name>+<hex key id>+<base64(0x01 ‖ key)>``."""
        raw = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{raw}"


def parse_verifier_key(vkey: str) -> NoteVerifier:
    """Parse ``<name>+<hex key id>+<base64(0x01 ‖ key)>``; the key id must match."""
    name, _, rest = vkey.partition("+")
    hex_id, _, encoded = rest.partition("+")
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise MalformedNote(f"malformed verifier key: key id {hex_id!r} is not 8 hex digits")
    raw = _b64("verifier key", encoded)
    if len(raw) != 33 or raw[0] != ALG_ED25519:
        raise MalformedNote("malformed verifier key: want 0x01 followed by a 32-byte Ed25519 key")
    verifier = NoteVerifier(_check_name(name), NodePublicKey(raw[1:]))
    if verifier.key_id.hex() != hex_id:
        raise MalformedNote(
            f"malformed verifier key: key id {hex_id} does not match the key "
            f"(want {verifier.key_id.hex()})"
        )
    return verifier


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line: key name, 4-byte key id and the signature bytes."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        blob = base64.b64encode(self.key_id + self.signature).decode()
        return f"{_SIG_PREFIX}{self.name} {blob}\n"


@dataclass(frozen=True, slots=True)
class SignedNote:
    """A note's text (ending in a newline) and its signature lines in order."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def render(self) -> str:
        return self.text + "\n" + "".join(sig.line() for sig in self.signatures)


def _b64(what: str, text: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedNote(f"malformed {what}: not standard base64") from exc
    if base64.b64encode(raw).decode() != text:
        raise MalformedNote(f"malformed {what}: base64 is not in canonical form")
    return raw


def _check_text(text: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"note text must be str, got {type(text).__name__}")
    if not text.endswith("\n") or text == "\n":
        raise MalformedNote("malformed note: text must be non-empty and end with a newline")
    if _CONTROL.search(text):
        raise MalformedNote("malformed note: text holds a control character other than newline")
    return text


def parse_note(note: str) -> SignedNote:
    """Split a signed note into its text and signature lines; nothing is verified here.

    Refuses: a non-``str``; control characters; no blank line before the signatures; no
    signature, or more than :data:`MAX_SIGNATURES`; a line not starting ``— ``; a bad key
    name; a signature blob that is not canonical base64 of at least 5 bytes.
    """
    if not isinstance(note, str):
        raise TypeError(f"note must be str, got {type(note).__name__}")
    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedNote("malformed note: no blank line between text and signatures")
    text, block = _check_text(note[: split + 1]), note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise MalformedNote("malformed note: no signature lines, or the last is unterminated")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNote(f"malformed note: {len(lines)} signatures, want at most 100")
    signatures = []
    for number, line in enumerate(lines, 1):
        if not line.startswith(_SIG_PREFIX):
            raise MalformedNote(f"malformed note: signature line {number} does not start '— '")
        name, _, blob = line[len(_SIG_PREFIX) :].partition(" ")
        raw = _b64(f"note: signature line {number}", blob)
        if len(raw) <= _KEY_ID_SIZE:
            raise MalformedNote(f"malformed note: signature line {number} is too short")
        signatures.append(NoteSignature(_check_name(name), raw[:4], raw[4:]))
    return SignedNote(text, tuple(signatures))


def _sign(text: str, name: str, key: nacl.signing.SigningKey) -> NoteSignature:
    signature = bytes(key.sign(_check_text(text).encode()).signature)
    return NoteSignature(name, note_key_id(name, public_key_of(key)), signature)


def sign_note(text: str, name: str, key: nacl.signing.SigningKey) -> str:
    """Return ``text`` signed by ``key`` under ``name`` as a signed note."""
    return SignedNote(text, (_sign(text, name, key),)).render()


def add_signature(note: str, name: str, key: nacl.signing.SigningKey) -> str:
    """Return ``note`` with one more signature line (a witness's cosignature) appended."""
    parsed = parse_note(note)
    return SignedNote(parsed.text, (*parsed.signatures, _sign(parsed.text, name, key))).render()


def _ed25519_ok(message: bytes, signature: bytes, public_key: NodePublicKey) -> bool:
    if len(signature) != SIGNATURE_SIZE:
        return False
    try:
        nacl.signing.VerifyKey(public_key).verify(message, signature)
    except nacl.exceptions.BadSignatureError:
        return False
    return True


def open_note(note: str, verifiers: Sequence[NoteVerifier]) -> tuple[str, list[NoteVerifier]]:
    """Verify ``note``; return its text and the verifiers whose signature checked out.

    Lines by keys not in ``verifiers`` are ignored (they may be other witnesses). Raises
    ``InvalidSignature`` when a known key's signature does not verify, or when no known
    key signed at all.
    """
    parsed = parse_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    message, signed = parsed.text.encode(), list[NoteVerifier]()
    for sig in parsed.signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None or verifier in signed:
            continue
        if not _ed25519_ok(message, sig.signature, verifier.public_key):
            raise InvalidSignature(
                f"note signature by {sig.name}+{sig.key_id.hex()} does not verify"
            )
        signed.append(verifier)
    if not signed:
        seen = ", ".join(f"{s.name}+{s.key_id.hex()}" for s in parsed.signatures)
        want = ", ".join(f"{v.name}+{v.key_id.hex()}" for v in verifiers) or "<none>"
        raise InvalidSignature(f"note has no signature by a known key: signed by {seen}; "
                               f"want one of {want}")
    return parsed.text, signed


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A tree head: the log's ``origin``, its ``size`` and the RFC 9162 ``root`` (32 bytes).

    Construction checks every field (``MalformedNote``) so a checkpoint that exists can be
    rendered and parsed back to itself.
    """

    origin: str
    size: int
    root: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.origin, str) or not self.origin:
            raise MalformedNote("malformed checkpoint: empty origin")
        if "\n" in self.origin or _CONTROL.search(self.origin):
            raise MalformedNote("malformed checkpoint: origin holds a control character")
        if type(self.size) is not int or not 0 <= self.size <= _MAX_SIZE:
            raise MalformedNote(f"malformed checkpoint: size {self.size!r}, want 0..2^63-1")
        if not isinstance(self.root, bytes) or len(self.root) != 32:
            got = len(self.root) if isinstance(self.root, bytes) else type(self.root).__name__
            raise MalformedNote(f"malformed checkpoint: root has {got} bytes, want 32")

    def body(self) -> str:
        """The checkpoint text, the exact string every signature covers."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def _parse_body(text: str, expected_origin: str | None) -> Checkpoint:
    lines = text.split("\n")[:-1]
    origin = lines[0] if lines else ""
    if not origin:
        raise MalformedNote("malformed checkpoint: empty origin")
    if expected_origin is not None and origin != expected_origin:
        raise OriginMismatch(f"checkpoint origin {origin!r}, want {expected_origin!r}")
    if len(lines) < 3:
        raise MalformedNote(f"malformed checkpoint: {len(lines)} line(s), want 3 "
                            "(origin, size, root)")
    if not _DECIMAL.fullmatch(lines[1]) or int(lines[1]) > _MAX_SIZE:
        raise MalformedNote(f"malformed checkpoint: size {lines[1]!r} is not a decimal "
                            "integer without leading zeros in 0..2^63-1")
    root = _b64("checkpoint: root", lines[2])
    if len(root) != 32:
        raise MalformedNote(f"malformed checkpoint: root has {len(root)} bytes, want 32")
    if len(lines) > 3:
        raise MalformedNote(f"malformed checkpoint: {len(lines) - 3} extra line(s) after "
                            "the root, want none")
    return Checkpoint(origin, int(lines[1]), root)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse checkpoint text (the note's text, not the note); nothing is verified."""
    return _parse_body(_check_text(text), None)


def sign_checkpoint(checkpoint: Checkpoint, name: str, key: nacl.signing.SigningKey) -> str:
    """The signed note of ``checkpoint`` by ``key`` under ``name`` (by convention, the origin)."""
    return sign_note(checkpoint.body(), name, key)


def verify_checkpoint(note: str, origin: str, verifiers: Sequence[NoteVerifier]) -> Checkpoint:
    """Verify a signed checkpoint of the log ``origin`` and return it.

    Steps: (1) the note is well formed; (2) a key of ``verifiers`` signed it and no known
    key's signature fails; (3) the origin line is non-empty and equals ``origin``; (4) the
    size is canonical decimal; (5) the root is canonical base64 of 32 bytes; (6) nothing
    follows the root.
    """
    if not origin:
        raise ValueError("verify_checkpoint: expected origin is empty")
    # (1), (2): structure and signatures over the exact text.
    text, _ = open_note(note, verifiers)
    # (3)-(6): bind every field of what was signed.
    return _parse_body(text, origin)


def head_signature(checkpoint: Checkpoint, key: nacl.signing.SigningKey) -> bytes:
    """The bare 64-byte Ed25519 signature over ``checkpoint``'s text (what is anchored)."""
    return _sign(checkpoint.body(), "head", key).signature


def verify_head_signature(
    checkpoint: Checkpoint, signature: bytes, public_key: NodePublicKey
) -> None:
    """Check a bare 64-byte signature (as anchored on-chain) over ``checkpoint``'s text."""
    if not _ed25519_ok(checkpoint.body().encode(), signature, node_public_key(public_key)):
        raise InvalidSignature(
            f"head signature at size {checkpoint.size} of {checkpoint.origin!r} does not verify"
        )


def checkpoint_note(
    checkpoint: Checkpoint, signatures: Sequence[tuple[NoteVerifier, bytes]]
) -> str:
    """Rebuild the signed note of ``checkpoint`` from bare signatures (e.g. read on-chain).

    Signatures are not checked here; ``verify_checkpoint`` the result before trusting it.
    """
    if not signatures:
        raise ValueError("checkpoint_note: at least one signature is needed")
    lines = tuple(NoteSignature(v.name, v.key_id, bytes(sig)) for v, sig in signatures)
    return SignedNote(checkpoint.body(), lines).render()
