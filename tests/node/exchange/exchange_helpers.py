"""A four-province consortium on one anvil (see ``tests/multinode_net.py``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from consent_helpers import EVIDENCE
from multinode_net import (
    Network,
    anchored,
    build_network,
    records_of,
    submit,
    wait_for,
)
from pg_schemas import postgres_schemas

from node.authz.grants import make_grant
from node.grpc.calls import TlsTarget, query
from node.identity.files import load_tls_private_key

PROVINCES = ("JS", "SH", "ZJ", "AH")
Consortium = Network
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
"""Fixture params of a consortium's databases: each node on its SQLite file, or each
node on a PostgreSQL schema of its own (``databases_for``)."""

__all__ = [
    "BACKENDS",
    "PROVINCES",
    "Consortium",
    "anchored",
    "build_consortium",
    "databases_for",
    "federated_query",
    "numbers",
    "public_dishonesty",
    "records_of",
    "subject_with_on_request_record",
    "submit",
    "wait_for",
]


def build_consortium(base: Path, rpc_url: str, *, batch_interval: float = 0.2,
                     databases: dict[str, str] | None = None) -> Consortium:
    """The four provinces, members of one suite, catalog v1 adopted, peers linked; each
    node on its own SQLite file, or on the database URL ``databases`` gives its province."""
    return build_network(base, rpc_url, PROVINCES, batch_interval=batch_interval,
                         databases=databases)


@contextmanager
def databases_for(backend: str, prefix: str) -> Iterator[dict[str, str]]:
    """Province -> database URL for ``build_consortium``: none for "sqlite" (each node its
    own file), a fresh schema per province for "postgresql", all dropped at the end."""
    if backend == "sqlite":
        yield {}
        return
    with postgres_schemas(PROVINCES, prefix=prefix) as urls:
        yield urls


def public_dishonesty(records: list[dict[str, object]], today: date) -> dict[str, object]:
    """A serious-dishonesty entry of a legal person still in its publicity period."""
    for record in records:
        if (record["kind"] == "dishonesty" and record.get("SX_ZTLB") == "法人及非法人组织"
                and str(record.get("SX_YXQ", "")) > today.isoformat()):
            return record
    raise AssertionError("no public serious-dishonesty entry among the synthetic records")


def subject_with_on_request_record(net: Network, record_no: str, *, count: int,
                                   seed: int) -> dict[str, object]:
    """Submit at JS a public credit commitment (shared on request, not replicated) of the
    legal person of a public serious-dishonesty entry (replicated), numbered ``record_no``,
    and wait until it is anchored; the dishonesty entry (``SX_SHXYM`` is its USCC)."""
    seeded = records_of("JS", count, seed=seed)
    entry = public_dishonesty(seeded, datetime.now(UTC).date())
    commitment = dict(next(r for r in seeded if r["kind"] == "commitment"
                           and r.get("CN_GKFW") == "公开"))
    commitment.update(record_no=record_no, CN_SHXYM=entry["SX_SHXYM"],
                      CN_CNRMC=entry["SX_ZTMC"], CN_CNRLB="法人及非法人组织")
    ack: Any = submit(net, "JS", [commitment])
    assert len(ack.accepted) == 1, ack
    anchored(net, "JS", ack.accepted[0].leaf_index + 1)
    return entry



def federated_query(net: Network, at: str, subject: str, *,
                    include_foreign: bool = True) -> dict[str, Any]:
    """The agency accredited by ``at`` asks ``at``, with a fresh grant, as ``credit-node
    query`` does (the JSON it prints)."""
    layout = net[at].layout
    grant = make_grant(subject=subject, agency="example-agency", purpose="lending_review",
                       scope=("penalty", "dishonesty", "commitment"), consent_evidence=EVIDENCE,
                       private_key=load_tls_private_key(layout.identity_key("agency")),
                       now=datetime.now(UTC), valid_for=timedelta(days=1))
    target = TlsTarget(f"localhost:{net[at].port}", layout.identity_cert("agency"),
                       layout.identity_key("agency"), layout.ca_cert)
    return query(target, "lending_review", subject, grant=grant.to_json().encode(),
                 evidence=EVIDENCE, include_foreign=include_foreign,
                 request_id=uuid.uuid4().hex, timeout=30)


def numbers(answer: dict[str, Any]) -> set[str]:
    """The record numbers of an answer."""
    return {str(r["record_no"]) for r in answer["records"]}
