"""Verifying a query answer offline: the agency's side of ``node.exchange.verify``.

An answered record (the JSON ``credit-node query`` prints and ``credit-node report``
embeds) goes through the receiver's numbered steps, adapted to what an answer carries:

1. the shown record agrees with its disclosure: the envelope fields printed beside it are
   the disclosed envelope's, every shown payload value is a disclosed field's (a masked ID
   number is its ``X#masked`` display), and the subject identifier it shows is the
   answer's subject (so a record cannot be moved into another subject's answer);
2. the origin is an active member and its node key is read from the ledger;
3. the batch header names the origin and its signature verifies with that key;
4. the commitment is recomputed from the disclosed envelope, fields and salts and the
   withheld digests, must equal the one the answer names, and — as the v2 leaf
   ``0x02 ‖ commitment`` — is leaf ``leaf_index`` of the header's tree, whose size the
   answer names too;
5. the ledger holds the anchor of exactly that root and size by the origin's account.

Steps (2)-(5) are ``verify_batch_proof``, the very code that checks records pulled from
peers. A foreign record relayed by another node is checked against its origin's header,
so the relay cannot alter it. A record committed under scheme v1 (before v2) carries no
disclosure: steps (2)-(5) prove its commitment, ``fields_bound`` is False, and no shown
field is proven; a v2 leaf cannot be passed off as v1 (its leaf bytes differ).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crypto.canonical import JsonValue
from crypto.disclosure import SCHEME_V1, SCHEME_V2, field_digest, record_commitment
from crypto.errors import CanonicalEncodingError
from crypto.tokens import normalize_identifier
from node.domain.fields import SUBJECT_FIELDS
from node.domain.identifiers import mask
from node.exchange.answer_receipt import check_receipt
from node.exchange.chain_facts import ChainFacts, ChainReader
from node.exchange.errors import VerificationFailed
from node.exchange.transit import AnchorRef, AnchorTarget
from node.exchange.verify import fail, verify_batch_proof
from node.service.disclosure import MASKED_SUFFIX

__all__ = ["AnswerVerifier", "AnsweredProof", "check_record", "verify_record"]

_SHOWN_ENVELOPE = ("province", "record_no", "kind", "local_category")


@dataclass(frozen=True)
class AnsweredProof:
    """One answered record, parsed: the proof and (scheme v2) the disclosure."""

    province: str
    record_no: str
    commitment: bytes
    leaf_index: int
    tree_size: int | None
    inclusion_proof: tuple[bytes, ...]
    batch_header: bytes
    header_signature: bytes
    anchor: AnchorRef
    scheme: int
    shown: Mapping[str, Any]
    payload: Mapping[str, Any]
    envelope: Mapping[str, JsonValue]
    fields: Mapping[str, tuple[bytes, JsonValue]]
    withheld: tuple[bytes, ...]

    @classmethod
    def from_json(cls, record: Mapping[str, Any]) -> AnsweredProof:
        """Parse one answered record; KeyError, ValueError or TypeError when malformed."""
        proof, anchor = record["proof"], record["proof"]["anchor"]
        scheme = int(record.get("scheme") or SCHEME_V1)
        envelope: dict[str, JsonValue] = {}
        fields: dict[str, tuple[bytes, JsonValue]] = {}
        withheld: tuple[bytes, ...] = ()
        if scheme == SCHEME_V2:
            disclosure = record["disclosure"]
            envelope = dict(disclosure["envelope"])
            fields = {str(name): (bytes.fromhex(item["salt"]), item["value"])
                      for name, item in dict(disclosure["fields"]).items()}
            withheld = tuple(bytes.fromhex(h) for h in disclosure["withheld"])
        elif scheme != SCHEME_V1:
            raise ValueError(f"scheme {scheme} is not 1 or 2")
        tree_size = proof.get("tree_size")
        return cls(
            province=str(record["province"]), record_no=str(record.get("record_no", "")),
            commitment=bytes.fromhex(record["commitment"]),
            leaf_index=int(proof["leaf_index"]),
            tree_size=None if tree_size is None else int(tree_size),
            inclusion_proof=tuple(bytes.fromhex(h) for h in proof["inclusion_proof"]),
            batch_header=str(proof["batch_header"]).encode("ascii"),
            header_signature=bytes.fromhex(proof["header_signature"]),
            anchor=AnchorRef(chain_id=int(anchor["chain_id"]),
                             contract=bytes.fromhex(str(anchor["contract"]).removeprefix("0x")),
                             tx_hash=bytes.fromhex(str(anchor["tx_hash"]).removeprefix("0x")),
                             block_number=int(anchor["block_number"]), seq=int(anchor["seq"])),
            scheme=scheme, shown={k: record.get(k) for k in _SHOWN_ENVELOPE},
            payload=dict(record.get("payload") or {}), envelope=envelope, fields=fields,
            withheld=withheld)


def _shown_agrees(proof: AnsweredProof) -> None:
    # (1): every shown value is a disclosed one.
    for name in _SHOWN_ENVELOPE:
        if proof.shown.get(name) != proof.envelope.get(name):
            fail(1, f"shown {name!r} differs from the disclosed envelope's")
    for name, value in proof.payload.items():
        if name in proof.envelope:
            disclosed: object = proof.envelope[name]
        elif name in proof.fields:
            disclosed = proof.fields[name][1]
        elif name + MASKED_SUFFIX in proof.fields:
            disclosed = proof.fields[name + MASKED_SUFFIX][1]
        else:
            fail(1, f"shown field {name!r} is not disclosed")
        if value != disclosed:
            fail(1, f"shown field {name!r} differs from its disclosed value")


def _same_subject(proof: AnsweredProof, subject: str) -> None:
    # (1): the record is about the answer's subject.
    codes = SUBJECT_FIELDS.get(str(proof.envelope.get("kind")))
    if codes is None:
        fail(1, "the disclosed envelope names no known record kind")
    _, uscc, _, id_number, _ = codes
    full = {str(proof.fields[c][1]) for c in (uscc, id_number) if c in proof.fields}
    masked = proof.fields.get(id_number + MASKED_SUFFIX)
    if not full and masked is None:
        fail(1, "no subject identifier is disclosed: the record cannot be bound to the subject")
    if "*" in subject:
        if subject in {mask(v) for v in full} | ({str(masked[1])} if masked else set()):
            return
    elif full:
        if normalize_identifier(subject) in {normalize_identifier(v) for v in full}:
            return
    elif masked is not None and mask(normalize_identifier(subject)) == masked[1]:
        return
    shown = sorted(mask(v) for v in full) or [str(masked[1]) if masked else ""]
    wanted = subject if "*" in subject else mask(subject)
    fail(1, f"the record's subject ({', '.join(shown)}) is not the answer's subject ({wanted})")


def _recomputed(proof: AnsweredProof) -> bytes:
    # (4): the commitment from what is shown, and the size the answer names.
    try:
        digests = [field_digest(salt, name, value) for name, (salt, value) in proof.fields.items()]
        commitment = record_commitment(proof.envelope, [*digests, *proof.withheld])
    except (CanonicalEncodingError, ValueError, TypeError) as exc:
        fail(4, f"commitment cannot be recomputed from the disclosure: {exc}")
    if not hmac.compare_digest(commitment, proof.commitment):
        fail(4, f"commitment recomputed from the disclosed fields is {commitment.hex()}, the "
                f"answer names {proof.commitment.hex()}")
    return commitment


class AnswerVerifier:
    """Steps (1)-(5) for the records of query answers, against the ledger ``reader`` reads
    (deployed on chain ``chain_id`` with ``contracts``); ledger reads and header
    signatures are cached across records as for a page of pulled records."""

    def __init__(self, reader: ChainReader, *, chain_id: int,
                 contracts: Mapping[str, str]) -> None:
        self._chain = ChainFacts(reader)
        self._target = AnchorTarget.from_config(chain_id, dict(contracts))
        self._headers: set[tuple[bytes, bytes, bytes]] = set()

    def check(self, proof: AnsweredProof, subject: str | None = None) -> None:
        """Raises ``VerificationFailed`` (with the step) and ``ChainUnavailable``."""
        if proof.scheme == SCHEME_V2:
            _shown_agrees(proof)
            if subject:
                _same_subject(proof, subject)
            leaf = lambda: _recomputed(proof)  # noqa: E731
        else:
            leaf = lambda: proof.commitment  # noqa: E731
        header, _ = verify_batch_proof(proof, leaf, scheme=proof.scheme, chain=self._chain,
                                       target=self._target, verified_headers=self._headers)
        if proof.tree_size is not None and proof.tree_size != header.tree_size:
            fail(4, f"the answer names tree size {proof.tree_size}, the signed header "
                    f"{header.tree_size}")

    def check_receipt(self, receipt: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The verdict on the answer's signed receipt (``node.exchange.answer_receipt``);
        None when the answer carries none. Raises ``ChainUnavailable``."""
        if not receipt or "signed_receipt" not in receipt:
            return None
        return check_receipt(receipt, self._chain)


def check_record(record: Mapping[str, Any], verifier: AnswerVerifier,
                 subject: str | None = None) -> dict[str, Any]:
    """One answered record's verdict: record_no, province, scheme, ``fields_bound``, the
    failing step (None: passed or unreadable) and problems (empty when it verifies).
    Raises ``ChainUnavailable``."""
    report: dict[str, Any] = {"record_no": record.get("record_no", ""),
                              "province": record.get("province", ""),
                              "scheme": record.get("scheme") or SCHEME_V1, "step": None}
    try:
        proof = AnsweredProof.from_json(record)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        return {**report, "fields_bound": False,
                "problems": [f"malformed answered record: {type(exc).__name__}: {exc}"]}
    report["fields_bound"] = proof.scheme == SCHEME_V2
    try:
        verifier.check(proof, subject)
    except VerificationFailed as exc:
        return {**report, "step": exc.step,
                "problems": [f"record {report['province']} {report['record_no']}: {exc}"]}
    return {**report, "problems": []}


def verify_record(record: Mapping[str, Any], verifier: AnswerVerifier,
                  subject: str | None = None) -> list[str]:
    """The problems of one answered record (empty when it verifies), each naming the
    record and the failing step. Raises ``ChainUnavailable``."""
    problems: list[str] = check_record(record, verifier, subject)["problems"]
    return problems
