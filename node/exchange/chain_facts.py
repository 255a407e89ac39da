"""What the receiver asks the ledger, with caches sized to what may change.

* a member's node key and account may rotate (governance), a province may re-publish its
  mapping and the current catalog version moves forward: cached for ``key_ttl`` seconds;
* an anchored batch stays anchored (QBFT blocks are final) and an adopted catalog
  version's hash never changes: positive answers are cached for good, negative ones never.

:class:`ChainFacts` is also a ``node.domain.catalog.CatalogReader``, so the catalog's
own checks run on the same cache.

"The chain says no" (a revert such as ``UnknownProvince``, or a ``False``) is an answer;
"the chain cannot be asked" raises :class:`ChainUnavailable`, so the caller retries
instead of quarantining a record that may be perfectly good. Thread-safe: one lock
serializes the (mostly cached) ledger reads of every puller and query.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from crypto.signing import NodePublicKey, node_public_key
from ledger.errors import ContractRevert, LedgerError
from ledger.types import Member
from node.exchange.errors import ChainUnavailable

DEFAULT_KEY_TTL = 30.0
ZERO_HASH = bytes(32)
MAX_CATALOG_VERSION = 2**32 - 1
"""The contract stores catalog versions as uint32."""


class ChainReader(Protocol):
    """The read side of ``ledger.LedgerClient`` the exchange uses."""

    def member(self, province: str) -> Member: ...

    def is_anchored(self, province: str, seq: int, root: bytes) -> bool: ...

    def batch(self, province: str, seq: int) -> tuple[bytes, int, int]: ...

    def anchor_sender(self, province: str, seq: int) -> str | None: ...

    def is_revocation_anchored(self, province: str, seq: int, root: bytes) -> bool: ...

    def revocation_batch(self, province: str, seq: int) -> tuple[bytes, int, int]: ...

    def catalog_hash(self, version: int) -> bytes: ...

    def mapping_hash(self, province: str, version: int) -> bytes: ...

    def current_catalog_version(self) -> int: ...


@dataclass(frozen=True)
class OriginKey:
    """An active member's registered Ed25519 node key and ledger account."""

    node_key: NodePublicKey
    account: str


@contextmanager
def _asking(what: str) -> Iterator[None]:
    try:
        yield
    except ContractRevert:
        raise
    except LedgerError as exc:
        raise ChainUnavailable(f"cannot ask the ledger for {what}: {exc}") from exc


class ChainFacts:
    """Cached answers of ``reader`` (see the module doc)."""

    def __init__(self, reader: ChainReader, *, key_ttl: float = DEFAULT_KEY_TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._reader = reader
        self._ttl = key_ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[float, OriginKey | None]] = {}
        self._anchored: set[tuple[str, int, bytes, int, str]] = set()
        self._adopted: dict[int, bytes] = {}
        self._revoked: set[tuple[str, str, int, bytes, int]] = set()
        self._mappings: dict[tuple[str, int], tuple[float, bytes]] = {}
        self._current: tuple[float, int] | None = None

    def origin_key(self, province: str) -> OriginKey | None:
        """``province``'s active node key and account, or None if it is no active member."""
        now = self._clock()
        with self._lock:
            hit = self._keys.get(province)
            if hit is not None and now - hit[0] < self._ttl:
                return hit[1]
            try:
                with _asking(f"member {province}"):
                    member = self._reader.member(province)
                found: OriginKey | None = (
                    OriginKey(node_public_key(member.node_key), member.account)
                    if member.active else None)
            except ContractRevert:
                found = None
            self._keys[province] = (now, found)
            return found

    def anchored_by(self, province: str, seq: int, root: bytes, size: int, account: str
                    ) -> bool:
        """Whether ``province``'s batch ``seq`` is anchored with ``root`` and tree ``size``
        by ``account`` (the contract lets only the province's account anchor; checked
        again from the anchoring event's sender)."""
        key = (province, seq, root, size, account.lower())
        with self._lock:
            if key in self._anchored:
                return True
            try:
                with _asking(f"batch {province}/{seq}"):
                    if not self._reader.is_anchored(province, seq, root):
                        return False
                    if self._reader.batch(province, seq)[1] != size:
                        return False
                    sender = self._reader.anchor_sender(province, seq)
            except ContractRevert:
                return False
            if sender is None or sender.lower() != account.lower():
                return False
            self._anchored.add(key)
            return True

    def revocations_anchored(self, province: str, seq: int, root: bytes, size: int) -> bool:
        """Whether ``province``'s revocation batch ``seq`` is anchored with ``root`` and tree
        ``size``. The contract derives the province from the sending account, so only that
        province's account can have anchored it."""
        key = ("revocations", province, seq, root, size)
        with self._lock:
            if key in self._revoked:
                return True
            try:
                with _asking(f"revocation batch {province}/{seq}"):
                    if not self._reader.is_revocation_anchored(province, seq, root):
                        return False
                    if self._reader.revocation_batch(province, seq)[1] != size:
                        return False
            except ContractRevert:
                return False
            self._revoked.add(key)
            return True

    def catalog_hash(self, version: int) -> bytes:
        """The adopted document hash of catalog ``version`` (32 zero bytes: not adopted)."""
        with self._lock:
            if version in self._adopted:
                return self._adopted[version]
            if not 0 < version <= MAX_CATALOG_VERSION:
                return ZERO_HASH
            try:
                with _asking(f"catalog version {version}"):
                    found = self._reader.catalog_hash(version)
            except ContractRevert:
                return ZERO_HASH
            if found != ZERO_HASH:
                self._adopted[version] = found
            return found

    def catalog_adopted(self, version: int) -> bool:
        """Whether catalog ``version`` is adopted on-chain (a non-zero document hash)."""
        return self.catalog_hash(version) != ZERO_HASH

    def mapping_hash(self, province: str, version: int) -> bytes:
        """The mapping hash ``province`` published for ``version`` (zeros: none). A
        published hash is cached for ``key_ttl`` s; "none yet" is not cached, so records
        waiting for the mapping (``CategoryPending``) flow as soon as it is published."""
        now = self._clock()
        with self._lock:
            hit = self._mappings.get((province, version))
            if hit is not None and now - hit[0] < self._ttl:
                return hit[1]
            try:
                with _asking(f"the mapping of {province} onto v{version}"):
                    found = self._reader.mapping_hash(province, version)
            except ContractRevert:
                found = ZERO_HASH
            if found != ZERO_HASH:
                self._mappings[(province, version)] = (now, found)
            return found

    def current_catalog_version(self) -> int:
        """The latest adopted catalog version (0: none), re-read every ``key_ttl`` s."""
        now = self._clock()
        with self._lock:
            if self._current is not None and now - self._current[0] < self._ttl:
                return self._current[1]
            with _asking("the current catalog version"):
                version = self._reader.current_catalog_version()
            self._current = (now, version)
            return version
