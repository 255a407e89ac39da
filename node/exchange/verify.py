"""Receiver verification: is this record what its origin committed to under our standard?

Steps (each marked ``# (n):`` in :func:`verify_proven`; a failure raises
:class:`VerificationFailed` with the step and a reason free of personal data):

1. the envelope's province is the peer's (the caller's certificate province for a push,
   the dialled peer for a pull); the payload is canonical form v1 of a valid record
   whose province, record_no, kind, local category, severity, rule version and
   publication date are the envelope's;
2. the origin is an active member and its Ed25519 node key is read from the ledger;
3. the batch header parses, names the origin, and its signature verifies with that key;
4. the commitment of the payload under the record's scheme (v1: ``commit_canonical(payload,
   salt)``; v2: per-field digests from the seed, ``node.service.disclosure``) is leaf
   ``leaf_index`` — as ``leaf_data(scheme, commitment)`` — of the tree of
   ``header.tree_size`` leaves whose root is ``header.root`` (RFC 9162 inclusion);
5. the anchor reference names our ledger and the header's seq, and the ledger says the
   origin's account anchored exactly ``(province, seq, root, tree_size)``;
6. ``header.catalog_version`` is adopted on-chain and, under it, the origin's published
   mapping files its local category under the envelope's shared category, of the
   record's kind (:class:`CategoryCheck`).

Steps (2)-(5) bind a record's commitment to what its origin anchored: the signature by
the origin's registered key, the origin named in the header, the tree size and root the
header signs, the inclusion of the leaf in that tree, and the anchor of that very root
and size by the origin's account. They are :func:`verify_batch_proof`, the one path for
every proof this node believes: a peer's :class:`Proven` (with its payload, steps 1 and 6
around it) and a record of a query answer (``node.exchange.answers``, which
``credit-node verify-answer``, ``credit-node report`` and the demo run: there step 1 checks
the shown record against its disclosure and step 4 recomputes the commitment from the
disclosed fields, their salts and the withheld digests).

Nothing here writes: the caller (``receive.py``) quarantines or stores. A ledger that
cannot be asked raises :class:`ChainUnavailable` — not a verdict on the record.
"""

from __future__ import annotations

from collections.abc import Callable, MutableSet, Sequence
from dataclasses import dataclass
from typing import NoReturn, Protocol

from crypto.batch_header import BatchHeader, verify_header
from crypto.canonical import MAX_SAFE_INTEGER, JsonValue, decode_canonical
from crypto.disclosure import leaf_data
from crypto.errors import CanonicalEncodingError, InvalidSignature, MalformedHeader
from crypto.merkle import MerkleError, hash_leaf, verify_inclusion
from node.domain.records import Record, RecordParseError, parse_record, subject_identifier
from node.exchange.categories import CategoryCheck
from node.exchange.chain_facts import ChainFacts
from node.exchange.errors import VerificationFailed
from node.exchange.transit import AnchorRef, AnchorTarget, Proven
from node.service.disclosure import commitment_of_decoded

__all__ = [
    "BatchProof",
    "Verified",
    "fail",
    "verify_batch_proof",
    "verify_proven",
]

_ENVELOPE_FIELDS = ("province", "record_no", "kind", "local_category", "severity",
                    "rule_version")


@dataclass(frozen=True)
class Verified:
    """A record that passed every step, with what the steps established."""

    item: Proven
    document: dict[str, JsonValue]
    record: Record
    subject_id: str
    commitment: bytes
    header: BatchHeader


class BatchProof(Protocol):
    """What ties a commitment to an anchored batch: a :class:`Proven` is one."""

    @property
    def province(self) -> str: ...

    @property
    def leaf_index(self) -> int: ...

    @property
    def inclusion_proof(self) -> Sequence[bytes]: ...

    @property
    def batch_header(self) -> bytes: ...

    @property
    def header_signature(self) -> bytes: ...

    @property
    def anchor(self) -> AnchorRef: ...


def fail(step: int, reason: str) -> NoReturn:
    """Raise :class:`VerificationFailed` at ``step``."""
    raise VerificationFailed(step, reason)


_fail = fail


def _payload(item: Proven, peer: str) -> tuple[dict[str, JsonValue], Record, str]:
    if item.province != peer:
        _fail(1, f"envelope names province {item.province[:8]!r}, but the peer is {peer}")
    if not 0 < len(item.record_no) <= 64:
        _fail(1, f"record_no has {len(item.record_no)} characters, want 1..64")
    try:
        document = decode_canonical(item.payload)
    except CanonicalEncodingError as exc:
        _fail(1, f"payload: {exc}")
    for name in _ENVELOPE_FIELDS:
        if document.get(name) != getattr(item, name):
            _fail(1, f"payload field {name!r} differs from the envelope's")
    if document.get("publish_date", "") != item.publish_date:
        _fail(1, "payload field 'publish_date' differs from the envelope's")
    try:
        record = parse_record(dict(document))
        subject = subject_identifier(record)
    except (RecordParseError, ValueError) as exc:
        _fail(1, f"payload is not a valid {item.kind or 'record'}: {exc}")
    return document, record, subject


def _header(item: BatchProof, chain: ChainFacts, verified: MutableSet[tuple[bytes, bytes, bytes]]
            ) -> BatchHeader:
    # (2): the origin's registered node key, from the ledger.
    origin = chain.origin_key(item.province)
    if origin is None:
        _fail(2, f"{item.province} is not an active member on the ledger")
    # (3): the header, bound to the origin, signed with that key.
    try:
        header = BatchHeader.from_json(item.batch_header)
    except (MalformedHeader, TypeError) as exc:
        _fail(3, str(exc))
    if header.province != item.province:
        _fail(3, f"batch header names province {header.province}, not {item.province}")
    memo = (item.batch_header, item.header_signature, origin.node_key)
    if memo not in verified:
        try:
            verify_header(header, item.header_signature, origin.node_key)
        except (InvalidSignature, ValueError) as exc:
            _fail(3, f"header signature does not verify with the registered node key: {exc}")
        verified.add(memo)
    return header


def _commitment(item: Proven, document: dict[str, JsonValue]) -> bytes:
    try:  # from step 1's decoded (and so proven canonical) payload: not parsed again
        return commitment_of_decoded(item.scheme, item.payload, document, item.salt)
    except (TypeError, ValueError) as exc:
        _fail(4, f"commitment (scheme v{item.scheme}): {exc}")


def _included(item: BatchProof, scheme: int, commitment: bytes, header: BatchHeader) -> None:
    try:
        leaf = hash_leaf(leaf_data(scheme, commitment))
    except ValueError as exc:
        _fail(4, f"leaf of scheme {scheme}: {exc}")
    try:
        verify_inclusion(item.leaf_index, header.tree_size, leaf,
                         list(item.inclusion_proof), header.root)
    except MerkleError as exc:
        _fail(4, f"inclusion proof of leaf {item.leaf_index} in batch {header.seq} "
                 f"(size {header.tree_size}): {exc}")


def _anchored(item: BatchProof, header: BatchHeader, chain: ChainFacts,
              target: AnchorTarget) -> None:
    ref = item.anchor
    if ref.seq != header.seq:
        _fail(5, f"anchor reference names seq {ref.seq}, the header seq {header.seq}")
    if len(ref.tx_hash) not in (0, 32) or ref.block_number > MAX_SAFE_INTEGER:
        _fail(5, f"anchor reference: tx_hash has {len(ref.tx_hash)} bytes (want 32) or "
                 f"block number {ref.block_number} is out of range")
    if ref.chain_id != target.chain_id or ref.contract != target.contract:
        _fail(5, f"anchor reference names chain {ref.chain_id} contract 0x{ref.contract.hex()}"
                 f", want chain {target.chain_id} contract 0x{target.contract.hex()}")
    origin = chain.origin_key(item.province)
    if origin is None or not chain.anchored_by(item.province, header.seq, header.root,
                                               header.tree_size, origin.account):
        _fail(5, f"the ledger holds no anchor of {item.province} batch {header.seq} with root "
                 f"{header.root.hex()} and size {header.tree_size} by the {item.province} "
                 f"account")


def _recognized(item: Proven, header: BatchHeader, chain: ChainFacts,
                categories: CategoryCheck) -> None:
    version = header.catalog_version
    if not chain.catalog_adopted(version):
        _fail(6, f"catalog version {version} is not adopted on the ledger")
    refusal = categories.check(item.province, item.local_category, item.shared_category,
                               version, kind=item.kind)
    if refusal is not None:
        _fail(6, refusal)


def verify_batch_proof(item: BatchProof, commitment: Callable[[], bytes], *, scheme: int,
                       chain: ChainFacts, target: AnchorTarget,
                       verified_headers: MutableSet[tuple[bytes, bytes, bytes]] | None = None,
                       ) -> tuple[BatchHeader, bytes]:
    """Run steps (2)-(5) of the module doc; the signed header and the commitment.

    ``commitment`` is asked for only once steps (2) and (3) passed (deriving it from a
    payload or a disclosure is part of step 4); ``scheme`` says how it sits in its leaf.
    ``verified_headers`` memoizes signature checks across one page (same header, same
    signature, same key). Raises ``VerificationFailed`` and
    ``ChainUnavailable``.
    """
    memo: MutableSet[tuple[bytes, bytes, bytes]] = (
        set() if verified_headers is None else verified_headers)
    # (2), (3): the origin's key from the ledger; the header signed with it.
    header = _header(item, chain, memo)
    # (4): the commitment is in the signed tree.
    leaf = commitment()
    _included(item, scheme, leaf, header)
    # (5): the signed root is anchored by the origin.
    _anchored(item, header, chain, target)
    return header, leaf


def verify_proven(item: Proven, *, peer: str, chain: ChainFacts, categories: CategoryCheck,
                  target: AnchorTarget,
                  verified_headers: MutableSet[tuple[bytes, bytes, bytes]] | None = None,
                  ) -> Verified:
    """Run steps (1)-(6) of the module doc on ``item`` received from province ``peer``.

    ``verified_headers`` memoizes signature checks across one page (same header, same
    signature, same key). Raises ``VerificationFailed`` and ``ChainUnavailable``.
    """
    # (1): the envelope is the peer's and agrees with a canonical, valid payload.
    document, record, subject = _payload(item, peer)
    # (2)-(5): the commitment of the payload is in a tree the origin signed and anchored.
    header, commitment = verify_batch_proof(item, lambda: _commitment(item, document),
                                            scheme=item.scheme, chain=chain, target=target,
                                            verified_headers=verified_headers)
    # (6): under an adopted catalog version, the category is recognized.
    _recognized(item, header, chain, categories)
    return Verified(item, document, record, subject, commitment, header)
