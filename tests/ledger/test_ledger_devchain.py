"""The anvil launcher: accounts, failure messages, stopping."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest
from anvil_chains import AnvilLauncher
from eth_account import Account
from web3 import Web3

from ledger.devchain import DevChain, anvil_binary
from ledger.devkeys import DEV_KEYS, DEV_MNEMONIC
from ledger.errors import DevChainError

REPO = Path(__file__).resolve().parents[2]


def test_dev_keys_are_the_mnemonic_accounts_anvil_funds(anvil: DevChain) -> None:
    Account.enable_unaudited_hdwallet_features()
    derived = [
        Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").address
        for i in range(len(DEV_KEYS))
    ]
    assert [Account.from_key(k).address for k in DEV_KEYS] == derived
    w3 = Web3(Web3.HTTPProvider(anvil.rpc_url, request_kwargs={"timeout": 5}))
    assert list(w3.eth.accounts) == derived
    assert w3.eth.chain_id == 31337
    assert anvil.rpc_url.startswith("http://127.0.0.1:")


def test_missing_binary_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ANVIL_BIN", str(tmp_path / "no-anvil"))
    with pytest.raises(DevChainError, match=r"anvil not found or not executable at .*no-anvil"):
        anvil_binary()


def test_early_exit_reports_anvil_output(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "anvil"
    fake.write_text("#!/bin/sh\necho 'error: state file is corrupt' >&2\nexit 3\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("ANVIL_BIN", str(fake))
    with pytest.raises(DevChainError, match=r"exited with code 3(.|\n)*state file is corrupt"):
        DevChain.start(timeout=5.0)


def test_silent_anvil_times_out(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "anvil"
    fake.write_text("#!/bin/sh\necho 'starting...' >&2\nexec sleep 30\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("ANVIL_BIN", str(fake))
    with pytest.raises(DevChainError, match=r"did not answer eth_chainId(.|\n)*starting"):
        DevChain.start(timeout=0.5)


def _group_gone(pgid: int, within: float = 5.0) -> bool:
    """No live (non-zombie) process is left in group `pgid` within `within` seconds: a
    SIGKILLed child may take a moment to die (zombies may linger unreaped when the
    container's init does not reap orphans)."""
    deadline = time.monotonic() + within
    while not _group_empty(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _group_empty(pgid: int) -> bool:
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            return False
    return True


def test_native_binary_preferred_over_the_node_wrapper(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANVIL_BIN", raising=False)
    assert "@foundry-rs" in str(anvil_binary())


def test_stop_is_idempotent_and_kill_simulates_a_crash(
        tmp_path: Path, anvil_launcher: AnvilLauncher) -> None:
    chain = anvil_launcher.start(state_path=tmp_path / "state.json")
    chain.stop()
    assert chain.process.poll() is not None
    assert (tmp_path / "state.json").exists()  # dumped on SIGTERM
    chain.stop()
    assert _group_gone(chain.process.pid)
    crashed = anvil_launcher.start()
    crashed.kill()
    assert crashed.process.returncode == -9
    assert _group_gone(crashed.process.pid)


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_node_wrapper_leaves_no_orphan(monkeypatch: pytest.MonkeyPatch, how: str,
                                      anvil_launcher: AnvilLauncher) -> None:
    wrapper = REPO / "node_modules" / ".bin" / "anvil"
    monkeypatch.setenv("ANVIL_BIN", str(wrapper))
    chain = anvil_launcher.start()
    getattr(chain, how)()
    assert _group_gone(chain.process.pid)
