"""Errors raised by the ledger client. Callers catch `LedgerError`; the subclasses say why.

- `ContractRevert`: the contract refused the call (a decoded custom error, a require
  string or a panic) — the request was understood and rejected.
- `LedgerUnavailable`: the JSON-RPC endpoint could not be reached or did not answer in time.
- `TxTimeout`: a transaction was sent but no receipt (or not enough confirmations) arrived
  before the deadline; it may still be mined later.
- `ChainReset`: the chain is behind a saved event cursor (a dev chain restarted without
  its state), so indexed history no longer matches the chain.
- `ArtifactError`: a compiled contract artifact is missing or malformed.
- `DevChainError`: the local anvil could not be started.
- `MalformedInput`: an operator's file or value (members file, deployment file, a 32-byte
  hash) is malformed.
- `MalformedChainData`: data read from the chain (proposal data, a province code) does not
  decode as the contracts promise.
- `crypto.errors.KeyFileError` (not a `LedgerError`): the account key file is missing,
  malformed or too widely readable; every private-key file raises that one type.

`MalformedInput` and `MalformedChainData` are also `ValueError`, as the plain `ValueError`s
they replace were and callers catch them as such. `ValueError`/`TypeError` themselves are
left for programmer errors on arguments (a timeout <= 0, a 31-byte hash, a bad province
code given to an encoder), as pyca/cryptography does.
"""

from __future__ import annotations

from collections.abc import Mapping


class LedgerError(Exception):
    """Base class of every error raised by `ledger`."""


class LedgerUnavailable(LedgerError):
    """The JSON-RPC endpoint refused the connection, timed out or answered garbage."""


class TxTimeout(LedgerError):
    """No receipt (or too few confirmations) for `tx_hash` within the deadline."""

    def __init__(self, tx_hash: str, timeout: float, detail: str = "") -> None:
        self.tx_hash = tx_hash
        self.timeout = timeout
        suffix = f": {detail}" if detail else ""
        super().__init__(
            f"transaction {tx_hash} not confirmed within {timeout:g}s{suffix}"
        )


def format_value(value: object) -> str:
    """Render one decoded revert argument for a message: bytes as hex, text quoted."""
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


class ContractRevert(LedgerError):
    """A contract call reverted. `name` is the custom error name ("WrongSeq"), `"Error"`
    for a require string, `"Panic"` for a panic code, or `"Unknown"` when the revert data
    could not be decoded; `error_args` maps parameter names to decoded (display-ready)
    values (provinces as 'JS', hashes as bytes, addresses checksummed). (Not `args`: that
    name belongs to BaseException.)"""

    def __init__(
        self,
        contract: str,
        name: str,
        args: Mapping[str, object] | None = None,
        tx_hash: str | None = None,
    ) -> None:
        self.contract = contract
        self.name = name
        self.error_args: dict[str, object] = dict(args or {})
        self.tx_hash = tx_hash
        rendered = ", ".join(f"{k}={format_value(v)}" for k, v in self.error_args.items())
        super().__init__(f"{contract} reverted {name}({rendered})")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.contract, self.name, self.error_args, self.tx_hash))


class ChainReset(LedgerError):
    """The chain no longer holds what the indexer's cursor says was indexed: its head is
    below the cursor, or the contracts are gone (a dev chain restarted without state)."""

    def __init__(self, cursor_block: int, head_block: int, reason: str | None = None) -> None:
        self.cursor_block = cursor_block
        self.head_block = head_block
        what = reason or (
            f"chain head is at block {head_block}, below the event cursor at block "
            f"{cursor_block}"
        )
        super().__init__(
            f"{what}: the chain was reset (restarted without its state?); re-deploy and "
            "reset the cursor, or restart the chain with its state file"
        )


class ArtifactError(LedgerError):
    """A compiled contract artifact is missing or malformed."""


class DevChainError(LedgerError):
    """The local anvil dev chain could not be started or did not answer."""


class MalformedInput(LedgerError, ValueError):
    """An operator's file or value is malformed; the message names where and the defect."""


class MalformedChainData(LedgerError, ValueError):
    """Data read from the chain does not decode as the contracts define it."""
