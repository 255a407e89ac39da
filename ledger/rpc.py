"""A web3 connection with a deadline on every JSON-RPC call, and the mapping of transport
failures onto `LedgerUnavailable` and of other web3 failures onto `LedgerError`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from web3 import Web3
from web3.exceptions import (
    BadFunctionCallOutput,
    ProviderConnectionError,
    RequestTimedOut,
    Web3RPCError,
)
from web3.middleware import ExtraDataToPOAMiddleware
from web3.providers.rpc import HTTPProvider

from ledger.errors import LedgerError, LedgerUnavailable

TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    requests.RequestException,
    ProviderConnectionError,
    RequestTimedOut,
    ConnectionError,
    TimeoutError,
)


def connect(rpc_url: str, timeout: float) -> Web3:
    """A `Web3` over HTTP to `rpc_url`; each request fails after `timeout` seconds.

    No automatic retries (a retry loop would multiply the deadline). The PoA extraData
    middleware lets blocks from Besu QBFT (long extraData) be parsed; harmless on anvil.
    """
    if timeout <= 0:
        raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
    provider = HTTPProvider(
        rpc_url,
        request_kwargs={"timeout": timeout},
        exception_retry_configuration=None,
    )
    w3 = Web3(provider)
    w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    return w3


@contextmanager
def transport_guard(rpc_url: str, what: str) -> Iterator[None]:
    """Turn connection refusals and timeouts inside the block into `LedgerUnavailable`, and
    the web3 errors the block did not handle itself into `LedgerError`, so that no web3
    exception leaks out of `ledger`.

    A JSON-RPC error response (`Web3RPCError`) is the node refusing the request; an empty
    answer to a call (`BadFunctionCallOutput`) means no contract code at the address.
    """
    try:
        yield
    except TRANSPORT_ERRORS as exc:
        raise LedgerUnavailable(
            f"ledger at {rpc_url} unavailable during {what}: {type(exc).__name__}: {exc}"
        ) from exc
    except Web3RPCError as exc:
        raise LedgerError(
            f"ledger at {rpc_url} refused {what}: {rpc_error_message(exc)}"
        ) from exc
    except BadFunctionCallOutput as exc:
        raise LedgerError(
            f"ledger at {rpc_url}: {what} returned no data (no contract code at the "
            "address? a chain without the deployment?)"
        ) from exc


def rpc_error_message(exc: Web3RPCError) -> str:
    """The node's own error message from a JSON-RPC error response."""
    response = exc.rpc_response or {}
    error = response.get("error") if isinstance(response, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])
    return str(exc.message)
