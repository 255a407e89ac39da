"""Index the suite's events from a block onward, resumably.

    indexer = EventIndexer(client, FileCursor(data_dir / "ledger-cursor.json"),
                           start_block=deployment.block)
    for event in indexer.poll():     # typed events since the cursor; advances it
        ...

The cursor is the last block fully indexed. `poll` fetches logs of all four contracts in
bounded block ranges (`chunk_size`) up to the head minus `lag`, then saves the cursor.
Delivery is at-most-once if the caller crashes between `poll` returning and handling the
events; a caller needing at-least-once uses `fetch` and saves the cursor itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from eth_utils.abi import event_abi_to_log_topic
from web3._utils.events import get_event_data
from web3.exceptions import Web3RPCError

from ledger.core import ClientCore
from ledger.deploy import write_json_atomic
from ledger.errors import ChainReset, LedgerError
from ledger.event_types import Event, build_event
from ledger.rpc import rpc_error_message, transport_guard


class CursorStore(Protocol):
    """Where the indexer remembers the last block it fully indexed."""

    def load(self) -> int | None:
        """The saved block, or None when nothing was indexed yet."""

    def save(self, block: int) -> None:
        """Persist `block` durably."""


class FileCursor:
    """A `CursorStore` in a small JSON file, replaced atomically on each save."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self) -> int | None:
        """The saved block; raises LedgerError if the file exists but is malformed."""
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, json.JSONDecodeError) as exc:
            raise LedgerError(f"event cursor file {self.path} unreadable: {exc}") from exc
        block = document.get("block") if isinstance(document, dict) else None
        if not isinstance(block, int) or block < 0:
            raise LedgerError(
                f"event cursor file {self.path} malformed: want {{\"block\": N}} with N >= 0"
            )
        return block

    def save(self, block: int) -> None:
        """Write `{"block": block}` atomically."""
        if block < 0:
            raise ValueError(f"cursor block must be >= 0, got {block}")
        write_json_atomic(self.path, {"block": block})


class MemoryCursor:
    """A `CursorStore` held in memory (tests, one-shot scans)."""

    def __init__(self, block: int | None = None) -> None:
        self.block = block

    def load(self) -> int | None:
        return self.block

    def save(self, block: int) -> None:
        self.block = block


class EventIndexer:
    """Typed events of Governance, Catalog, RecordAnchors and AuditAnchors.

    Preconditions: `start_block` is the deployment block (events before it are ignored
    when the cursor is empty); `chunk_size` >= 1 bounds each eth_getLogs range; `lag`
    blocks below the head are left for the next poll (0 on a chain with instant finality).
    """

    def __init__(
        self,
        client: ClientCore,
        cursor: CursorStore,
        start_block: int = 0,
        chunk_size: int = 2_000,
        lag: int = 0,
    ) -> None:
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
        if lag < 0 or start_block < 0:
            raise ValueError(f"lag and start_block must be >= 0, got {lag}, {start_block}")
        self.client = client
        self.cursor = cursor
        self.start_block = start_block
        self.chunk_size = chunk_size
        self.lag = lag
        self._code_checked = False
        self._by_topic: dict[tuple[str, bytes], tuple[str, dict[str, Any]]] = {}
        for name, contract in client.contracts.items():
            for entry in contract.abi:
                if entry.get("type") == "event":
                    event_abi: Any = entry
                    topic = bytes(event_abi_to_log_topic(event_abi))
                    self._by_topic[(str(contract.address), topic)] = (name, dict(entry))

    def poll(self) -> list[Event]:
        """Events after the cursor up to the head (minus `lag`); saves the new cursor.
        Raises `ChainReset` if the head is below the cursor or the contracts are gone."""
        saved = self.cursor.load()
        head = self.client.head_block()
        if saved is not None and head < saved:
            raise ChainReset(saved, head)
        self._check_code(saved, head)
        first = self.start_block if saved is None else saved + 1
        last = head - self.lag
        if last < first:
            return []
        events = self.fetch(first, last)
        self.cursor.save(last)
        return events

    def fetch(self, from_block: int, to_block: int) -> list[Event]:
        """Typed events in [from_block, to_block], in chain order, in bounded chunks."""
        events: list[Event] = []
        start = from_block
        while start <= to_block:
            end = min(start + self.chunk_size - 1, to_block)
            events.extend(self._fetch_chunk(start, end))
            start = end + 1
        return events

    def _fetch_chunk(self, start: int, end: int) -> list[Event]:
        params: Any = {
            "fromBlock": start,
            "toBlock": end,
            "address": list(self.client.addresses.values()),
        }
        with transport_guard(self.client.rpc_url, f"eth_getLogs {start}..{end}"):
            try:
                logs = self.client.w3.eth.get_logs(params)
            except Web3RPCError as exc:
                detail = rpc_error_message(exc)
                raise LedgerError(f"eth_getLogs {start}..{end} failed: {detail}") from exc
        events = []
        for log in logs:
            if log.get("removed") or not log["topics"]:
                continue
            key = (str(log["address"]), bytes(log["topics"][0]))
            known = self._by_topic.get(key)
            if known is None:
                continue
            contract, event_abi = known
            decoded = get_event_data(self.client.w3.codec, event_abi, log)
            events.append(
                build_event(
                    contract,
                    event_abi,
                    dict(decoded["args"]),
                    int(log["blockNumber"]),
                    "0x" + bytes(log["transactionHash"]).hex(),
                    int(log["logIndex"]),
                )
            )
        events.sort(key=lambda e: (e.block_number, e.log_index))
        return events

    def _check_code(self, saved: int | None, head: int) -> None:
        if self._code_checked:
            return
        address = self.client.addresses["Governance"]
        with transport_guard(self.client.rpc_url, "eth_getCode"):
            code = self.client.w3.eth.get_code(address)  # type: ignore[arg-type]
        if not code:
            raise ChainReset(
                saved if saved is not None else self.start_block,
                head,
                f"no Governance contract code at {address}",
            )
        self._code_checked = True
