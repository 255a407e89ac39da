"""Throughput of record commitments and batch-header signatures; prints one JSON object.

    .venv/bin/python bench/bench_commit.py [--records 100000] [--signatures 5000]

Records are synthetic administrative penalties whose canonical form is ~400 bytes
(Chinese text, a list, an amount). Single process, single thread.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nacl.signing

from crypto.batch_header import BatchHeader, sign_header, verify_header
from crypto.canonical import canonical_bytes
from crypto.commitment import commit_canonical, commit_new, new_salt
from crypto.sealing import new_master_key, open_sealed, record_aad, seal
from crypto.signing import public_key_of


def synthetic_record(i: int) -> dict[str, object]:
    return {
        "CF_XDR_MC": f"苏州市第{i}号机械制造有限公司",
        "CF_XDR_LB": "法人及非法人组织",
        "CF_XDR_SHXYM": f"91320500MA{i:07d}X",
        "CF_WSH": f"苏市监罚〔2024〕第{i:05d}号",
        "CF_WFXW": "未按规定公示年度报告",
        "CF_SY": "当事人未按照规定的期限公示年度报告。",
        "CF_YJ": "《企业信息公示暂行条例》第十八条",
        "CF_CFLB": ["罚款", "警告"],
        "CF_NR_FK": (i % 500) / 100,
        "CF_JDRQ": "2024-03-15",
    }


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--signatures", type=int, default=5_000)
    args = parser.parse_args()

    records = [synthetic_record(i) for i in range(args.records)]
    sizes = [len(canonical_bytes(r)) for r in records[:1000]]

    start = time.perf_counter()
    encoded = [canonical_bytes(r) for r in records]
    canonical_s = time.perf_counter() - start

    salts = [new_salt() for _ in range(args.records)]
    start = time.perf_counter()
    for data, salt in zip(encoded, salts, strict=True):
        commit_canonical(data, salt)
    hash_s = time.perf_counter() - start

    start = time.perf_counter()
    for record in records:
        commit_new(record)
    commit_s = time.perf_counter() - start

    key = nacl.signing.SigningKey.generate()
    public = public_key_of(key)
    headers = [
        BatchHeader("JS", n, 1000 * (n + 1), hashlib.sha256(b"%d" % n).digest(), 1000 * n,
                    hashlib.sha256(b"p%d" % n).digest(), 1, 1_735_689_600 + n)
        for n in range(1, args.signatures + 1)
    ]
    start = time.perf_counter()
    signatures = [sign_header(h, key) for h in headers]
    sign_s = time.perf_counter() - start
    start = time.perf_counter()
    for header, signature in zip(headers, signatures, strict=True):
        verify_header(header, signature, public)
    verify_s = time.perf_counter() - start

    master = new_master_key()
    sample = encoded[: min(20_000, len(encoded))]
    start = time.perf_counter()
    sealed = [seal(data, master, record_aad("JS", n)) for n, data in enumerate(sample)]
    seal_s = time.perf_counter() - start
    start = time.perf_counter()
    for n, item in enumerate(sealed):
        open_sealed(item, master, record_aad("JS", n))
    open_s = time.perf_counter() - start

    print(json.dumps({
        "bench": "crypto.commit",
        "python": platform.python_version(),
        "records": args.records,
        "canonical_bytes_mean": round(sum(sizes) / len(sizes), 1),
        "canonical_per_s": rate(args.records, canonical_s),
        "commit_canonical_per_s": rate(args.records, hash_s),
        "commit_new_per_s": rate(args.records, commit_s),
        "header_sign_per_s": rate(args.signatures, sign_s),
        "header_verify_per_s": rate(args.signatures, verify_s),
        "seal_per_s": rate(len(sample), seal_s),
        "open_sealed_per_s": rate(len(sample), open_s),
    }, indent=2))


if __name__ == "__main__":
    main()
