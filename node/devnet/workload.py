"""A realistic workload: synthetic records per province, submitted by each platform in parallel.

Each province's records come from :mod:`node.devnet.synth` (deterministic per seed) and
go to its own node through its platform identity, over one SubmitStream call in chunks
(the ``credit-node submit`` client code), all provinces at once. Subjects to query later
are picked from the synthesized data: per subject kind, the subject with most records.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from node.devnet.errors import ConsortiumError
from node.devnet.layout import ConsortiumDoc
from node.devnet.nodes import identity_target
from node.devnet.progress import Progress
from node.devnet.synth import generate_records
from node.domain.lines import line_chunks
from node.domain.records import parse_record, subject_identifier
from node.grpc.calls import CallFailed, submit_stream

__all__ = ["ProvinceWorkload", "Subject", "SubmitOutcome", "submit_all", "synthesize"]

CHUNK = 2_000
# Subject kinds in the order the demo queries them.
SUBJECT_KINDS = ("法人及非法人组织", "自然人", "个体工商户")


@dataclass(frozen=True)
class Subject:
    """A subject to query; ``identifier`` is personal data for a person: never print it."""

    identifier: str
    kind: str
    records: int


@dataclass(frozen=True)
class ProvinceWorkload:
    province: str
    lines: list[str]
    subjects: list[Subject]


@dataclass
class SubmitOutcome:
    """What a node answered to one province's submission."""

    accepted: int = 0
    rejected: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def pick_subjects(records: Sequence[Mapping[str, object]]) -> list[Subject]:
    """Per subject kind (organisation, person, sole trader), the subject with most records."""
    counts: Counter[str] = Counter()
    kinds: dict[str, str] = {}
    for raw in records:
        record = parse_record(dict(raw))
        ident = subject_identifier(record)
        counts[ident] += 1
        kinds[ident] = record.subject_kind
    picked = []
    for kind in SUBJECT_KINDS:
        best = max((s for s in counts if kinds[s] == kind), key=lambda s: counts[s],
                   default=None)
        if best is not None:
            picked.append(Subject(best, kind, counts[best]))
    return picked


def synthesize(provinces: Sequence[str], count: int, seed: int) -> dict[str, ProvinceWorkload]:
    """``count`` valid records per province as JSON lines, and the subjects to query."""
    out: dict[str, ProvinceWorkload] = {}
    for province in provinces:
        records = list(generate_records(province, count, seed))
        lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records]
        out[province] = ProvinceWorkload(province, lines, pick_subjects(records))
    return out


def _submit_one(doc: ConsortiumDoc, work: ProvinceWorkload, progress: Progress,
                timeout: float) -> SubmitOutcome:
    outcome = SubmitOutcome()
    started = time.monotonic()
    identity = doc.identity(f"platform.{work.province}")
    target = identity_target(identity, doc.provinces[work.province].grpc)
    try:
        for answer in submit_stream(target, line_chunks(work.lines, CHUNK),
                                    f"demo-{work.province.lower()}", timeout=timeout):
            outcome.accepted += answer.accepted
            outcome.rejected += len(answer.rejected)
            outcome.errors.extend(
                f"line {r.line}: " + "; ".join(f"{code} {name}" for code, name, _ in r.errors)
                for r in answer.rejected)
            progress.add(answer.accepted + len(answer.rejected))
    except CallFailed as exc:
        raise ConsortiumError(f"submitting to the {work.province} node failed: {exc}") from exc
    outcome.seconds = time.monotonic() - started
    return outcome


def submit_all(doc: ConsortiumDoc, workloads: Mapping[str, ProvinceWorkload],
               progress: Progress, *, timeout: float = 600.0) -> dict[str, SubmitOutcome]:
    """Submit every province's lines to its node, all provinces in parallel.

    ``timeout`` is the deadline of each province's stream. Raises ConsortiumError when a
    call fails; rejected records are counted in the outcome, not raised.
    """
    with ThreadPoolExecutor(max_workers=max(1, len(workloads)),
                            thread_name_prefix="submit") as pool:
        futures = {p: pool.submit(_submit_one, doc, w, progress, timeout)
                   for p, w in workloads.items()}
        return {p: f.result() for p, f in futures.items()}
