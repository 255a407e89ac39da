"""Anchoring on a local anvil: records per anchor tx under real load; gas per batch and anchors/s.

`make bench`'s `anchoring` section is :func:`run` (see ``bench_anchor_load``): a
`credit-node serve` node ingesting through gRPC, its anchor transactions counted.

    .venv/bin/python bench/bench_anchor.py [--anchors 200] [--parallel-anchors 50]

Starts its own anvil on 127.0.0.1, deploys the suite (members SH, JS, ZJ, AH on dev
accounts 1..4), adopts catalog v1, then:
- gas of anchorBatch for a batch of 10 and of 100,000 records (real RFC 9162 roots), both
  as a province's first batch (cold storage) and as its second (steady state);
- anchors/s for one province sending sequentially (simulate, sign, send, receipt);
- anchors/s for four provinces sending at once (one thread and one account each).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_anchor_load import run  # make bench's `anchoring` section
from eth_account import Account

from ledger.client import LedgerClient
from ledger.deploy import deploy_suite
from ledger.devchain import DevChain
from ledger.devkeys import DEV_KEYS
from ledger.types import MemberSpec

__all__ = ["run"]
PROVINCES = ("SH", "JS", "ZJ", "AH")
SIG = b"\x5a" * 64


def rfc9162_root(leaves: list[bytes]) -> bytes:
    """MTH (RFC 9162 §2.1.1): leaf H(0x00‖d), node H(0x01‖l‖r), odd last node carried up."""
    level = [hashlib.sha256(b"\x00" + leaf).digest() for leaf in leaves]
    while len(level) > 1:
        paired = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def commitments(start: int, count: int) -> list[bytes]:
    return [hashlib.sha256(b"record-%d" % i).digest() for i in range(start, start + count)]


def _member(province: str, key: str) -> MemberSpec:
    tag = province.encode()
    return MemberSpec(
        province=province,
        account=str(Account.from_key(key).address),
        node_key=hashlib.sha256(b"node" + tag).digest(),
        oprf_key_commitment=hashlib.sha256(b"oprf" + tag).digest(),
        tls_ca_fingerprint=hashlib.sha256(b"tls" + tag).digest(),
    )


def _gas(clients: dict[str, LedgerClient]) -> dict[str, int | float]:
    small, large = clients["JS"], clients["ZJ"]
    started = time.perf_counter()
    root_100k = rfc9162_root(commitments(0, 100_000))
    root_seconds = time.perf_counter() - started
    root_10 = rfc9162_root(commitments(0, 10))
    cold_10 = small.anchor_batch(1, root_10, 10, bytes(32), 1, SIG).gas_used
    cold_100k = large.anchor_batch(1, root_100k, 100_000, bytes(32), 1, SIG).gas_used
    next_10 = rfc9162_root(commitments(0, 20))
    next_100k = rfc9162_root(commitments(0, 200_000))
    warm_10 = small.anchor_batch(2, next_10, 20, root_10, 1, SIG).gas_used
    warm_100k = large.anchor_batch(2, next_100k, 200_000, root_100k, 1, SIG).gas_used
    return {
        "gas_first_batch_10_records": cold_10,
        "gas_first_batch_100000_records": cold_100k,
        "gas_next_batch_10_records": warm_10,
        "gas_next_batch_100000_records": warm_100k,
        "root_100000_leaves_seconds": round(root_seconds, 3),
    }


def _anchor_run(client: LedgerClient, province: str, count: int) -> None:
    latest = client.latest_batch(province)
    seq, prev, size = latest.seq, latest.root, latest.size
    for i in range(count):
        root = hashlib.sha256(b"%s-%d-%d" % (province.encode(), seq, i)).digest()
        seq, size = seq + 1, size + 10
        client.anchor_batch(seq, root, size, prev, 1, SIG)
        prev = root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--anchors", type=int, default=200)
    parser.add_argument("--parallel-anchors", type=int, default=50)
    options = parser.parse_args()
    keys = {p: DEV_KEYS[i + 1] for i, p in enumerate(PROVINCES)}
    with DevChain.start() as chain:
        deployment = deploy_suite(
            chain.rpc_url, DEV_KEYS[0], [_member(p, keys[p]) for p in PROVINCES]
        )
        clients = {p: LedgerClient(chain.rpc_url, deployment.addresses, keys[p]) for p in PROVINCES}
        pid = clients["SH"].propose_adopt_catalog(1, hashlib.sha256(b"catalog").digest())
        clients["JS"].approve(pid)
        clients["ZJ"].approve(pid)
        result: dict[str, object] = {"bench": "anchor", "python": platform.python_version()}
        result.update(_gas(clients))

        started = time.perf_counter()
        _anchor_run(clients["SH"], "SH", options.anchors)
        sequential_seconds = time.perf_counter() - started
        result["sequential_anchors"] = options.anchors
        result["sequential_anchors_per_s"] = round(options.anchors / sequential_seconds, 1)

        threads = [
            threading.Thread(target=_anchor_run, args=(clients[p], p, options.parallel_anchors))
            for p in PROVINCES
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        total = options.parallel_anchors * len(PROVINCES)
        result["parallel_anchors"] = total
        result["parallel_anchors_per_s_4_provinces"] = round(total / elapsed, 1)
        sequential_rate = options.anchors / max(sequential_seconds, 1e-9)
        result["records_per_s_at_100000_per_batch"] = round(100_000 * sequential_rate)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
