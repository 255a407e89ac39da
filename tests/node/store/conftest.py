"""Factories for the store's contract tests: deterministic records and batches."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from crypto.sealing import Sealed
from node.store import NewRecord

FIXED_NOW = datetime(2026, 11, 28, 8, 30, 15, 123456, tzinfo=UTC)


def digest(*parts: object) -> bytes:
    """A deterministic 32-byte value named by ``parts`` (distinct parts, distinct values)."""
    return hashlib.sha256(repr(parts).encode()).digest()


def sealed_shape(seed: bytes) -> bytes:
    """A deterministic blob shaped like a sealed payload (the store splits its key off)."""
    return Sealed(seed[:8], (seed * 2)[:40], seed[:12], seed * 4).to_bytes()


def new_record(i: int, *, province: str = "JS", version: int = 0, **changes: Any) -> NewRecord:
    """Record number ``i``; a different ``version`` gives the same key, new salt/commitment."""
    fields: dict[str, Any] = {
        "province": province,
        "record_no": f"{province}-XZCF-2026-{i:06d}",
        "kind": "penalty",
        "local_category": f"L{i % 7}",
        "shared_category": "S-ADMIN-PENALTY" if i % 3 else None,
        "catalog_version": 3 if i % 3 else None,
        "severity": "general",
        "rule_version": "2023",
        "commitment": digest("commitment", province, i, version),
        "salt": digest("salt", province, i, version),
        "subject_token": digest("subject", i % 5),
        "sealed_payload": sealed_shape(digest("payload", province, i, version)),
        "is_public": i % 2 == 0,
        "publicity_end": date(2027, 1, 1 + i % 28) if i % 2 == 0 else None,
    }
    fields.update(changes)
    return NewRecord(**fields)


@pytest.fixture
def make_record() -> Callable[..., NewRecord]:
    """``make_record(i, province=..., version=..., **field_changes)``."""
    return new_record
