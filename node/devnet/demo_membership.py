"""The demo's membership step: a member removed by a vote, refused at once, readmitted.

1. ZJ is removed by three of the four members (SH proposes, JS and AH approve); ZJ does
   not vote;
2. ZJ's node asks SH for its signed audit head (the witness read: it reveals only hashes
   and is not itself logged) until SH refuses it — every call of every ZJ role passes the
   same per-call membership check — and the time from the executing transaction to the
   first refusal is measured; then a ZJ ``PullRecords`` at SH is shown refused too (it is
   only sent once refused, so no record leaves SH that ZJ's log would not match);
3. ZJ is readmitted with the same keys (SH proposes, JS approves: 2 of the 3 members left)
   and the same read is answered again, measured the same way.

Every figure is read back: membership from the ledger, refusals from SH's answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from ledger.errors import LedgerError
from node.authz.request_ids import new_request_id
from node.devnet.demo import DemoFailed, DemoRun
from node.devnet.ledger_setup import member_client, member_spec
from node.exchange.ports import PeerCallFailed
from node.grpc.peer import PeerClient
from node.identity import Layout

__all__ = ["membership_step"]

REMOVED: Final = "ZJ"
SERVER: Final = "SH"
VOTERS: Final = ("SH", "JS", "AH")
_STEP: Final = 0.1


def _until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Seconds until ``condition`` holds (bounded poll on the real answer)."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise DemoFailed(f"{what} not seen after {timeout:g} s")
        time.sleep(_STEP)
    return time.monotonic() - started


def _refused(call: Callable[[], object]) -> bool:
    try:
        call()
    except PeerCallFailed as exc:
        if exc.code.endswith("UNAUTHENTICATED"):  # the transport names it StatusCode.X
            return True
        raise DemoFailed(f"{REMOVED}'s call at {SERVER} failed with {exc.code}: {exc}") from exc
    return False


def membership_step(run: DemoRun) -> list[str]:
    """Steps (1)-(3) of the module doc; DemoFailed when a removal or readmission fails."""
    doc, layout = run.consortium(), run.layout
    if not {REMOVED, *VOTERS} <= set(doc.provinces):
        return [f"skipped: needs {', '.join((REMOVED, *VOTERS))} in the consortium"]
    removed_node = Layout(layout.node_dir(REMOVED))
    as_removed = PeerClient(SERVER, doc.provinces[SERVER].grpc, cert=removed_node.node_cert,
                            key=removed_node.node_key, ca=layout.ca_bundle)
    clients = {p: member_client(doc, layout, p) for p in VOTERS}
    spec = member_spec(layout, REMOVED)
    try:
        size = clients[SERVER].latest_audit_head(SERVER).tree_size

        def head() -> object:
            return as_removed.head_at(size)

        head()  # a member: answered
        # (1)
        proposal = clients["SH"].propose_remove_member(REMOVED)
        votes = 1
        for province in VOTERS[1:]:
            votes += 1
            if clients[province].approve(proposal).executed:
                break
        if clients["SH"].member(REMOVED).active:
            raise DemoFailed(f"{REMOVED} still active after {votes} approvals")
        active = [m.province for m in clients["SH"].members()]
        # (2)
        refused_after = _until(lambda: _refused(head), run.options.timeout,
                               f"{SERVER} refusing {REMOVED}")
        pulled = _refused(lambda: as_removed.pull_records(
            cursor="", limit=10, request_id=new_request_id(), timeout=10.0))
        if not pulled:
            raise DemoFailed(f"{SERVER} refused {REMOVED}'s head read but answered its pull")
        # (3)
        readmission = clients["SH"].propose_add_member(spec)
        if not clients["JS"].approve(readmission).executed:
            raise DemoFailed(f"readmitting {REMOVED} did not execute with 2 of 3 approvals")
        back_after = _until(lambda: not _refused(head), run.options.timeout,
                            f"{SERVER} answering {REMOVED} again")
        members_now = [m.province for m in clients["SH"].members()]
    except LedgerError as exc:
        raise DemoFailed(f"governance failed: {exc}") from exc
    finally:
        as_removed.close()
    run.facts["membership"] = {"refused_after_s": round(refused_after, 2),
                               "readmitted_after_s": round(back_after, 2)}
    return [
        f"{REMOVED} removed by {votes} of {len(VOTERS) + 1} members (proposal {proposal}); "
        f"the ledger lists {', '.join(active)} as active",
        f"{SERVER} refused {REMOVED}'s node {refused_after:.1f} s after the vote "
        f"(UNAUTHENTICATED: not an active member); its PullRecords refused too",
        f"{REMOVED} readmitted with the same keys (proposal {readmission}, 2 of 3); "
        f"{SERVER} answers it again after {back_after:.1f} s; active now: "
        f"{', '.join(members_now)}",
    ]
