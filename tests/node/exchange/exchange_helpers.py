"""A four-province consortium on one anvil (see ``tests/multinode_net.py``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from multinode_net import (
    Network,
    anchored,
    build_network,
    records_of,
    submit,
    wait_for,
)

PROVINCES = ("JS", "SH", "ZJ", "AH")
Consortium = Network

__all__ = ["PROVINCES", "Consortium", "anchored", "build_consortium", "public_dishonesty",
           "records_of", "submit", "wait_for"]


def build_consortium(base: Path, rpc_url: str, *, batch_interval: float = 0.2) -> Consortium:
    """The four provinces, members of one suite, catalog v1 adopted, peers linked."""
    return build_network(base, rpc_url, PROVINCES, batch_interval=batch_interval)


def public_dishonesty(records: list[dict[str, object]], today: date) -> dict[str, object]:
    """A serious-dishonesty entry of a legal person still in its publicity period."""
    for record in records:
        if (record["kind"] == "dishonesty" and record.get("SX_ZTLB") == "法人及非法人组织"
                and str(record.get("SX_YXQ", "")) > today.isoformat()):
            return record
    raise AssertionError("no public serious-dishonesty entry among the synthetic records")
