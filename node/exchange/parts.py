"""The exchange of one running node: receiver, callee side, federation, puller threads.

``node.runtime.exchange.open_exchange`` builds it; the servicers use its parts and the
running node starts and stops the pullers::

    exchange.start()                       # one puller thread per [[peers]] entry
    exchange.stop()                        # all asked at once, then joined

The peer clients it reaches peers through belong to the running node, which closes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from node.exchange.federate import PeerFederation
from node.exchange.fetch import FetchDeps
from node.exchange.puller import Puller
from node.exchange.receive import Receiver
from node.exchange.serve import ServeDeps

__all__ = ["Exchange"]


@dataclass
class Exchange:
    """Everything the exchange of a node holds (thread-safe to share)."""

    receiver: Receiver
    serve: ServeDeps
    fetch: FetchDeps
    federation: PeerFederation
    pullers: list[Puller] = field(default_factory=list)

    def start(self) -> None:
        """Start one puller thread per peer."""
        for puller in self.pullers:
            puller.start()

    def wake(self) -> None:
        """Ask every puller to pull now."""
        for puller in self.pullers:
            puller.wake()

    def wake_peer(self, province: str) -> None:
        """Ask the puller of ``province``'s records to pull now (a nudge from it)."""
        for puller in self.pullers:
            if puller.link.province == province:
                puller.wake()

    def stop(self) -> None:
        """Stop the pullers (all asked at once)."""
        for puller in self.pullers:
            puller.signal_stop()
        for puller in self.pullers:
            puller.stop()
