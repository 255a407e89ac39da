"""``credit-node match``: private list matching (匿踪查询) across a local consortium.

    credit-node match --consortium var/consortium --from SH --against JS,ZJ,AH \\
                      --subjects review.txt --json

P's node (``--from``, with its own node certificate) checks every subject of the file
(one USCC or ID number per line; blank lines and lines starting with ``#`` skipped)
against each ``--against`` province's serious-dishonesty list with a verifiable OPRF:
the responders learn how many subjects were checked, nothing else; each answer is proved
against the OPRF key the responder registered on-chain. Prints, per subject (by input
line, the identifier masked), where it is listed and under which shared category, and
per responder the figures (evaluations, batches, token set size, seconds).
Exit 0 done, 1 a call or a proof failed, 2 unusable input.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from crypto.tokens import normalize_identifier
from node.cli.consortium_flags import FlagError, load_consortium
from node.devnet.errors import ConsortiumError
from node.devnet.matching import DEFAULT_PURPOSE, match_in_consortium
from node.domain.identifiers import mask
from node.grpc.calls import CallFailed
from node.service.matching_requester import MatchVerificationFailed

_SUBJECT = re.compile(r"[0-9A-Z]{18}")


def register(subparsers: Any) -> None:
    """Add the ``match`` subcommand to ``subparsers``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "match", help="privately match subjects against other provinces' dishonesty lists",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--consortium", type=Path, required=True,
                        help="a local consortium's directory (consortium.json)")
    parser.add_argument("--from", dest="requester", required=True,
                        help="the requesting province (its node's certificate is used)")
    parser.add_argument("--against", required=True, help="responders, e.g. JS,ZJ,AH")
    parser.add_argument("--subjects", type=Path, required=True,
                        help="file: one USCC or ID number per line")
    parser.add_argument("--purpose", default=DEFAULT_PURPOSE)
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="deadline of each call, seconds (default 300)")
    parser.add_argument("--json", action="store_true", help="print JSON (the default)")
    parser.set_defaults(func=run)


def read_subjects(path: Path) -> list[tuple[int, str]]:
    """(line number, normalized identifier) of each subject line; ValueError naming the
    first bad line (its content masked)."""
    subjects = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        value = normalize_identifier(raw)
        if not _SUBJECT.fullmatch(value):
            raise ValueError(f"--subjects {path} line {number} ({mask(value)}): want an "
                             "18-character USCC or ID number (digits and capital letters)")
        subjects.append((number, value))
    return subjects


def run(args: argparse.Namespace) -> int:
    """Entry point of ``credit-node match``."""
    against = [p.strip().upper() for p in args.against.split(",") if p.strip()]
    try:
        doc = load_consortium(args.consortium)
        subjects = read_subjects(args.subjects)
    except (FlagError, OSError, ValueError) as exc:
        print(f"credit-node match: error: {exc}", file=sys.stderr)
        return 2
    if not subjects or not against or args.requester in against:
        print("credit-node match: error: want at least one subject and --against provinces "
              "other than --from", file=sys.stderr)
        return 2
    try:
        found = match_in_consortium(doc, args.requester, against, [s for _, s in subjects],
                                    purpose=args.purpose, timeout=args.timeout)
    except ConsortiumError as exc:
        print(f"credit-node match: error: {exc}", file=sys.stderr)
        return 2
    except (CallFailed, MatchVerificationFailed) as exc:
        print(f"credit-node match: error: {exc}", file=sys.stderr)
        return 1
    out = {
        "from": args.requester, "against": against, "subjects": len(subjects),
        "listed_subjects": sum(1 for i in range(len(subjects)) if found.where_listed(i)),
        "results": [{"line": line, "subject": mask(value), "listed": found.where_listed(i)}
                    for i, (line, value) in enumerate(subjects)],
        "responders": {p: {"evaluations": r.evaluations, "batches": r.batches,
                           "token_set_size": r.token_set_size,
                           "seconds": round(r.seconds, 3)} for p, r in found.results.items()},
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0
