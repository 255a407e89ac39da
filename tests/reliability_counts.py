"""Session counters of the reliability suite, printed by ``tests/conftest.py`` at the end
of a run ("reliability: N bad inputs tried, ..."), so a run shows how much hostile input
it really threw at the node, not only that it passed."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Final

_lock: Final = threading.Lock()
counts: Final[Counter[str]] = Counter()

BAD_INPUTS: Final = "bad inputs tried"
AUTHZ_CALLS: Final = "authorization cases checked"
ORDER: Final = (BAD_INPUTS, AUTHZ_CALLS)


def add(name: str, amount: int = 1) -> None:
    """Count ``amount`` more of ``name`` (thread-safe)."""
    with _lock:
        counts[name] += amount


def summary() -> str:
    """One line, or "" when nothing was counted in this run."""
    names = [n for n in ORDER if counts[n]] + sorted(set(counts) - set(ORDER))
    if not names:
        return ""
    return "reliability: " + ", ".join(f"{counts[n]} {n}" for n in names)
