"""The auditor's view of one node over gRPC: its served head, entries and proofs
(``node.auditor`` re-exports it; the verifier there never touches gRPC itself).

Nothing here is trusted: the verifier checks every answer against the chain. Every call
has a deadline; entries are read in pages (``ListEntries``) and streamed. Usage::

    with tls_channel(endpoint, cert=..., key=..., ca=...) as channel:
        node = AuditClient(channel)
        head = node.latest_head()                      # credit.v1.SignedTreeHead
        for index, entry in node.entries(end=head.tree_size): ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final

from node._proto.credit.v1 import audit_pb2
from node.grpc.stubs import audit_stub

__all__ = ["PAGE", "AuditClient"]

PAGE: Final = 5000


class AuditClient:
    """AuditService calls on ``channel`` (presenting an auditor's certificate)."""

    def __init__(self, channel: Any, *, timeout: float = 30.0) -> None:
        self._stub = audit_stub(channel)
        self._timeout = timeout

    def latest_head(self) -> audit_pb2.SignedTreeHead:
        """The node's SignedTreeHead now."""
        answer: audit_pb2.GetLatestHeadResponse = self._stub.GetLatestHead(
            audit_pb2.GetLatestHeadRequest(), timeout=self._timeout)
        return answer.head

    def head_at(self, size: int) -> audit_pb2.SignedTreeHead:
        answer: audit_pb2.GetHeadAtSizeResponse = self._stub.GetHeadAtSize(
            audit_pb2.GetHeadAtSizeRequest(tree_size=size), timeout=self._timeout)
        return answer.head

    def entries(self, *, start: int = 0, end: int | None = None,
                progress: Callable[[int], None] | None = None) -> Iterator[tuple[int, bytes]]:
        """``(index, entry)`` from ``start`` up to (not including) ``end``, page by page.

        A page whose indices do not increase is passed on as it is (the verifier reports
        it); paging stops when the node says there is no more, or past ``end``.
        """
        token = ""
        while True:
            request = audit_pb2.ListEntriesRequest(start_index=start, page_size=PAGE,
                                                   page_token=token)
            page = self._stub.ListEntries(request, timeout=self._timeout)
            kept = [(int(e.leaf_index), bytes(e.canonical_entry)) for e in page.entries
                    if end is None or e.leaf_index < end]
            yield from kept
            if progress is not None:
                progress(len(kept))
            token = page.next_page_token
            if not token or len(kept) < len(page.entries):
                return

    def consistency(self, first: int, second: int) -> Sequence[bytes]:
        request = audit_pb2.GetConsistencyProofRequest(first_size=first, second_size=second)
        answer = self._stub.GetConsistencyProof(request, timeout=self._timeout)
        return [bytes(h) for h in answer.proof]

    def inclusion(self, index: int, size: int) -> Sequence[bytes]:
        request = audit_pb2.GetInclusionProofRequest(leaf_index=index, tree_size=size)
        answer = self._stub.GetInclusionProof(request, timeout=self._timeout)
        if len(answer.inclusions) != 1 or answer.inclusions[0].leaf_index != index:
            raise ValueError(f"inclusion proof of entry {index}: the node answered another")
        return [bytes(h) for h in answer.inclusions[0].proof]

    def inclusion_of(self, request_id: str,
                     size: int = 0) -> audit_pb2.GetInclusionProofResponse:
        """Every entry logged under ``request_id`` with its proof (GetInclusionProofResponse)."""
        request = audit_pb2.GetInclusionProofRequest(request_id=request_id, tree_size=size)
        answer: audit_pb2.GetInclusionProofResponse = self._stub.GetInclusionProof(
            request, timeout=self._timeout)
        return answer
