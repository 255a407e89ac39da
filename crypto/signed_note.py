"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys: text plus signature lines.

A signed note is a text ending in a newline, a blank line, then one line per signature,
``— <key name> <base64(key id ‖ Ed25519 signature)>``, the key id being the first 4 bytes
of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key). A witness co-signs by adding its own line over
the same text. The format is the transparency-log ecosystem's, so Go's ``sumdb/note`` reads
our notes as they are; :mod:`crypto.checkpoint` puts tree heads in them. Usage::

    from crypto.signed_note import NoteVerifier, open_note, sign_note

    note = sign_note("hello\n", "example.com/log", key)
    text, signers = open_note(note, [NoteVerifier("example.com/log", public_key_of(key))])

Signatures cover the note text itself, without a ``crypto.signing`` domain tag, as the
spec demands. They still cannot be confused with our domain-tagged signatures: every tag
ends in a NUL byte within its first 129 bytes, and note text may hold no control byte.

Parsers refuse every malformed input with :class:`~crypto.errors.MalformedNote` naming the
defect; a signature that does not verify, or a note no known key signed, raises
:class:`~crypto.errors.InvalidSignature`.
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

from crypto.errors import InvalidSignature, MalformedNote
from crypto.signing import SIGNATURE_SIZE, NodePublicKey, node_public_key, public_key_of

__all__ = [
    "CONTROL_CHARS",
    "MAX_SIGNATURES",
    "NoteSignature",
    "NoteVerifier",
    "SignedNote",
    "add_signature",
    "canonical_b64decode",
    "check_note_text",
    "ed25519_valid",
    "note_key_id",
    "open_note",
    "parse_note",
    "parse_verifier_key",
    "sign_note",
    "sign_text",
]

ALG_ED25519: Final = 0x01
MAX_SIGNATURES: Final = 100
"""Most signature lines read from one note (the limit Go's sumdb/note applies)."""
CONTROL_CHARS: Final = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
"""Control characters note text may not hold (newline aside)."""
_SIG_PREFIX: Final = "\u2014 "
_KEY_ID_SIZE: Final = 4


def _check_name(name: str, what: str = "key name") -> str:
    if not isinstance(name, str):
        raise TypeError(f"{what} must be str, got {type(name).__name__}")
    if not name or "+" in name or any(c.isspace() for c in name) or CONTROL_CHARS.search(name):
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
    raw = canonical_b64decode("verifier key", encoded)
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


def canonical_b64decode(what: str, text: str) -> bytes:
    """Decode standard base64 that is in canonical form, else MalformedNote naming ``what``."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedNote(f"malformed {what}: not standard base64") from exc
    if base64.b64encode(raw).decode() != text:
        raise MalformedNote(f"malformed {what}: base64 is not in canonical form")
    return raw


def check_note_text(text: str) -> str:
    """Return ``text`` if it can be a note's text: non-empty, newline-ended, no control byte."""
    if not isinstance(text, str):
        raise TypeError(f"note text must be str, got {type(text).__name__}")
    if not text.endswith("\n") or text == "\n":
        raise MalformedNote("malformed note: text must be non-empty and end with a newline")
    if CONTROL_CHARS.search(text):
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
    text, block = check_note_text(note[: split + 1]), note[split + 2 :]
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
        raw = canonical_b64decode(f"note: signature line {number}", blob)
        if len(raw) <= _KEY_ID_SIZE:
            raise MalformedNote(f"malformed note: signature line {number} is too short")
        signatures.append(NoteSignature(_check_name(name), raw[:4], raw[4:]))
    return SignedNote(text, tuple(signatures))


def sign_text(text: str, name: str, key: nacl.signing.SigningKey) -> NoteSignature:
    """The signature line of ``key`` under ``name`` over the note text ``text``."""
    signature = bytes(key.sign(check_note_text(text).encode()).signature)
    return NoteSignature(name, note_key_id(name, public_key_of(key)), signature)


def sign_note(text: str, name: str, key: nacl.signing.SigningKey) -> str:
    """Return ``text`` signed by ``key`` under ``name`` as a signed note."""
    return SignedNote(text, (sign_text(text, name, key),)).render()


def add_signature(note: str, name: str, key: nacl.signing.SigningKey) -> str:
    """Return ``note`` with one more signature line (a witness's cosignature) appended."""
    parsed = parse_note(note)
    return SignedNote(parsed.text, (*parsed.signatures, sign_text(parsed.text, name, key))).render()


def ed25519_valid(message: bytes, signature: bytes, public_key: NodePublicKey) -> bool:
    """Whether ``signature`` is ``public_key``'s over ``message``; callers raise on False."""
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
        if not ed25519_valid(message, sig.signature, verifier.public_key):
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
