"""`credit-node validate FILE|-`: validate a JSON Lines file of records.

Input: UTF-8 (a leading byte-order mark is accepted), one JSON object per line.
Blank (whitespace-only) lines are skipped and not reported; ``line`` in the output is
the physical line number, so it still points into the file.

Output: one JSON object per non-blank input line, in order:
``{"line": n, "ok": bool, "errors": [{"code", "field", "message"}], "warnings": [...]}``
(UTF-8, not ASCII-escaped); with ``--summary`` only ``{"lines", "valid", "invalid"}``.

Exit status: 0 every line valid (also for an input without records); 1 some line
invalid (a line that is not JSON is an invalid line with code ``NOT_JSON``); 2 input
unusable: missing or unreadable file, bytes that are not UTF-8 (reported at the first
such line, after the output of the lines before it), a bad allow-list, or no line at
all that parses as JSON (e.g. a CSV or binary file), in which case nothing is printed
on stdout. Messages for status 2 go to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from node.domain.identifiers import USCC_PATTERN
from node.domain.validation import ValidationContext, validate_record

_FLUSH_EVERY = 2048
_decoder = json.JSONDecoder(parse_float=Decimal)


class UnusableInput(Exception):
    """The input cannot be validated at all (exit status 2)."""


def _today(text: str) -> dt.date:
    problem = argparse.ArgumentTypeError(f"want a real date YYYY-MM-DD, got {text!r}")
    if len(text) != 10:
        raise problem
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise problem from exc


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate", help="validate a JSON Lines file of records",
        description="Validate records (JSON Lines, UTF-8) and print one JSON result per line.")
    parser.add_argument("file", help="input file, or - for standard input")
    parser.add_argument("--allow-uscc", metavar="FILE", type=Path,
                        help="operator allow-list: USCCs with a known-bad check character, "
                             "one per line (# comments and blank lines ignored)")
    parser.add_argument("--today", type=_today, metavar="YYYY-MM-DD",
                        help="the date to validate against (default: the system date)")
    parser.add_argument("--summary", action="store_true",
                        help="print only a final summary {lines, valid, invalid}")
    parser.set_defaults(func=run_from_args)


def read_allow_list(lines: Iterable[str]) -> frozenset[str]:
    """Codes of an allow-list file; raises :class:`UnusableInput` for a line that is not
    a USCC shape (naming the line, not echoing it)."""
    codes = set()
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not USCC_PATTERN.fullmatch(line):
            raise UnusableInput(f"allow-list line {n}: not a USCC shape (18 characters)")
        codes.add(line)
    return frozenset(codes)


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, str]]:
    """Non-blank decoded lines with their physical numbers."""
    for n, raw in enumerate(stream, 1):
        if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnusableInput(f"line {n}: not UTF-8 (byte {exc.start + 1})") from exc
        if text.strip():
            yield n, text


_CLEAN: dict[str, object] = {}  # marker: a line without findings (formatted directly)


def _evaluate(n: int, text: str, ctx: ValidationContext) -> tuple[dict[str, object], bool | None]:
    """The result entry of line ``n`` and whether it is valid (None: not JSON at all)."""
    try:
        obj = _decoder.decode(text)
    except (ValueError, RecursionError):
        return {"line": n, "ok": False, "warnings": [], "errors": [
            {"code": "NOT_JSON", "field": None, "message": f"line {n} is not valid JSON"}]}, None
    result = validate_record(obj, ctx)
    if not result.errors and not result.warnings:
        return _CLEAN, True
    return {"line": n, "ok": result.ok,
            "errors": [i.to_dict() for i in result.errors],
            "warnings": [i.to_dict() for i in result.warnings]}, result.ok


def _write(out: IO[bytes], pending: list[str]) -> None:
    out.write(("\n".join(pending) + "\n").encode("utf-8"))
    pending.clear()


def validate_stream(stream: IO[bytes], out: IO[bytes], ctx: ValidationContext, *,
                    summary: bool = False) -> tuple[int, int]:
    """Validate each line of ``stream``, writing results to ``out``; return (valid, invalid).

    Raises :class:`UnusableInput` for bytes that are not UTF-8 (after writing the results
    of the lines before), or when no line parses as JSON (then nothing has been written).
    """
    valid = invalid = 0
    parsed_any = False
    pending: list[str] = []  # held back until some line parses as JSON
    try:
        for n, text in _lines(stream):
            entry, ok = _evaluate(n, text, ctx)
            parsed_any = parsed_any or ok is not None
            if ok:
                valid += 1
            else:
                invalid += 1
            if not summary:
                pending.append(f'{{"line": {n}, "ok": true, "errors": [], "warnings": []}}'
                               if entry is _CLEAN else json.dumps(entry, ensure_ascii=False))
                if parsed_any and len(pending) >= _FLUSH_EVERY:
                    _write(out, pending)
    except UnusableInput:
        if parsed_any and pending:
            _write(out, pending)
        raise
    if invalid and not parsed_any:
        raise UnusableInput(f"no line of the input parses as JSON ({invalid} lines): "
                            "is it a JSON Lines file?")
    if pending:
        _write(out, pending)
    if summary:
        line = json.dumps({"lines": valid + invalid, "valid": valid, "invalid": invalid})
        out.write((line + "\n").encode("utf-8"))
    return valid, invalid


def run(file: str, *, allow_uscc: Path | None, today: dt.date | None, summary: bool,
        stdin: IO[bytes], stdout: IO[bytes], stderr: IO[str]) -> int:
    """The command on explicit streams; returns the exit status."""
    try:
        allow = frozenset[str]()
        if allow_uscc is not None:
            try:
                allow = read_allow_list(allow_uscc.read_text(encoding="utf-8").splitlines())
            except (OSError, UnicodeDecodeError) as exc:
                raise UnusableInput(f"cannot read allow-list {allow_uscc}: {exc}") from exc
        ctx = ValidationContext(today=today or dt.date.today(), uscc_allow_list=allow)
        if file == "-":
            _, invalid = validate_stream(stdin, stdout, ctx, summary=summary)
        else:
            try:
                stream = open(file, "rb")
            except OSError as exc:
                raise UnusableInput(f"cannot open {file}: {exc.strerror}") from exc
            with stream:
                _, invalid = validate_stream(stream, stdout, ctx, summary=summary)
    except UnusableInput as exc:
        stdout.flush()
        stderr.write(f"credit-node validate: {exc}\n")
        return 2
    stdout.flush()
    return 1 if invalid else 0


class _TextSink:
    """Bytes-to-text adapter for a standard output without a binary buffer."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text

    def write(self, data: bytes) -> int:
        return self._text.write(data.decode("utf-8"))

    def flush(self) -> None:
        self._text.flush()


def run_from_args(args: argparse.Namespace) -> int:
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    stdout: Any = buffer if buffer is not None else _TextSink(sys.stdout)
    return run(args.file, allow_uscc=args.allow_uscc, today=args.today, summary=args.summary,
               stdin=sys.stdin.buffer, stdout=stdout, stderr=sys.stderr)
