"""The demo's private matching step (匿踪查询): one province reviews subjects against the
other three provinces' serious-dishonesty lists without telling them whom it reviews.

1. the review list: the requester's own subjects (up to 1,000, from its workload) plus a
   few subjects listed at each other province (a firm from elsewhere bidding in its
   procurement), shuffled;
2. ``node.devnet.matching``: per responder, the on-chain OPRF key commitment, batches of
   blinded subjects over one gRPC stream, each batch's DLEQ proof checked against that
   commitment, the responder's token set downloaded and membership tested locally;
3. every answer is compared with the truth known from the workloads (exact: no subject
   missed, none extra); the figures come back from the nodes (token set sizes, how many
   evaluations each responder answered).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable

from node.devnet.demo import DemoFailed, DemoRun
from node.devnet.errors import ConsortiumError
from node.devnet.matching import match_in_consortium
from node.domain.records import DishonestyEntry, parse_record, subject_identifier
from node.grpc.calls import CallFailed
from node.service.matching_requester import MatchVerificationFailed
from node.service.matching_tokens import oprf_input

__all__ = ["matching_step"]

OWN_SUBJECTS = 1000
FROM_EACH_OTHER = 3


def _subjects(lines: Iterable[str], listed_only: bool) -> list[str]:
    out: list[str] = []
    for line in lines:
        record = parse_record(json.loads(line))
        if not listed_only or isinstance(record, DishonestyEntry):
            out.append(oprf_input(subject_identifier(record)).decode())
    return list(dict.fromkeys(out))


def matching_step(run: DemoRun) -> list[str]:
    """Steps (1)-(3) of the module doc; DemoFailed on any wrong or unproved answer."""
    doc = run.consortium()
    provinces = list(doc.provinces)
    requester, responders = provinces[0], provinces[1:]
    listed_at = {p: set(_subjects(run.workloads[p].lines, True)) for p in responders}
    rng = random.Random(14)  # noqa: S311 - a reproducible shuffle, not a secret
    review = _subjects(run.workloads[requester].lines, False)[:OWN_SUBJECTS]
    for p in responders:
        review.extend(sorted(listed_at[p])[:FROM_EACH_OTHER])
    review = list(dict.fromkeys(review))
    rng.shuffle(review)
    try:
        found = match_in_consortium(doc, requester, responders, review,
                                    timeout=run.options.timeout)
    except (ConsortiumError, CallFailed, MatchVerificationFailed) as exc:
        raise DemoFailed(f"private matching failed: {exc}") from exc
    wrong = 0
    hits = 0
    for i, subject in enumerate(review):
        truth = {p for p in responders if subject in listed_at[p]}
        got = {str(entry["province"]) for entry in found.where_listed(i)}
        wrong += truth != got
        hits += bool(got)
    if wrong:
        raise DemoFailed(f"private matching answered {wrong} of {len(review)} subjects wrongly")
    run.facts["matching"] = {p: r.evaluations for p, r in found.results.items()}
    lines = [f"{requester} reviews {len(review):,} subjects against "
             f"{', '.join(responders)}'s dishonesty lists without revealing them:"]
    for p, result in found.results.items():
        lines.append(
            f"{p}: {result.evaluations:,} blinded evaluations in {result.batches} batches, "
            f"one DLEQ proof per batch checked against {p}'s on-chain OPRF key; token set of "
            f"{result.token_set_size:,} listed subjects read from the node; "
            f"{sum(1 for r in result.listed if r):,} of the subjects listed there; "
            f"{result.seconds:.1f} s")
    lines.append(f"{hits} subjects listed somewhere, every answer exact against the "
                 "workloads; the responders logged only how many evaluations were asked")
    return lines
