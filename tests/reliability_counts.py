"""Session counters of the reliability suite, printed by ``tests/conftest.py`` at the end
of a run ("reliability: N bad inputs tried, ..."), so a run shows how much hostile input
it really threw at the node, not only that it passed."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Final

_lock: Final = threading.Lock()
counts: Final[Counter[str]] = Counter()

ROUNDS: Final = "fault rounds run"
FAULTS: Final = "faults injected"
BAD_INPUTS: Final = "bad inputs tried"
AUTHZ_CALLS: Final = "authorization cases checked"
LOAD_REQUESTS: Final = "requests served under load"
LOST: Final = "records lost"
DUPLICATED: Final = "records duplicated"
ORDER: Final = (ROUNDS, FAULTS, BAD_INPUTS, AUTHZ_CALLS, LOAD_REQUESTS, LOST, DUPLICATED)


def add(name: str, amount: int = 1) -> None:
    """Count ``amount`` more of ``name`` (thread-safe). Tests that check for loss or
    duplication add what they found to ``LOST``/``DUPLICATED`` (usually 0: ``add(LOST, 0)``
    records that the check ran) before asserting it is zero."""
    with _lock:
        counts[name] += amount


def summary() -> str:
    """One line, or "" when nothing was counted in this run. A name counted with 0 (a loss
    check that found nothing) is printed as 0: a measured zero, not a missing figure."""
    names = [n for n in ORDER if n in counts] + sorted(set(counts) - set(ORDER))
    if not names:
        return ""
    return "reliability: " + ", ".join(f"{counts[n]} {n}" for n in names)
