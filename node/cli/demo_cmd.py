"""`credit-node demo`: the four-province consortium doing real work, figures read back.

    credit-node demo [--records-per-province N] [--dir var/consortium]
                     [--database-url postgresql+psycopg://USER@HOST:PORT/DB [--schema-prefix P]]
    credit-node demo --local [--province P] [--count N] [--dir var/demo]

The default runs :mod:`node.devnet.demo`: a fresh consortium in ``--dir`` (any earlier
one there is stopped and wiped), realistic records submitted by every provincial
platform, anchored, queried by an agency with grants, verified against the ledger, and a
summary read back from the nodes and the ledger. The consortium is left running for
exploring; the summary prints how to stop it. Exit status 0 only when every step passed.

With ``--database-url`` every node keeps its data in PostgreSQL, schema
``<prefix>_<province>`` (``consortium up --database-url``); the reset drops the schemas of
the consortium an earlier run left in ``--dir``, and the demo refuses schemas holding
tables of anything else.

``--local`` runs the older single-province pipeline in-process (synthesize → validate →
ingest into SQLite → sign a batch header → prove one record's inclusion) and leaves
nothing running.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the four-province consortium demo (make demo)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records-per-province", type=int, default=20_000,
                        help="records each provincial platform submits (default 20000)")
    parser.add_argument("--provinces", default="SH,JS,ZJ,AH",
                        help="comma-separated provinces (default SH,JS,ZJ,AH)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="deadline of each waiting step, seconds (default 300)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dir", type=Path, default=None,
                        help="working directory, wiped first (default var/consortium; "
                             "var/demo with --local)")
    parser.add_argument("--database-url", default="",
                        help="PostgreSQL URL: each node on its own schema (default: SQLite)")
    parser.add_argument("--schema-prefix", default="credit",
                        help="with --database-url: schemas <prefix>_<province> (default credit)")
    parser.add_argument("--local", action="store_true",
                        help="run the single-province in-process pipeline instead")
    parser.add_argument("--province", default="JS", choices=("SH", "JS", "ZJ", "AH"),
                        help="--local only: the province")
    parser.add_argument("--count", type=int, default=20000,
                        help="--local only: records to synthesize")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``credit-node demo``; returns the exit code."""
    if args.local:
        if args.database_url:
            print("demo: --database-url applies to the consortium demo, not --local",
                  file=sys.stderr)
            return 2
        from node.devnet.local_demo import run_local

        return run_local(args.dir or Path("var/demo"), args.province, args.count, args.seed)
    from node.devnet.demo import DemoOptions, run_demo
    from node.devnet.demo_steps import STEPS

    provinces = tuple(p.strip().upper() for p in args.provinces.split(",") if p.strip())
    if args.records_per_province < 1 or not provinces or any(
            p not in ("SH", "JS", "ZJ", "AH") for p in provinces):
        print("demo: --records-per-province must be at least 1 and --provinces codes from "
              "SH,JS,ZJ,AH", file=sys.stderr)
        return 2
    if args.database_url:
        from node.devnet.database import schema_name, schema_url

        try:
            schema_url(args.database_url, schema_name(args.schema_prefix, provinces[0]))
        except ValueError as exc:
            print(f"demo: {exc}", file=sys.stderr)
            return 2
    options = DemoOptions(directory=args.dir or Path("var/consortium"),
                          records_per_province=args.records_per_province,
                          provinces=provinces, seed=args.seed, timeout=args.timeout,
                          database_url=args.database_url, schema_prefix=args.schema_prefix)
    return run_demo(options, STEPS)
