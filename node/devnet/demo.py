"""``credit-node demo``: the whole Yangtze River Delta network doing real work, step by step.

The demo is a list of :class:`Step`\\ s run in order over one shared :class:`DemoRun`;
each step prints what it did and raises on failure, which stops the demo with exit
status 1. A later capability adds itself as one more step::

    from node.devnet.demo import Step
    from node.devnet.demo_steps import STEPS

    def exchange(run: DemoRun) -> list[str]:
        ...                                   # use run.doc, run.workloads, run.facts
        return ["SH received 1,234 JS records, every proof verified"]

    steps = [*STEPS[:-1], Step("exchange records across provinces", exchange), STEPS[-1]]

Steps keep what later ones need in ``run`` (``doc``, ``workloads``, ``answers``, and
``facts`` for anything else); the last step reads every figure back from the nodes and
the ledger.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from node.config import ConfigError
from node.devnet.agency import Queried
from node.devnet.errors import ConsortiumError
from node.devnet.layout import DEFAULT_PROVINCES, ConsortiumDoc, ConsortiumLayout
from node.devnet.workload import ProvinceWorkload, SubmitOutcome

__all__ = ["DemoFailed", "DemoOptions", "DemoRun", "Step", "run_demo"]


class DemoFailed(Exception):
    """A demo step found something wrong; the message says what."""


@dataclass(frozen=True)
class DemoOptions:
    directory: Path = Path("var/consortium")
    records_per_province: int = 20_000
    provinces: tuple[str, ...] = DEFAULT_PROVINCES
    seed: int = 2026
    timeout: float = 300.0
    """Deadline of each waiting step (nodes healthy, anchoring finished)."""
    database_url: str = ""
    """Empty: each node on SQLite; a PostgreSQL URL: each node on schema
    ``<schema_prefix>_<province>`` of that database (``consortium up --database-url``)."""
    schema_prefix: str = "credit"


@dataclass
class DemoRun:
    """What the steps share: the options, the streams and every result so far."""

    options: DemoOptions
    out: TextIO
    err: TextIO
    doc: ConsortiumDoc | None = None
    workloads: dict[str, ProvinceWorkload] = field(default_factory=dict)
    submitted: dict[str, SubmitOutcome] = field(default_factory=dict)
    answers: list[Queried] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def layout(self) -> ConsortiumLayout:
        return ConsortiumLayout(self.options.directory.resolve())

    def consortium(self) -> ConsortiumDoc:
        """The running consortium's document (DemoFailed before the ``up`` step)."""
        if self.doc is None:
            raise DemoFailed("no consortium yet: the `up` step must run first")
        return self.doc


@dataclass(frozen=True)
class Step:
    """One demo step: ``run`` returns the lines to print, or raises to fail the demo."""

    title: str
    run: Callable[[DemoRun], list[str]]
    key: str = ""
    """Short name for ``DemoRun.timings`` (default: the title)."""


def run_demo(options: DemoOptions, steps: Sequence[Step], *, out: TextIO | None = None,
             err: TextIO | None = None) -> int:
    """Run ``steps`` in order; 0 when every step succeeded, 1 at the first failure."""
    run = DemoRun(options, out or sys.stdout, err or sys.stderr)
    for number, step in enumerate(steps, start=1):
        print(f"\n[{number}/{len(steps)}] {step.title}", file=run.out, flush=True)
        started = time.monotonic()
        try:
            lines = step.run(run)
        except (DemoFailed, ConsortiumError, ConfigError, OSError, ValueError) as exc:
            print(f"  FAILED: {exc}", file=run.out, flush=True)
            print(f"\ncredit-node demo: step {number} ({step.title}) failed: "
                  f"{type(exc).__name__}", file=run.err, flush=True)
            if run.layout.doc.exists():
                print(f"what was started keeps running; stop it with: credit-node consortium "
                      f"down --dir {run.options.directory}", file=run.err, flush=True)
            return 1
        run.timings[step.key or step.title] = time.monotonic() - started
        for line in lines:
            print(f"  {line}" if line else "", file=run.out, flush=True)
    return 0
