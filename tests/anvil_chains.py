"""The one way tests start anvil: ``anvil_launcher`` and ``anvil`` in ``tests/conftest.py``.

Every test whose fixtures reach ``anvil_launcher`` is marked ``anvil`` at collection, so
``-m "not anvil"`` leaves it out. A test that is not marked ``anvil`` finds ``ANVIL_BIN``
pointing at :data:`REFUSAL_SCRIPT`'s program, which exits at once saying why: starting
anvil behind the marker's back fails loudly instead of slowing the fast run down.
"""

from __future__ import annotations

from pathlib import Path

from ledger.devchain import DEV_CHAIN_ID, DevChain

FIXTURE = "anvil_launcher"
REFUSAL_SCRIPT = (
    "#!/bin/sh\n"
    "echo 'refused: this test starts anvil but is not marked anvil. Start anvil through"
    " the anvil_launcher or anvil fixture (tests/conftest.py), or mark the test"
    " @pytest.mark.anvil when anvil is started by the code under test.' >&2\n"
    "exit 97\n"
)


class AnvilLauncher:
    """Starts anvil chains for tests; the session's end stops whatever is still running.

    A test that wants its chain gone sooner uses it as a context manager (``with
    launcher.start() as chain``) or calls ``stop()``/``kill()``: both are idempotent.
    """

    def __init__(self) -> None:
        self._chains: list[DevChain] = []

    def start(self, *, state_path: Path | None = None, chain_id: int = DEV_CHAIN_ID,
              timeout: float = 15.0, port: int | None = None,
              block_time: float | None = None) -> DevChain:
        """``DevChain.start`` with the same arguments, remembered for the final stop
        (``block_time``: seconds between blocks, like a QBFT network; None mines at once)."""
        chain = DevChain.start(state_path=state_path, chain_id=chain_id, timeout=timeout,
                               port=port, block_time=block_time)
        self._chains.append(chain)
        return chain

    def stop_all(self) -> None:
        for chain in self._chains:
            chain.stop()
        self._chains.clear()
