"""This node's token set for private list matching, kept in step with its dishonesty list.

Each local serious-dishonesty entry contributes ``F(k, subject id)`` (crypto/oprf.py,
``evaluate``) and the shared category of the listing. Usage::

    keeper = TokenSetKeeper(oprf_key, TokenSetStore(engine))
    keeper.listed(entries)                       # entries added (idempotent per record)
    keeper.remove_listing("JS-2025-000123")      # repair/withdrawal: stop answering it

A running node does not call ``listed`` in the submit path: ingest wakes a
``node.service.token_updater.TokenSetUpdater``, which adds the entries from a durable
cursor in the background (and removes under its lock).

``remove_listing`` is the call for whatever stops a record from being answered (repair,
withdrawal, end of publicity): a subject removed from the list must stop matching.
The identifier is used only to compute the token and is never stored or logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from crypto import oprf
from crypto.tokens import normalize_identifier
from node.service.ingest import Listed
from node.store.sql_oprf_tokens import Listing, TokenSetStore

__all__ = ["TokenSetKeeper", "oprf_input"]

log = logging.getLogger(__name__)


def oprf_input(subject_id: str) -> bytes:
    """The OPRF input of an identifier: the normalized form (NFKC, trimmed, upper-case)
    as UTF-8, so that one subject has one token however either side typed it."""
    return normalize_identifier(subject_id).encode("utf-8")


class TokenSetKeeper:
    """Adds and removes listings of the token set under one OPRF key."""

    def __init__(self, key: oprf.OprfKeyPair, tokens: TokenSetStore) -> None:
        self.key = key
        self.tokens = tokens

    def listed(self, entries: Sequence[Listed]) -> None:
        """Add the tokens of newly stored dishonesty entries (idempotent per record_no)."""
        listings = [Listing(e.record_no, oprf.evaluate(self.key, oprf_input(e.subject_id)),
                            e.shared_category[:64]) for e in entries]
        added = self.tokens.add(listings)
        log.info("token set grew", extra={"added": added})

    def remove_listing(self, record_no: str) -> bool:
        """Stop matching the entry ``record_no`` lists; True if it was in the set."""
        removed = self.tokens.remove([record_no]) > 0
        log.info("token set listing removed", extra={"record_no": record_no,
                                                      "removed": removed})
        return removed
