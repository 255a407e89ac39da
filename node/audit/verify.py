"""The auditor's verifier: check a node's audit log against the ledger, independently.

Inputs are plain data and callables, so the same code runs over gRPC answers, a database
or test fixtures: the entries as ``(index, bytes)`` (an iterator of pages is fine), the
heads anchored on-chain with their witness cosignatures, the node's registered key and
origin, the heads the node serves, and optionally other nodes' exchange entries. Usage::

    report = verify_log(log.iter_entries(), anchored_heads_from_events(events, "JS"),
                        LogIdentity("JS", audit_origin("JS"), js_key),
                        served_heads=[log.latest_checkpoint().note],
                        witness_keys=member_keys, consistency_proof=log.consistency_proof,
                        inclusion_proof=log.inclusion_proof)
    if not report.ok: ...   # report.problems: [(code, detail)]

Nothing the node says is trusted unless a signature by its registered key (or the chain)
vouches for it; every problem found is listed, none stops the others being looked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from crypto.checkpoint import Checkpoint, verify_checkpoint, verify_head_signature
from crypto.errors import InvalidSignature, MalformedNote, OriginMismatch
from crypto.merkle import verify_consistency
from crypto.signed_note import NoteVerifier
from crypto.signing import NodePublicKey
from node.audit.exchanges import ExchangeSide, mismatched_exchanges, one_sided_exchanges
from node.audit.heads import AnchoredHead
from node.audit.replay import Prover, Target, replay_entries
from node.audit.report import ProblemCode, Problems, VerifyReport, WitnessFault

__all__ = ["ConsistencyProver", "LogIdentity", "valid_cosigners", "verify_log"]

ConsistencyProver = Callable[[int, int], Sequence[bytes]]
"""``prove(size1, size2)``: the node's consistency proof between two tree sizes."""


@dataclass(frozen=True, slots=True)
class LogIdentity:
    """Whose log is checked: the province, its log's origin and its registered node key."""

    province: str
    origin: str
    public_key: NodePublicKey

    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self.origin, self.public_key)


def verify_log(
    entries: Iterable[tuple[int, bytes]],
    anchored: Sequence[AnchoredHead],
    log: LogIdentity,
    *,
    served_heads: Sequence[str] = (),
    witness_keys: Mapping[str, NodePublicKey] | None = None,
    consistency_proof: ConsistencyProver | None = None,
    inclusion_proof: Prover | None = None,
    peer_exchanges: Mapping[str, Iterable[ExchangeSide]] | None = None,
    min_witnesses: int = 0,
    max_unanchored: int | None = None,
    strict_entries: bool = False,
    localize_budget: int = 4096,
) -> VerifyReport:
    """Verify ``log``'s audit log; return every problem found (see ``ProblemCode``).

    Steps: (1) each anchored head is signed by the node's key; (2) successive anchored
    heads are consistent (proofs from ``consistency_proof``; without it, step 4 implies
    it); (3) each served head is signed, is no fork of an anchored or another served head,
    is consistent with the latest anchor and not older than it; (4) the entries, replayed,
    give every anchored and served root (edited, deleted, swapped entries); (5) witness
    cosignatures verify under other members' keys, at least ``min_witnesses`` per head;
    (6) each exchange is logged by both ends (``peer_exchanges``: other provinces'
    exchange entries); (7) anchors cover the log (none missing, at most ``max_unanchored``
    entries past the latest).
    """
    problems = Problems()
    heads = sorted(anchored, key=lambda h: (h.block_number, h.size))
    targets: dict[int, Target] = {}

    # (1): the node's key signed every anchored head.
    for head in heads:
        what = f"anchored head at size {head.size} (block {head.block_number})"
        try:
            verify_head_signature(head.checkpoint(log.origin), head.signature, log.public_key)
        except (InvalidSignature, MalformedNote) as exc:
            problems.add(ProblemCode.HEAD_SIGNATURE_INVALID, f"{what}: {exc}")
        known = targets.get(head.size)
        if known is not None and known.root != head.root:
            problems.add(ProblemCode.FORK, f"{what} has root {head.root.hex()}, but "
                         f"{known.what} has root {known.root.hex()}")
        targets.setdefault(head.size, Target(head.size, head.root, what))

    # (2): each anchored head extends the one before it.
    _check_sequence(heads, consistency_proof, problems)

    # (3): the heads the node serves agree with what it anchored.
    served = _served_checkpoints(served_heads, log, problems)
    for checkpoint in served:
        what = f"served head at size {checkpoint.size}"
        known = targets.get(checkpoint.size)
        if known is not None and known.root != checkpoint.root:
            problems.add(ProblemCode.FORK, f"{what} has root {checkpoint.root.hex()}, but "
                         f"{known.what} has root {known.root.hex()}")
        targets.setdefault(checkpoint.size, Target(checkpoint.size, checkpoint.root, what))
    if served and heads:
        _check_latest(max(served, key=lambda c: c.size), heads[-1], consistency_proof,
                      problems)

    # (4): the entries rebuild every signed root.
    replay = replay_entries(entries, targets, log.province, problems, prove=inclusion_proof,
                            localize_budget=localize_budget, strict=strict_entries)

    # (5): witnesses are other members and their cosignatures verify.
    witnessed, faults = _check_witnesses(heads, log, witness_keys or {}, min_witnesses,
                                         problems)

    # (6): every exchange appears at both ends.
    logs = {province: list(sides) for province, sides in (peer_exchanges or {}).items()}
    logs[log.province] = replay.exchanges
    for side in one_sided_exchanges(logs):
        if log.province in (side.province, side.peer):
            mirror = "exchange_in" if side.action.value == "exchange_out" else "exchange_out"
            problems.add(ProblemCode.ONE_SIDED_EXCHANGE,
                         f"{side.action.value} of {side.province} with {side.peer} (request "
                         f"{side.request_id!r}, entry {side.index}) has no {mirror} in "
                         f"{side.peer}'s log")
    for mismatch in mismatched_exchanges(logs):
        if log.province in (mismatch.sent[0].province, mismatch.sent[0].peer):
            problems.add(ProblemCode.EXCHANGE_MISMATCH, mismatch.describe())

    # (7): the log is anchored, and not too far behind.
    latest = heads[-1].size if heads else 0
    if replay.count and not heads:
        problems.add(ProblemCode.MISSING_ANCHOR,
                     f"{replay.count} entries but no head of this log is anchored")
    elif max_unanchored is not None and replay.count - latest > max_unanchored:
        problems.add(ProblemCode.MISSING_ANCHOR,
                     f"{replay.count - latest} entries past the latest anchored size "
                     f"{latest}, want at most {max_unanchored}")

    found = problems.finish()
    return VerifyReport(ok=not found, checked_entries=replay.count, anchored_heads=len(heads),
                        latest_anchored_size=latest, problems=found, witnessed=witnessed,
                        witness_faults=faults)


def _consistent(size1: int, root1: bytes, size2: int, root2: bytes,
                prove: ConsistencyProver) -> str | None:
    """``None`` if the node proves (size2, root2) extends (size1, root1), else why not."""
    try:
        verify_consistency(size1, size2, prove(size1, size2), root1, root2)
    except Exception as exc:  # the prover is the audited node: any failure counts
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_sequence(heads: Sequence[AnchoredHead], prove: ConsistencyProver | None,
                    problems: Problems) -> None:
    for before, after in pairwise(heads):
        if after.size < before.size:
            problems.add(ProblemCode.INCONSISTENT_HEADS,
                         f"anchored size went down from {before.size} to {after.size} "
                         f"(block {after.block_number})")
        elif prove is not None and 0 < before.size < after.size:
            why = _consistent(before.size, before.root, after.size, after.root, prove)
            if why is not None:
                problems.add(ProblemCode.INCONSISTENT_HEADS,
                             f"anchored head at size {after.size} does not extend the one "
                             f"at size {before.size}: {why}")


def _served_checkpoints(notes: Sequence[str], log: LogIdentity,
                        problems: Problems) -> list[Checkpoint]:
    checkpoints = []
    for number, note in enumerate(notes, 1):
        try:
            checkpoints.append(verify_checkpoint(note, log.origin, [log.verifier()]))
        except InvalidSignature as exc:
            problems.add(ProblemCode.HEAD_SIGNATURE_INVALID, f"served head #{number}: {exc}")
        except (MalformedNote, OriginMismatch) as exc:
            problems.add(ProblemCode.HEAD_MALFORMED, f"served head #{number}: {exc}")
    return checkpoints


def _check_latest(served: Checkpoint, anchor: AnchoredHead, prove: ConsistencyProver | None,
                  problems: Problems) -> None:
    if served.size < anchor.size:
        problems.add(ProblemCode.STALE_HEAD,
                     f"the node serves size {served.size}, older than its anchored size "
                     f"{anchor.size}")
    if prove is None or served.size == anchor.size or min(served.size, anchor.size) == 0:
        return
    small, large = sorted([(served.size, served.root), (anchor.size, anchor.root)])
    why = _consistent(small[0], small[1], large[0], large[1], prove)
    if why is not None:
        problems.add(ProblemCode.FORK,
                     f"served head at size {served.size} and anchored head at size "
                     f"{anchor.size} are not one log: {why}")


def valid_cosigners(head: AnchoredHead, log: LogIdentity, keys: Mapping[str, NodePublicKey]
                    ) -> tuple[frozenset[str], list[WitnessFault]]:
    """The member provinces (other than the log's) whose cosignature on ``head`` verifies
    under their registered key, and a fault for each cosignature that does not."""
    checkpoint, valid, faults = head.checkpoint(log.origin), set(), []
    for cosig in head.cosignatures:
        where = f"cosignature by {cosig.province} on size {head.size}"
        if cosig.province == log.province or cosig.province not in keys:
            faults.append(WitnessFault(cosig.province, head.size, ProblemCode.WITNESS_NOT_MEMBER,
                                       f"{where}: a witness must be another member province"))
            continue
        try:
            verify_head_signature(checkpoint, cosig.signature, keys[cosig.province])
        except InvalidSignature as exc:
            faults.append(WitnessFault(cosig.province, head.size,
                                       ProblemCode.WITNESS_SIGNATURE_INVALID, f"{where}: {exc}"))
            continue
        valid.add(cosig.province)
    return frozenset(valid), faults


def _check_witnesses(heads: Sequence[AnchoredHead], log: LogIdentity,
                     keys: Mapping[str, NodePublicKey], minimum: int, problems: Problems
                     ) -> tuple[tuple[tuple[int, frozenset[str]], ...], tuple[WitnessFault, ...]]:
    witnessed, faults = [], []
    for head in heads:
        valid, wrong = valid_cosigners(head, log, keys)
        witnessed.append((head.size, valid))
        faults.extend(wrong)
        if len(valid) < minimum:
            problems.add(ProblemCode.UNWITNESSED_HEAD,
                         f"anchored head at size {head.size} has {len(valid)} valid "
                         f"cosignatures, want at least {minimum}")
    return tuple(witnessed), tuple(faults)
