"""Records as JSON Lines, cut into chunks for submission, each knowing its first line number.

Why here: a platform's file, the CLI's upload and the dev network's workload all submit
the same way, and the node reports a rejected record by line, so the numbering must be
one rule: lines count from 1, blank lines are skipped but still counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["LineChunk", "line_chunks"]


@dataclass(frozen=True)
class LineChunk:
    """Consecutive non-blank lines (UTF-8, without their newline) and the first one's number."""

    first_line: int
    records: list[bytes]


def line_chunks(lines: Iterable[str], size: int) -> Iterator[LineChunk]:
    """Chunks of ``size`` non-blank lines each (the last may be shorter), read lazily."""
    batch: list[bytes] = []
    first = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if not batch:
            first = number
        batch.append(line.rstrip("\n").encode("utf-8"))
        if len(batch) >= size:
            yield LineChunk(first, batch)
            batch = []
    if batch:
        yield LineChunk(first, batch)
