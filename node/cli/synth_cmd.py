"""``credit-node synth``: write synthetic, valid records of every kind as JSON Lines.

    credit-node synth --province JS --count 100000 [--seed 7] [--out FILE]

Records are penalties, serious-dishonesty entries and credit commitments (about
70/15/15) of one province, deterministic for ``--seed``: the same arguments always give
the same bytes, and a smaller ``--count`` gives a prefix of a larger one. Output is
UTF-8, one compact JSON object per line, on standard output unless ``--out`` names a
file. Exit status 0 on success (also when the reader closes the pipe early), 2 when the
output file cannot be written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import IO, Any

from node.devnet.synth import generate_records
from node.domain.fields import PROVINCES

__all__ = ["register", "run", "write_jsonl"]

_CHUNK = 2000  # records per write


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"want a whole number >= 0, got {text!r}") from exc
    if value < 0:
        raise argparse.ArgumentTypeError(f"want a whole number >= 0, got {value}")
    return value


def register(subparsers: Any) -> None:
    """Add the ``synth`` subcommand to ``subparsers`` (an argparse subparsers action)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "synth", help="write synthetic valid records (JSON Lines) for a province",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--province", required=True, choices=sorted(PROVINCES),
                        help="province whose records to make")
    parser.add_argument("--count", required=True, type=_count, help="number of records")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", type=Path, help="output file (default: standard output)")
    parser.set_defaults(func=run_from_args)


def write_jsonl(records: Iterable[dict[str, object]], out: IO[bytes]) -> int:
    """Write ``records`` to ``out`` as compact UTF-8 JSON Lines; return how many."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    written = 0
    it = iter(records)
    while True:
        chunk = [encode(r) for r in islice(it, _CHUNK)]
        if not chunk:
            return written
        out.write(("\n".join(chunk) + "\n").encode("utf-8"))
        written += len(chunk)


def run(province: str, count: int, seed: int, out_path: Path | None, *,
        stdout: IO[bytes], stderr: IO[str]) -> int:
    """The command on explicit streams; returns the exit status."""
    records = generate_records(province, count, seed)
    if out_path is None:
        try:
            write_jsonl(records, stdout)
            stdout.flush()
        except BrokenPipeError:
            # The reader stopped early (e.g. `| head`): not an error of ours. Point stdout
            # at /dev/null so the interpreter's final flush does not fail again.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        return 0
    try:
        with open(out_path, "wb") as f:
            write_jsonl(records, f)
    except OSError as exc:
        stderr.write(f"credit-node synth: cannot write {out_path}: {exc.strerror}\n")
        return 2
    return 0


def run_from_args(args: argparse.Namespace) -> int:
    sys.stdout.flush()
    return run(args.province, args.count, args.seed, args.out,
               stdout=sys.stdout.buffer, stderr=sys.stderr)
