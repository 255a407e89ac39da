"""Store ingest throughput: records inserted with their Merkle log nodes, per backend.

    .venv/bin/python bench/bench_store.py [--records 100000] [--chunk 1000]

For SQLite on disk (WAL, a fresh file in a temp dir) and PostgreSQL (127.0.0.1:5432,
database ``test``, a throwaway schema; override with ``BENCH_POSTGRES_URL``):
- ``one_call``: all records in one ``add_records`` transaction (records + log nodes +
  log state), rows/s;
- ``chunked``: the same count in transactions of ``--chunk`` records, rows/s;
- ``resubmit``: the same records again (all already stored: idempotent no-op), rows/s.
Each record carries a 400-byte sealed payload. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from node.store import RECORDS_LOG, NewRecord, SqlStore, make_engine, migrate

PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def records(count: int, province: str) -> list[NewRecord]:
    out = []
    for i in range(count):
        h = hashlib.sha256(b"%s-%d" % (province.encode(), i)).digest()
        out.append(NewRecord(
            province=province, record_no=f"{province}-XZCF-{i:08d}", kind="penalty",
            local_category="L-0101", shared_category="S-ADMIN-PENALTY", catalog_version=1,
            severity="general", rule_version="2023",
            commitment=hashlib.sha256(b"c" + h).digest(), salt=hashlib.sha256(b"s" + h).digest(),
            subject_token=hashlib.sha256(b"t" + h[:4]).digest(), sealed_payload=h * 12 + h[:16],
            is_public=i % 2 == 0, publicity_end=date(2027, 3, 1) if i % 2 == 0 else None,
        ))
    return out


def timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(url: str, count: int, chunk: int) -> dict[str, Any]:
    engine = make_engine(url, statement_timeout_s=600)
    try:
        migrate(engine)
        store = SqlStore(engine)
        first, second = records(count, "JS"), records(count, "SH")
        one_call = timed(lambda: store.add_records(first))
        chunked = timed(lambda: [store.add_records(second[i:i + chunk])
                                 for i in range(0, count, chunk)])
        resubmit = timed(lambda: store.add_records(first))
        assert store.log_size(RECORDS_LOG) == 2 * count
        return {
            "records": count,
            "one_call_rows_per_s": round(count / one_call),
            "one_call_seconds": round(one_call, 2),
            f"chunked_{chunk}_rows_per_s": round(count / chunked),
            "resubmit_rows_per_s": round(count / resubmit),
        }
    finally:
        engine.dispose()


def run_postgres(count: int, chunk: int) -> dict[str, Any]:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(host=url.host, port=url.port or 5432, user=url.username,
                                dbname=url.database, connect_timeout=2, autocommit=True)
    except psycopg.OperationalError as exc:
        return {"skipped": f"no PostgreSQL server: {str(exc).splitlines()[0]}"}
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            result = run(f"{PG_URL}?options=-csearch_path%3D{schema}", count, chunk)
            version = admin.execute("SHOW server_version").fetchone()
            result["server"] = None if version is None else str(version[0])
            return result
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_file = run(f"sqlite:///{Path(tmp) / 'bench.db'}", args.records, args.chunk)
    print(json.dumps({
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "sqlite_file": sqlite_file,
        "postgresql": run_postgres(args.records, args.chunk),
    }))


if __name__ == "__main__":
    main()
