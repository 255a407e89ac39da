"""Shared helpers for the domain tests: the sample records and a fixed context."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from node.domain.identifiers import org_code_check_char, uscc_check_char
from node.domain.validation import Result, ValidationContext, validate_record

SAMPLES = Path(__file__).parent / "samples"
TODAY = dt.date(2025, 6, 30)
CTX = ValidationContext(today=TODAY)


def samples(kind: str) -> list[dict[str, Any]]:
    """The sample records of ``kind`` (fresh copies)."""
    lines = (SAMPLES / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def sample(kind: str, index: int = 0) -> dict[str, Any]:
    return copy.deepcopy(samples(kind)[index])


def validate(obj: object, ctx: ValidationContext = CTX) -> Result:
    return validate_record(obj, ctx)


def codes(result: Result) -> set[tuple[str, str | None]]:
    """(code, field) of every error."""
    return {(i.code, i.field) for i in result.errors}


def warning_codes(result: Result) -> set[tuple[str, str | None]]:
    return {(i.code, i.field) for i in result.warnings}


def make_uscc(prefix2: str, division: str, org8: str) -> str:
    """A USCC with valid embedded organisation code and check character."""
    body = prefix2 + division + org8 + org_code_check_char(org8)
    return body + uscc_check_char(body)
