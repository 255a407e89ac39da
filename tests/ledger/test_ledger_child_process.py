"""Children die with their starter: a SIGKILLed process leaves no anvil behind."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from ledger.child_process import DIE_WITH_PARENT_ENV, die_with_parent, die_with_parent_if_asked

REPO = Path(__file__).resolve().parents[2]
# Starts a DevChain, says anvil's pid, then waits to be killed.
STARTER = (
    "import sys, time\n"
    "from ledger.devchain import DevChain\n"
    "chain = DevChain.start()\n"
    "print(chain.process.pid, flush=True)\n"
    "time.sleep(120)\n"
)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs; a zombie counts as gone (its reaper may be a lazy init)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.anvil  # the child process under test starts its own
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_anvil_dies_when_its_starter_is_sigkilled() -> None:
    starter = subprocess.Popen([sys.executable, "-c", STARTER], cwd=REPO, text=True,
                               stdout=subprocess.PIPE, preexec_fn=die_with_parent())
    try:
        assert starter.stdout is not None
        anvil_pid = int(starter.stdout.readline())
        assert _alive(anvil_pid)
        starter.kill()
        starter.wait(timeout=10)
        assert _gone_within(anvil_pid, 5.0), f"anvil {anvil_pid} outlived its SIGKILLed starter"
    finally:
        if starter.poll() is None:
            starter.kill()
            starter.wait(timeout=10)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_child_dies_with_the_thread_that_started_it() -> None:
    # A plain sleeper started by a short-lived python: no anvil needed to prove the hook.
    script = (
        "import subprocess, sys\n"
        "from ledger.child_process import die_with_parent\n"
        "child = subprocess.Popen(['sleep', '120'], preexec_fn=die_with_parent())\n"
        "print(child.pid, flush=True)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, timeout=60, check=True)
    assert _gone_within(int(done.stdout), 5.0)


def test_detached_children_are_bound_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DIE_WITH_PARENT_ENV, raising=False)
    assert die_with_parent_if_asked() is None
    monkeypatch.setenv(DIE_WITH_PARENT_ENV, "1")
    assert callable(die_with_parent_if_asked()) == sys.platform.startswith("linux")

