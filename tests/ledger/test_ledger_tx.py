"""The transaction sender: deadlines, unreachable endpoints, nonces, confirmations."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from eth_account import Account

from ledger.core import suite_decoder
from ledger.devchain import DevChain
from ledger.devkeys import DEV_KEYS
from ledger.errors import LedgerError, LedgerUnavailable, TxTimeout
from ledger.rpc import connect
from ledger.tx import FeePolicy, TxSender, is_nonce_error

PAYEE = str(Account.from_key(DEV_KEYS[9]).address)


def _sender(rpc_url: str, key: str, **kwargs: object) -> TxSender:
    return TxSender(connect(rpc_url, 5.0), key, suite_decoder(), **kwargs)  # type: ignore[arg-type]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP listener on 127.0.0.1 that accepts and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()


def test_connection_refused_is_unavailable() -> None:
    sender = TxSender(connect(f"http://127.0.0.1:{_closed_port()}", 2.0), DEV_KEYS[8],
                      suite_decoder())
    with pytest.raises(LedgerUnavailable, match=r"unavailable during simulating a call to X"):
        sender.transact("X", PAYEE, b"")


def test_silent_endpoint_times_out_within_the_deadline(silent_server: str) -> None:
    sender = TxSender(connect(silent_server, 0.3), DEV_KEYS[8], suite_decoder())
    started = time.monotonic()
    with pytest.raises(LedgerUnavailable, match="Timeout"):
        sender.transact("X", PAYEE, b"")
    # Without the deadline the call would wait forever on the silent server; the bound is
    # loose so that a slow machine cannot fail it.
    assert time.monotonic() - started < 30.0


def test_plain_transfer_and_fee_modes(anvil: DevChain) -> None:
    for fees in (FeePolicy(), FeePolicy(mode="eip1559", max_priority_fee_wei=1)):
        sender = _sender(anvil.rpc_url, DEV_KEYS[8], fees=fees)
        receipt = sender.transact("transfer", PAYEE, b"")
        assert receipt["status"] == 1
        assert receipt["type"] == (2 if fees.mode == "eip1559" else 0)


def test_nonce_resyncs_after_another_writer(anvil: DevChain) -> None:
    first = _sender(anvil.rpc_url, DEV_KEYS[8])
    second = _sender(anvil.rpc_url, DEV_KEYS[8])
    first.transact("transfer", PAYEE, b"")
    second.transact("transfer", PAYEE, b"")  # first's cached nonce is now stale
    receipt = first.transact("transfer", PAYEE, b"")
    assert receipt["status"] == 1


def test_two_processes_sharing_one_account_both_get_through(anvil: DevChain) -> None:
    # As a node's anchor loop and an operator's governance votes do with one ledger
    # account (the demo's membership step failed on "nonce too low" once): two senders
    # of one key, each with its own cached nonce, racing back to back.
    senders = [_sender(anvil.rpc_url, DEV_KEYS[5]) for _ in range(2)]
    failures: list[str] = []
    sent: list[int] = []
    lock = threading.Lock()

    def work(sender: TxSender, tag: int) -> None:
        for _ in range(12):
            try:  # each sender's own data: identical bytes would be one transaction
                receipt = sender.transact("transfer", PAYEE, bytes([tag]))
            except LedgerError as exc:
                with lock:
                    failures.append(str(exc))
            else:
                with lock:
                    sent.append(int(receipt["status"]))

    threads = [threading.Thread(target=work, args=(s, i)) for i, s in enumerate(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert sent == [1] * 24


def test_concurrent_sends_use_distinct_nonces(anvil: DevChain) -> None:
    sender = _sender(anvil.rpc_url, DEV_KEYS[7])
    hashes: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(5):
            receipt = sender.transact("transfer", PAYEE, b"")
            with lock:
                hashes.append(receipt["transactionHash"].hex())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(set(hashes)) == 20


def test_no_receipt_within_deadline_is_tx_timeout(anvil: DevChain) -> None:
    w3 = connect(anvil.rpc_url, 5.0)
    sender = TxSender(w3, DEV_KEYS[6], suite_decoder(), timeout=0.3)
    w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
    try:
        with pytest.raises(TxTimeout, match=r"not confirmed within 0.3s: no receipt"):
            sender.transact("transfer", PAYEE, b"")
    finally:
        w3.provider.make_request("evm_setAutomine", [True])  # type: ignore[arg-type]
        w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    assert sender.transact("transfer", PAYEE, b"")["status"] == 1


def test_a_transaction_the_ledger_lost_does_not_block_the_next_ones(anvil: DevChain) -> None:
    """A restarted ledger can lose a transaction it had accepted (a mempool is not kept;
    anvil's state file may miss the last one): the next sends must not queue forever
    behind the nonce it held (a 30 s ledger outage left anchoring stuck that way)."""
    w3 = connect(anvil.rpc_url, 5.0)
    sender = TxSender(w3, DEV_KEYS[6], suite_decoder(), timeout=0.5)
    w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
    try:
        with pytest.raises(TxTimeout) as pending:
            sender.transact("transfer", PAYEE, b"")
        dropped = w3.provider.make_request(  # type: ignore[arg-type]
            "anvil_dropTransaction", [pending.value.tx_hash])
        assert "error" not in dropped
    finally:
        w3.provider.make_request("evm_setAutomine", [True])  # type: ignore[arg-type]
    assert sender.transact("transfer", PAYEE, b"")["status"] == 1


def test_waits_for_confirmations(anvil: DevChain) -> None:
    sender = _sender(anvil.rpc_url, DEV_KEYS[6], confirmations=2, timeout=0.3)
    with pytest.raises(TxTimeout, match="too few confirmations"):
        sender.transact("transfer", PAYEE, b"")  # instant mining: no second block follows


def test_refused_send_is_a_ledger_error(anvil: DevChain) -> None:
    broke = "0x" + "11" * 32  # an unfunded account cannot pay for gas
    sender = _sender(anvil.rpc_url, broke, fees=FeePolicy(gas_price_wei=10**9))
    with pytest.raises(LedgerError) as refused:
        sender.transact("transfer", PAYEE, b"", gas=21_000)
    assert not isinstance(refused.value, LedgerUnavailable)


def test_nonce_error_recognition() -> None:
    assert is_nonce_error("nonce too low: next nonce 5, tx nonce 4")
    assert is_nonce_error("Known transaction")
    assert is_nonce_error("replacement transaction underpriced")
    assert not is_nonce_error("insufficient funds for gas * price + value")
