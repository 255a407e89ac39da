"""Child processes that die with the process that started them, even after a SIGKILL.

An anvil or a node started for a test run or a dev session must not outlive its starter:
``finally`` blocks and ``atexit`` handlers never run when the starter is SIGKILLed (a CI
timeout, an OOM kill, a second Ctrl-C), and the orphans keep their ports, CPU and files.
Linux lets a child ask the kernel for a signal when its parent dies
(``prctl(PR_SET_PDEATHSIG)``); the setting survives ``exec``, so it holds for the program
the child becomes. Elsewhere :func:`die_with_parent` returns ``None`` and nothing changes.

Two limits of the kernel feature, both to keep in mind when using it:

- "parent" is the *thread* that forked: start such children from a thread that lives as
  long as they should (the main thread), not from a short-lived worker.
- the signal reaches only the direct child: run the real program, not a wrapper that
  starts it as a grandchild (e.g. npm's ``node_modules/.bin/anvil`` JavaScript shim).

Usage::

    subprocess.Popen(argv, preexec_fn=die_with_parent(), ...)

Imports nothing of ours: the ledger and the node both use it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable
from typing import Final

__all__ = ["DIE_WITH_PARENT_ENV", "die_with_parent", "die_with_parent_if_asked"]

# Set (to any non-empty value) by a process that wants even the children meant to outlive
# their starter (`credit-node consortium up`) tied to it instead, as the test suite does.
DIE_WITH_PARENT_ENV: Final = "CREDIT_NODE_CHILDREN_DIE_WITH_PARENT"

_PR_SET_PDEATHSIG: Final = 1
# Resolved once here, in the parent: loading a library between fork and exec may deadlock
# on a lock another thread of the parent held at fork time.
_PRCTL: Final = (ctypes.CDLL(None, use_errno=True).prctl
                 if sys.platform.startswith("linux") else None)


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel SIGKILL the child when the calling thread's
    process dies; ``None`` (no hook) where the kernel has no such feature."""
    prctl = _PRCTL
    if prctl is None:
        return None
    parent = os.getpid()

    def arm() -> None:
        if prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"prctl(PR_SET_PDEATHSIG) failed: {os.strerror(errno)}")
        # The parent may have died between fork and prctl: then no signal will ever come.
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)

    return arm


def die_with_parent_if_asked() -> Callable[[], None] | None:
    """:func:`die_with_parent` when ``$CREDIT_NODE_CHILDREN_DIE_WITH_PARENT`` is set, else
    ``None``: for children that normally outlive their starter on purpose."""
    return die_with_parent() if os.environ.get(DIE_WITH_PARENT_ENV) else None
