"""The requester's side of private list matching: blind, evaluate, verify, unblind, test.

For each responder: (1) every subject is blinded with a fresh scalar and the blinded
elements go out in batches over one stream; (2) each answer must name the public key
committed on-chain for that responder and carry a DLEQ proof that verifies against it
(``crypto.oprf.finalize_batch``), so the responder cannot evaluate this requester's
subjects under a key of its own choosing; (3) the outputs are unblinded; (4) the
responder's token set (every listed subject's output, same key) is downloaded and each
output looked up locally. The responder sees only blinded elements and their number.
Usage::

    result = match_subjects(subjects, peer, committed_key, purpose="match", request_id=rid)
    result.listed[i]      # shared categories under which subject i is listed (or ())
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from crypto import oprf
from node.service.errors import ServiceError
from node.service.matching import MAX_EVAL_BATCH
from node.service.matching_tokens import oprf_input

__all__ = ["EvaluatedBatch", "MatchResult", "MatchVerificationFailed", "MatchingPeer",
           "match_subjects"]


class MatchVerificationFailed(ServiceError):
    """A responder's answer does not check out against its on-chain key commitment."""


@dataclass(frozen=True)
class EvaluatedBatch:
    """A responder's answer to one batch, as received."""

    evaluated: tuple[bytes, ...]
    proof: bytes
    public_key: bytes


class MatchingPeer(Protocol):
    """A responder's MatchingService, as the requester needs it (node.grpc implements it)."""

    def evaluate(self, batches: Iterable[Sequence[bytes]], *, purpose: str,
                 request_id: str) -> Iterator[EvaluatedBatch]:
        """One answer per batch, in order, over one stream."""
        ...

    def token_set(self, *, purpose: str, request_id: str
                  ) -> Iterator[tuple[bytes, str, bytes]]:
        """Every (token, shared category, public key of its page) of the token set."""
        ...


@dataclass(frozen=True)
class MatchResult:
    """Per subject (input order) the shared categories it is listed under, and figures."""

    listed: list[tuple[str, ...]]
    evaluations: int
    batches: int
    token_set_size: int
    seconds: float


def _same_key(given: bytes, committed: bytes, what: str) -> None:
    if not hmac.compare_digest(given, committed):
        raise MatchVerificationFailed(
            f"{what} names OPRF key {given[:8].hex()}…, but the key committed on-chain is "
            f"{committed[:8].hex()}…")


def match_subjects(subjects: Sequence[str], peer: MatchingPeer, committed_key: bytes, *,
                   purpose: str, request_id: str, batch_size: int = 1024) -> MatchResult:
    """Steps (1)-(4) of the module doc against one responder whose on-chain commitment
    is ``committed_key``. Raises MatchVerificationFailed when a proof or key is wrong."""
    if not 0 < batch_size <= MAX_EVAL_BATCH:
        raise ValueError(f"batch_size: got {batch_size}, want 1..{MAX_EVAL_BATCH}")
    started = time.monotonic()
    inputs = [oprf_input(s) for s in subjects]
    chunks = [inputs[i:i + batch_size] for i in range(0, len(inputs), batch_size)]
    # (1): blinds stay here; only blinded elements leave.
    blinded_chunks = [oprf.blind_batch(chunk) for chunk in chunks]
    outputs: list[bytes] = []
    answers = peer.evaluate((blinded for _, blinded in blinded_chunks), purpose=purpose,
                            request_id=request_id)
    received = 0
    for (blinds, blinded), chunk, answer in zip(blinded_chunks, chunks, answers, strict=False):
        received += 1
        # (2): the key the responder claims must be the committed one; the proof is
        # checked against the committed key, never against the claimed one.
        _same_key(answer.public_key, committed_key, f"evaluation batch {received}")
        try:
            # (3)
            outputs.extend(oprf.finalize_batch(chunk, blinds, blinded, oprf.BatchEvaluation(
                answer.evaluated, answer.proof), committed_key))
        except (oprf.InvalidProof, oprf.InvalidElement, ValueError) as exc:
            raise MatchVerificationFailed(f"evaluation batch {received}: {exc}") from exc
    if received != len(chunks):
        raise MatchVerificationFailed(f"the responder answered {received} of {len(chunks)} "
                                      "batches")
    # (4): membership tested here, on the whole token set.
    categories: dict[bytes, set[str]] = {}
    size = 0
    for token, category, page_key in peer.token_set(purpose=purpose, request_id=request_id):
        _same_key(page_key, committed_key, "the token set")
        categories.setdefault(token, set()).add(category)
        size += 1
    listed = [tuple(sorted(categories.get(out, ()))) for out in outputs]
    return MatchResult(listed, len(inputs), len(chunks), size, time.monotonic() - started)
