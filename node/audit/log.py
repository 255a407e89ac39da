"""``AuditLog``: the node's access audit log — append events, serve entries, proofs, heads.

Entries and their leaves are written together (``AuditStore.append_entries``); proofs come
from the log's stored nodes (``AuditStore.nodes_at_head``: the size and the nodes in one
read) and heads are signed on request as C2SP checkpoints under the log's origin. Every
head the node can sign is a prefix of one append-only tree, so signing any size up to the
current one is safe. Usage::

    log = AuditLog(store, AuditStore(store.engine), signing_key, audit_origin("JS"))
    [index] = log.append([event])
    head = log.latest_checkpoint()                 # SignedHead: checkpoint, signature, note
    proof = log.inclusion_proof(index, head.checkpoint.size)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence

import nacl.signing

from crypto.checkpoint import Checkpoint, checkpoint_note, head_signature
from crypto.merkle import Nodes, consistency, fetch_proof, fold_peaks, inclusion
from crypto.merkle.node_id import NodeID
from crypto.signed_note import NoteVerifier
from crypto.signing import public_key_of
from node.audit.errors import AuditNotFound, AuditRangeError
from node.audit.events import AuditEvent, encode_entry
from node.audit.heads import SignedHead
from node.store.contract import Store
from node.store.rows import AUDIT_LOG, LogHead
from node.store.sql_audit import AuditStore, StoredEntry

__all__ = ["NODES_KEPT", "AuditLog"]

NODES_KEPT = 100_000
"""Audit-log perfect nodes remembered in memory (about 100 bytes each)."""


class AuditLog:
    """The audit log of one node, signed under ``origin`` with ``signing_key``.

    Precondition: nothing else appends to the store's "audit" log (its leaves must be
    exactly the hashes of ``audit_entries``).
    """

    def __init__(
        self, store: Store, audit_store: AuditStore, signing_key: nacl.signing.SigningKey,
        origin: str,
    ) -> None:
        Checkpoint(origin, 0, bytes(32))  # refuses an empty or multi-line origin early
        self._store = store
        self._audit = audit_store
        self._key = signing_key
        self.origin = origin
        self.verifier = NoteVerifier(origin, public_key_of(signing_key))
        """How auditors name and check this log's key (its note verifier)."""
        # The largest size this object saw committed (the log only grows), and the last
        # head it signed: entries written together share one signed head.
        self._committed = 0
        self._signed: SignedHead | None = None
        self._lock = threading.Lock()
        # Perfect nodes are immutable once written: the ones this object wrote or read
        # are kept (least recently used dropped), so a fresh entry's proof reads nothing.
        self._known_nodes: OrderedDict[tuple[int, int], bytes] = OrderedDict()

    # -- writing ---------------------------------------------------------------------

    def append(self, events: Sequence[AuditEvent]) -> list[int]:
        """Log ``events`` (in order, one transaction); return their leaf indices."""
        if not events:
            return []
        rows = [(event.request_id, encode_entry(event)) for event in events]
        first, _ = self.append_encoded(rows)
        return list(range(first, first + len(rows)))

    def append_encoded(self, rows: Sequence[tuple[str, bytes]]) -> tuple[int, LogHead]:
        """Log ``(request_id, encode_entry(event))`` rows in one transaction; the first
        row's index and the log's head just after them (committed)."""
        written: list[tuple[str, int, int, bytes]] = []
        first, head = self._audit.append_entries(rows, AUDIT_LOG, written)
        self._saw(head.size)
        self._remember([((level, index), digest) for _, level, index, digest in written])
        return first, head

    def _remember(self, nodes: Iterable[tuple[tuple[int, int], bytes]]) -> None:
        with self._lock:
            for key, digest in nodes:
                self._known_nodes[key] = digest
                self._known_nodes.move_to_end(key)
            while len(self._known_nodes) > NODES_KEPT:
                self._known_nodes.popitem(last=False)

    def _saw(self, size: int) -> None:
        with self._lock:
            self._committed = max(self._committed, size)

    # -- reading ---------------------------------------------------------------------

    def size(self) -> int:
        """Number of entries (leaves) in the log."""
        return self._store.log_size(AUDIT_LOG)

    def entry(self, index: int) -> StoredEntry:
        """The stored entry at ``index``; ``AuditNotFound`` if there is none."""
        found = self._audit.entry(index, AUDIT_LOG)
        if found is None:
            raise AuditNotFound(f"audit log {self.origin!r} has no entry at index {index}")
        return found

    def entries(self, start: int, limit: int) -> list[StoredEntry]:
        """One page of entries from ``start`` on (at most ``limit``), in index order."""
        return self._audit.entries(start, limit, AUDIT_LOG)

    def iter_entries(self, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes]]:
        """Stream ``(index, entry bytes)`` for the verifier, page by page."""
        return self._audit.iter_entries(start, end, AUDIT_LOG)

    def indexes_of(self, request_id: str) -> list[int]:
        """Indices of every entry logged under ``request_id`` (empty if none)."""
        return self._audit.indexes_of(request_id, AUDIT_LOG)

    def index_of(self, request_id: str) -> int:
        """The first entry's index for ``request_id``; ``AuditNotFound`` if none."""
        found = self.indexes_of(request_id)
        if not found:
            raise AuditNotFound(f"audit log {self.origin!r} has no entry for request id "
                                f"{request_id!r}")
        return found[0]

    # -- proofs and heads ------------------------------------------------------------

    def _size(self, size: int | None, what: str) -> int:
        if size is not None and 0 <= size <= self._committed:
            return size  # seen committed by this object: the log holds at least that many
        current = self.size()
        self._saw(current)
        return _within(size, current, what)

    def _proof(self, size: int | None, what: str, plan: Callable[[int], Nodes]) -> list[bytes]:
        """The proof ``plan(tree size)`` names. At a size this object saw committed, its
        nodes come from memory where it can (``_nodes``); otherwise they are read with
        the log's current size in one read transaction (the size checked against it
        first)."""
        if size is not None and 0 <= size <= self._committed:
            return fetch_proof(plan(size), self._nodes)
        planned: list[Nodes] = []

        def ids_at(current: int) -> tuple[NodeID, ...]:
            self._saw(current)
            planned.append(plan(_within(size, current, what)))
            return planned[0].ids

        hashes = self._audit.nodes_at_head(ids_at, AUDIT_LOG)
        self._remember(zip(((n.level, n.index) for n in planned[0].ids), hashes, strict=True))
        return fetch_proof(planned[0], lambda ids: hashes)

    def _nodes(self, ids: list[NodeID]) -> list[bytes]:
        keys = [(node.level, node.index) for node in ids]
        with self._lock:
            found = {key: self._known_nodes[key] for key in keys if key in self._known_nodes}
        missing = [node for node, key in zip(ids, keys, strict=True) if key not in found]
        if missing:
            read = self._audit.get_nodes(missing, AUDIT_LOG)
            wanted = [(node.level, node.index) for node in missing]
            self._remember(zip(wanted, read, strict=True))
            found.update(zip(wanted, read, strict=True))
        return [found[key] for key in keys]

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The proof of leaf ``index`` in the tree of ``size`` leaves (default: current).

        Precondition (checked, ``AuditRangeError``): ``0 <= index < size <= self.size()``.
        """
        def plan(tree: int) -> Nodes:
            if not 0 <= index < tree:
                raise AuditRangeError(
                    f"inclusion proof: got index {index}, want 0 <= index < {tree}")
            return inclusion(index, tree)

        return self._proof(size, "inclusion proof", plan)

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        """The proof that the tree of ``size2`` leaves (default: current) extends ``size1``.

        Precondition (checked, ``AuditRangeError``): ``0 < size1 <= size2 <= self.size()``.
        """
        def plan(tree: int) -> Nodes:
            if not 0 < size1 <= tree:
                raise AuditRangeError(f"consistency proof: got sizes {size1}, {tree}; "
                                      "want 0 < size1 <= size2")
            return consistency(size1, tree)

        return self._proof(size2, "consistency proof", plan)

    def checkpoint(self, size: int | None = None) -> SignedHead:
        """The signed head at ``size`` (default: the current size)."""
        if size is None:
            head = self._store.log_head(AUDIT_LOG)
            size, root = head.size, fold_peaks(head.peaks)
        else:
            size = self._size(size, "checkpoint")
            root = self._store.log_root(AUDIT_LOG, size)
        checkpoint = Checkpoint(self.origin, size, root)
        signature = head_signature(checkpoint, self._key)
        return SignedHead(checkpoint, signature, checkpoint_note(checkpoint, [(self.verifier,
                                                                                signature)]))

    def signed_head(self, head: LogHead) -> SignedHead:
        """The signed head for ``head`` as ``append_encoded`` returned it (committed),
        signed once however many entries it was returned for."""
        with self._lock:
            signed = self._signed
        if signed is not None and signed.checkpoint.size == head.size:
            return signed
        checkpoint = Checkpoint(self.origin, head.size, fold_peaks(head.peaks))
        signature = head_signature(checkpoint, self._key)
        signed = SignedHead(checkpoint, signature,
                            checkpoint_note(checkpoint, [(self.verifier, signature)]))
        with self._lock:
            if self._signed is None or self._signed.checkpoint.size < head.size:
                self._signed = signed
        return signed

    def latest_checkpoint(self) -> SignedHead:
        """The signed head of the whole log as it is now."""
        return self.checkpoint()


def _within(size: int | None, current: int, what: str) -> int:
    """``size``, or ``current`` when None; ``AuditRangeError`` unless ``0 <= size <=
    current``."""
    if size is None:
        return current
    if not 0 <= size <= current:
        raise AuditRangeError(f"{what}: got tree size {size}, want 0 <= size <= {current}")
    return size
