"""A thread-safe progress bar on a text stream (stderr), quiet when it is not a terminal.

On a terminal the bar redraws in place at most ten times a second; otherwise (a log, CI)
one line is written at each tenth of the way, so logs stay short.
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

__all__ = ["Progress"]

_WIDTH = 30


class Progress:
    """Counts ``done`` out of ``total`` and shows it with a rate; call ``finish`` at the end."""

    def __init__(self, label: str, total: int, stream: TextIO) -> None:
        self._label = label
        self._total = max(total, 1)
        self._stream = stream
        self._tty = stream.isatty()
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._drawn_at = 0.0
        self._tenths = 0
        self.done = 0

    def add(self, count: int) -> None:
        """Record ``count`` more items done (from any thread)."""
        with self._lock:
            self.done += count
            now = time.monotonic()
            tenths = min(10, self.done * 10 // self._total)
            if self._tty and now - self._drawn_at >= 0.1:
                self._draw(now, end="")
            elif not self._tty and tenths > self._tenths:
                self._tenths = tenths
                self._draw(now, end="\n")

    def _draw(self, now: float, end: str) -> None:
        self._drawn_at = now
        filled = min(_WIDTH, self.done * _WIDTH // self._total)
        rate = self.done / max(now - self._started, 1e-9)
        prefix = "\r" if self._tty else ""
        self._stream.write(
            f"{prefix}  {self._label} [{'#' * filled}{'.' * (_WIDTH - filled)}] "
            f"{self.done:,}/{self._total:,} {self.done * 100 // self._total:3d}% "
            f"{rate:,.0f}/s{end}")
        self._stream.flush()

    def finish(self) -> None:
        """Draw the final state and end the line (terminal only)."""
        with self._lock:
            if self._tty:
                self._draw(time.monotonic(), end="\n")
