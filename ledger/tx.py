"""Send transactions signed locally, with our own nonces, simulated before sending.

`TxSender.transact(...)`:
  (1) simulate with `eth_estimateGas` (a revert is decoded into `ContractRevert` and
      nothing is sent);
  (2) take the next nonce under a lock (first from `eth_getTransactionCount(pending)`);
  (3) sign locally (eth_account) with legacy or EIP-1559 fee fields and send raw; on a
      nonce error, resync the nonce from the node and send again, up to
      `NONCE_ATTEMPTS` sends with a short random pause between them (another process
      sending from the same account — a node's anchor loop and an operator's governance
      vote — can take the resynced nonce first);
  (4) wait for the receipt and the configured confirmations; when the account's mined
      transaction count passes our nonce while ours has no receipt, another sender of
      the account took that nonce (a replacement): send ours again, resynced (up to
      `NONCE_ATTEMPTS` times). Past the deadline, `TxTimeout` (and
      the nonce is taken from the node again on the next send: a ledger that lost the
      transaction, as a restarted one may, would otherwise queue every later one behind
      the nonce it never mined);
  (5) a mined but failed transaction is replayed with `eth_call` at its block to decode
      the revert reason.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from typing import Any, Literal

from eth_account import Account
from web3 import Web3
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3RPCError
from web3.types import TxReceipt

from ledger.errors import ContractRevert, LedgerError, TxTimeout
from ledger.revert import RevertDecoder
from ledger.rpc import rpc_error_message, transport_guard

NONCE_ATTEMPTS = 6
"""Sends of one transaction when the node says our nonce is out of step (each after a
resync from its pending count)."""
_NONCE_HINTS = ("nonce", "already known", "known transaction", "underpriced")


@dataclass(frozen=True)
class FeePolicy:
    """How to price transactions.

    `legacy` uses `gas_price_wei` or, when None, the node's `eth_gasPrice` (0 on Besu
    QBFT with min-gas-price 0). `eip1559` uses `maxPriorityFeePerGas = max_priority_fee_wei`
    and `maxFeePerGas = 2 * baseFee + priority`. Gas limits are the estimate times
    `gas_margin`.
    """

    mode: Literal["legacy", "eip1559"] = "legacy"
    gas_price_wei: int | None = None
    max_priority_fee_wei: int = 0
    gas_margin: float = 1.25


class _Replaced(Exception):
    """Our transaction's nonce was mined by another transaction of the same account."""


def is_nonce_error(message: str) -> bool:
    """True when a node's send error means our nonce is out of step."""
    lowered = message.lower()
    return any(hint in lowered for hint in _NONCE_HINTS)


class TxSender:
    """Thread-safe sender for one account. Preconditions: `w3` has a request deadline
    (see `ledger.rpc.connect`); `private_key` is a 0x-hex secp256k1 key."""

    def __init__(
        self,
        w3: Web3,
        private_key: str,
        decoder: RevertDecoder,
        *,
        fees: FeePolicy | None = None,
        timeout: float = 30.0,
        confirmations: int = 1,
        poll_interval: float = 0.005,
    ) -> None:
        if confirmations < 1:
            raise ValueError(f"confirmations must be >= 1, got {confirmations}")
        self._w3 = w3
        self._account = Account.from_key(private_key)
        self._decoder = decoder
        self._fees = fees or FeePolicy()
        self._timeout = timeout
        self._confirmations = confirmations
        self._poll = poll_interval
        self._lock = threading.Lock()
        self._nonce: int | None = None
        self._chain_id: int | None = None
        self._url = str(getattr(w3.provider, "endpoint_uri", "?"))

    @property
    def address(self) -> str:
        """The sender's checksummed address."""
        return str(self._account.address)

    def transact(
        self, contract: str, to: str | None, data: bytes, *, gas: int | None = None
    ) -> TxReceipt:
        """Send `data` to `to` (None = contract creation) and return the successful receipt.

        `contract` names the target in errors. With `gas` given, simulation is skipped
        (a revert is then decoded from the mined receipt). Raises `ContractRevert`,
        `TxTimeout`, `LedgerUnavailable` or `LedgerError`.
        """
        call: dict[str, Any] = {"from": self.address, "data": data}
        if to is not None:
            call["to"] = to
        if gas is None:
            gas = self._estimate(contract, call)
        with transport_guard(self._url, f"sending a transaction to {contract}"):
            for attempt in range(NONCE_ATTEMPTS):
                fee_fields = self._fee_fields()
                tx_hash, nonce = self._sign_and_send({**call, **fee_fields, "gas": gas})
                try:
                    receipt = self._wait(tx_hash, nonce)
                    break
                except TxTimeout:
                    self._resync_nonce()
                    raise
                except _Replaced:
                    # Another sender of this account had its transaction mined at our
                    # nonce (ours was never mined): send ours again at a fresh nonce.
                    self._resync_nonce()
                    if attempt == NONCE_ATTEMPTS - 1:
                        raise LedgerError(f"{contract}: transaction {tx_hash} was replaced "
                                          f"at nonce {nonce} by another sender of this "
                                          f"account {NONCE_ATTEMPTS} times") from None
            else:  # pragma: no cover - the loop either breaks or raises
                raise LedgerError("unreachable: replacement loop ended without a receipt")
        if receipt["status"] != 1:
            raise self._replay(contract, call, receipt, tx_hash)
        return receipt

    def _estimate(self, contract: str, call: dict[str, Any]) -> int:
        with transport_guard(self._url, f"simulating a call to {contract}"):
            try:
                estimate = self._w3.eth.estimate_gas(call)  # type: ignore[arg-type]
            except ContractLogicError as exc:
                raise self._decoder.decode(contract, exc.data) from exc
            except Web3RPCError as exc:
                detail = rpc_error_message(exc)
                raise LedgerError(f"{contract}: gas estimation failed: {detail}") from exc
        return int(estimate * self._fees.gas_margin) + 1_000

    def _fee_fields(self) -> dict[str, int]:
        if self._fees.mode == "eip1559":
            block = self._w3.eth.get_block("latest")
            base = int(block.get("baseFeePerGas", 0))
            tip = self._fees.max_priority_fee_wei
            return {"maxFeePerGas": 2 * base + tip, "maxPriorityFeePerGas": tip}
        price = self._fees.gas_price_wei
        if price is None:
            price = int(self._w3.eth.gas_price)
        return {"gasPrice": price}

    def _chain(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self._w3.eth.chain_id)
        return self._chain_id

    def _sign_and_send(self, tx: dict[str, Any]) -> tuple[str, int]:
        tx["chainId"] = self._chain()
        with self._lock:
            for attempt in range(NONCE_ATTEMPTS):
                if self._nonce is None:
                    self._nonce = int(
                        self._w3.eth.get_transaction_count(self._account.address, "pending")
                    )
                tx["nonce"] = self._nonce
                signed = self._account.sign_transaction(tx)
                try:
                    tx_hash = self._w3.eth.send_raw_transaction(signed.raw_transaction)
                except Web3RPCError as exc:
                    detail = rpc_error_message(exc)
                    if attempt < NONCE_ATTEMPTS - 1 and is_nonce_error(detail):
                        self._nonce = None
                        time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))  # noqa: S311 (jitter)
                        continue
                    raise LedgerError(
                        f"node refused transaction with nonce {tx['nonce']}: {detail}"
                    ) from exc
                self._nonce += 1
                return "0x" + bytes(tx_hash).hex(), int(tx["nonce"])
        raise LedgerError("unreachable: nonce retry loop ended without sending")

    def _resync_nonce(self) -> None:
        """Take the next nonce from the node's pending count at the next send: it counts
        a transaction still waiting to be mined, not one the node no longer holds."""
        with self._lock:
            self._nonce = None

    def _receipt(self, tx_hash: str) -> TxReceipt | None:
        try:
            return self._w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
        except TransactionNotFound:
            return None

    def _wait(self, tx_hash: str, nonce: int) -> TxReceipt:
        """The receipt of ``tx_hash`` with its confirmations (``TxTimeout`` past the
        deadline); ``_Replaced`` when the account's mined count passed ``nonce`` while
        this transaction has no receipt (another sender's took the nonce)."""
        deadline = time.monotonic() + self._timeout
        delay = self._poll
        while True:
            receipt = self._receipt(tx_hash)
            if receipt is None and self._mined_count() > nonce:
                receipt = self._receipt(tx_hash)  # mined between the two reads?
                if receipt is None:
                    raise _Replaced(tx_hash)
            if receipt is not None:
                if self._confirmations == 1:
                    return receipt
                wanted = int(receipt["blockNumber"]) + self._confirmations - 1
                if wanted <= self._w3.eth.block_number:
                    return receipt
            if time.monotonic() >= deadline:
                detail = "no receipt" if receipt is None else "too few confirmations"
                raise TxTimeout(tx_hash, self._timeout, detail)
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def _mined_count(self) -> int:
        return int(self._w3.eth.get_transaction_count(self._account.address, "latest"))

    def _replay(
        self, contract: str, call: dict[str, Any], receipt: TxReceipt, tx_hash: str
    ) -> ContractRevert:
        block = int(receipt["blockNumber"])
        with transport_guard(self._url, f"replaying a failed call to {contract}"):
            try:
                self._w3.eth.call(
                    {**call, "gas": int(receipt["gasUsed"]) * 2},  # type: ignore[typeddict-item]
                    block_identifier=block,
                )
            except ContractLogicError as exc:
                return self._decoder.decode(contract, exc.data, tx_hash)
            except Web3RPCError:
                pass
        return ContractRevert(contract, "Unknown", {"block": block}, tx_hash)
