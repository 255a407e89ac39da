"""Ingest: validate → commit → seal → store, one transaction per submission.

Validation is per record; committing and sealing are done for the submission's valid
records together (:func:`prepare_many`), storing in one ``add_records`` call.

The handler takes raw JSON records from the calling platform and answers, for each
input position, either the stored commitment and leaf index or the reasons it was
refused. Valid records are stored even when others in the same submission are bad;
a (province, record_no) already stored returns its existing commitment and adds no leaf.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from crypto.canonical import canonical_form
from crypto.commitment import new_salts
from crypto.disclosure import SCHEME_V2
from crypto.sealing import MasterKey, record_aad, seal_many
from crypto.tokens import subject_token
from node.domain.catalog.sharing import subject_type
from node.domain.publicity import publicity_end
from node.domain.records import (
    DishonestyEntry,
    PenaltyRecord,
    Record,
    is_public,
    parse_record,
    subject_identifier,
    to_json,
)
from node.domain.validation import Issue, ValidationContext, validate_record
from node.service.disclosure import commit_v2_plain
from node.store.contract import Store
from node.store.rows import NewRecord

MAX_RECORD_BYTES = 256 * 1024

Categorize = Callable[[Record], "tuple[str, int] | Issue"]
"""Maps a record's local category onto the shared catalog: (shared code, version) or why not."""


@dataclass(frozen=True)
class Accepted:
    position: int
    record_no: str
    commitment: bytes
    leaf_index: int
    duplicate: bool


@dataclass(frozen=True)
class Rejected:
    position: int
    record_no: str
    errors: tuple[Issue, ...]


@dataclass(frozen=True)
class IngestOutcome:
    accepted: list[Accepted]
    rejected: list[Rejected]


@dataclass(frozen=True)
class Listed:
    """A serious-dishonesty entry just stored: what the matching token set needs of it.

    ``subject_id`` is the identifier in clear (ingest has it anyway); it goes to the
    token-set hook only, which keeps nothing of it but its OPRF output.
    """

    record_no: str
    subject_id: str = field(repr=False)
    shared_category: str


OnListed = Callable[[Sequence[Listed]], None]
"""Called after a submission is stored with its newly stored dishonesty entries."""


@dataclass(frozen=True)
class IngestKeys:
    """What ingest needs besides the store: the node master key and the subject-token key."""

    master_key: MasterKey
    token_key: bytes


def record_publicity_end(record: Record) -> dt.date | None:
    """When the record stops being published by itself (None: not time-bounded here)."""
    if isinstance(record, PenaltyRecord):
        return publicity_end(record.decision_date, record.severity, record.rule_version,
                             record.penalty_types, simplified=record.is_simplified)
    if isinstance(record, DishonestyEntry):
        return record.valid_until
    return None


def _decode(raw: bytes | str | dict[str, object]) -> object:
    if isinstance(raw, dict):
        return raw
    if len(raw) > MAX_RECORD_BYTES:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def _record_no_of(obj: object) -> str:
    value = obj.get("record_no") if isinstance(obj, dict) else None
    return value[:64] if isinstance(value, str) else ""


def prepare(record: Record, keys: IngestKeys) -> NewRecord:
    """Commit (scheme v2, fresh 32-byte seed) and seal (fresh data key) one valid record.

    The seed is stored in the ``salt`` column and travels as v1's salt did.
    """
    return prepare_many([record], keys)[0]


def prepare_many(records: Sequence[Record], keys: IngestKeys) -> list[NewRecord]:
    """:func:`prepare` of each record, with the batch-level work done once: one draw of
    the seeds, one of the data keys and nonces (``seal_many``), the master key's id once;
    each record is encoded once and committed from its normalized form (not re-parsed)."""
    forms = [canonical_form(to_json(record)) for record in records]
    seeds = new_salts(len(records))
    sealed = seal_many([(canonical, record_aad(record.province, record.record_no))
                        for (canonical, _), record in zip(forms, records, strict=True)],
                       keys.master_key)
    return [
        NewRecord(
            province=record.province,
            record_no=record.record_no,
            kind=record.kind,
            local_category=record.local_category,
            shared_category=None,
            catalog_version=None,
            severity=record.severity,
            rule_version=record.rule_version,
            commitment=commit_v2_plain(plain, seed),
            salt=seed,
            subject_token=subject_token(subject_identifier(record), keys.token_key),
            sealed_payload=payload,
            is_public=is_public(record),
            publicity_end=record_publicity_end(record),
            scheme=SCHEME_V2,
            subject_type=subject_type(record.subject_kind),
        )
        for record, (_, plain), seed, payload in zip(records, forms, seeds, sealed, strict=True)
    ]


def ingest(
    raws: Sequence[bytes | str | dict[str, object]],
    *,
    submitter_province: str,
    store: Store,
    keys: IngestKeys,
    validation: ValidationContext,
    categorize: Categorize | None = None,
    on_listed: OnListed | None = None,
) -> IngestOutcome:
    """Validate and store a submission from ``submitter_province``'s platform.

    ``categorize`` maps a record's local category onto the shared catalog (returning the
    shared code and catalog version, or an Issue refusing it); None skips recognition.
    ``on_listed`` gets the dishonesty entries this call stored (not duplicates), after
    the store transaction, to update the matching token set.
    """
    rejected: list[Rejected] = []
    parsed: list[Record] = []
    categories: list[tuple[str, int]] = []
    positions: list[int] = []
    for position, raw in enumerate(raws):
        obj = _decode(raw)
        if obj is None:
            issue = Issue("NOT_JSON", "",
                          f"record is not a JSON object of at most {MAX_RECORD_BYTES} bytes")
            rejected.append(Rejected(position, "", (issue,)))
            continue
        result = validate_record(obj, validation)
        errors = list(result.errors)
        if not errors and isinstance(obj, dict) and obj.get("province") != submitter_province:
            errors.append(Issue("PROVINCE_NOT_YOURS", "province",
                                f"this platform submits for {submitter_province} only"))
        if errors:
            rejected.append(Rejected(position, _record_no_of(obj), tuple(errors)))
            continue
        assert isinstance(obj, dict)
        record = parse_record(obj)
        if categorize is not None:
            mapped = categorize(record)
            if isinstance(mapped, Issue):
                rejected.append(Rejected(position, record.record_no, (mapped,)))
                continue
            categories.append(mapped)
        parsed.append(record)
        positions.append(position)
    rows = prepare_many(parsed, keys)
    if categorize is not None:
        rows = [_with_category(row, shared, version)
                for row, (shared, version) in zip(rows, categories, strict=True)]
    refs = store.add_records(rows) if rows else []
    if on_listed is not None:
        listed = [Listed(row.record_no, subject_identifier(record),
                         row.shared_category or row.local_category)
                  for row, record, ref in zip(rows, parsed, refs, strict=True)
                  if ref.created and isinstance(record, DishonestyEntry)]
        if listed:
            on_listed(listed)
    accepted = [
        Accepted(pos, ref.record_no, ref.commitment, ref.leaf_index, duplicate=not ref.created)
        for pos, ref in zip(positions, refs, strict=True)
    ]
    return IngestOutcome(accepted, rejected)


def _with_category(row: NewRecord, shared: str, version: int) -> NewRecord:
    return replace(row, shared_category=shared, catalog_version=version)
