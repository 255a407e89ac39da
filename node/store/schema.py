"""Every table of the node's store, declared once.

The Alembic revisions under ``migrations/versions`` create exactly these tables; a test
reflects a migrated database and compares it with this metadata, so the two cannot drift.
When you change a table here, add a revision that makes the same change.

Each index says which query it serves. Hashes and tokens are fixed-length byte strings,
checked in the database as well, so a truncated value cannot be stored by any writer.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "audit_entries",
    "batches",
    "data_keys",
    "keystore_metadata",
    "kv_meta",
    "log_nodes",
    "log_state",
    "metadata",
    "objections",
    "oprf_tokens",
    "records",
    "revocations",
]

# Constraint names are fixed by convention so a migration and this module name them alike.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments an "INTEGER PRIMARY KEY" (the rowid); elsewhere use BIGINT.
_ROW_ID = BigInteger().with_variant(Integer(), "sqlite")

records = Table(
    "records",
    metadata,
    Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    Column("province", String(2), nullable=False),
    Column("record_no", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("local_category", String(64), nullable=False),
    Column("shared_category", String(64), nullable=True),
    Column("catalog_version", Integer, nullable=True),
    Column("severity", String(16), nullable=False),
    Column("rule_version", String(32), nullable=False),
    Column("commitment", LargeBinary(32), nullable=False),
    Column("salt", LargeBinary(32), nullable=False),
    # Position in the origin province's record log (ours for local rows).
    Column("leaf_index", BigInteger, nullable=False),
    # Keyed hash of the subject's identifier; the identifier itself is never stored in clear.
    Column("subject_token", LargeBinary(32), nullable=False),
    # AES-GCM sealed canonical record (crypto/sealing.py) WITHOUT its wrapped data key
    # (crypto.sealing.detach_key): the key lives in the key store under ``key_id``, a
    # separate database, so a copy of this one alone never decrypts anything.
    Column("sealed_payload", LargeBinary, nullable=False),
    Column("is_public", Boolean, nullable=False),
    Column("publicity_end", Date, nullable=True),
    Column("status", String(16), nullable=False),
    Column("origin", String(8), nullable=False),
    # Set for foreign rows (the origin's batch); local rows find theirs by leaf index.
    Column("batch_seq", BigInteger, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The data key's id in the key store (keystore_metadata.data_keys); NULL only for rows
    # written before keys were kept apart (their payload still holds the wrapped key).
    Column("key_id", LargeBinary(16), nullable=True),
    # natural_person / organisation: the catalog's sharing policy decides by it (what may
    # leave the origin); NULL for rows written before it was kept.
    Column("subject_type", String(16), nullable=True),
    # get_record(province, record_no) and the idempotency check of add_records.
    UniqueConstraint("province", "record_no"),
    # Lookup by commitment (exchange de-duplication); a commitment is never reused.
    UniqueConstraint("commitment"),
    # get_record_by_leaf / records_by_leaf_range: proofs and batch pulls by leaf position.
    UniqueConstraint("province", "leaf_index"),
    CheckConstraint("length(commitment) = 32", name="commitment_len"),
    CheckConstraint("length(salt) = 32", name="salt_len"),
    CheckConstraint("length(subject_token) = 32", name="subject_token_len"),
    CheckConstraint("leaf_index >= 0", name="leaf_index_nonneg"),
    CheckConstraint("origin IN ('local', 'foreign')", name="origin_known"),
    CheckConstraint("key_id IS NULL OR length(key_id) = 16", name="key_id_len"),
)
# records_by_subject(token): every record of one subject, local and foreign.
Index(None, records.c.subject_token)
# public_records_ending(day): the lifecycle job ending publicity periods.
Index(None, records.c.is_public, records.c.publicity_end)

log_nodes = Table(
    "log_nodes",
    metadata,
    Column("log_name", String(32), nullable=False),
    Column("level", Integer, nullable=False),
    Column("idx", BigInteger, nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
    # get_nodes(log, [(level, idx), ...]): proof construction; the PK is the only index needed.
    PrimaryKeyConstraint("log_name", "level", "idx"),
    CheckConstraint("length(hash) = 32", name="hash_len"),
    CheckConstraint("level >= 0 AND level < 64 AND idx >= 0", name="position_valid"),
    # SQLite: the rows live in the primary-key b-tree itself (one tree to write, not two).
    sqlite_with_rowid=False,
)

log_state = Table(
    "log_state",
    metadata,
    # One row per log, read (and locked) at the start of every append.
    Column("log_name", String(32), primary_key=True),
    Column("size", BigInteger, nullable=False),
    # Concatenated 32-byte peak hashes of the compact range [0, size), largest subtree first.
    Column("peaks", LargeBinary, nullable=False),
    CheckConstraint("size >= 0", name="size_nonneg"),
)

batches = Table(
    "batches",
    metadata,
    Column("log_name", String(32), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("start_size", BigInteger, nullable=False),
    Column("end_size", BigInteger, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("prev_root", LargeBinary(32), nullable=False),
    Column("header_json", Text, nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("tx_hash", LargeBinary(32), nullable=True),
    Column("block_number", BigInteger, nullable=True),
    Column("anchored_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # get_batch(log, seq) and latest_batch(log) (highest seq of one log).
    PrimaryKeyConstraint("log_name", "seq"),
    CheckConstraint("length(root) = 32 AND length(prev_root) = 32", name="roots_len"),
    CheckConstraint("length(signature) = 64", name="signature_len"),
    CheckConstraint("tx_hash IS NULL OR length(tx_hash) = 32", name="tx_hash_len"),
    CheckConstraint("0 <= start_size AND start_size < end_size", name="sizes_valid"),
    CheckConstraint("status IN ('signed', 'submitted', 'anchored')", name="status_known"),
)
# batches_by_status(log, status): the anchoring loop picking up unfinished batches.
Index(None, batches.c.log_name, batches.c.status)
# batch_for_leaf(log, index): the first batch whose end_size exceeds the leaf index.
Index(None, batches.c.log_name, batches.c.end_size)

kv_meta = Table(
    "kv_meta",
    metadata,
    # get_meta(key) / set_meta(key, value): small node settings.
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("log_name", String(32), nullable=False),
    # The entry's leaf index in its log (``log_nodes`` level 0 holds its hash).
    Column("idx", BigInteger, nullable=False),
    Column("request_id", String(128), nullable=False),
    # Canonical JSON of the access event (node/audit/events.py): the leaf's data, as hashed.
    Column("entry", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # entry(index), entries(start, limit) and the auditor's full scan in index order.
    PrimaryKeyConstraint("log_name", "idx"),
    CheckConstraint("idx >= 0", name="idx_nonneg"),
    CheckConstraint("length(request_id) > 0", name="request_id_set"),
)
# indexes_of(request_id): inclusion proofs by request id, matching exchanges across nodes.
Index(None, audit_entries.c.log_name, audit_entries.c.request_id)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    # The province of the peer that handed the item over (its certificate's or the one
    # dialled), whatever the item claims.
    Column("origin", String(2), nullable=False),
    # As the item's envelope claims them (unverified); never personal data.
    Column("record_no", String(64), nullable=False),
    Column("leaf_index", BigInteger, nullable=False),
    # The receiver verification step that failed (node/exchange/verify.py).
    Column("step", Integer, nullable=False),
    # Why, naming the defect and never a payload value.
    Column("reason", String(300), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    # SHA-256 of the item's deterministic protobuf bytes: the same item is kept once.
    Column("item_sha256", LargeBinary(32), nullable=False),
    # The item itself (it may hold personal data), sealed with this node's master key.
    Column("sealed_item", LargeBinary, nullable=False),
    UniqueConstraint("item_sha256"),
    CheckConstraint("length(item_sha256) = 32", name="item_sha256_len"),
    CheckConstraint("step >= 1", name="step_valid"),
    CheckConstraint("leaf_index >= 0", name="leaf_index_nonneg"),
)
# quarantined(origin): an operator listing one peer's refused items in arrival order.
Index(None, quarantine.c.origin, quarantine.c.received_at)

foreign_batches = Table(
    "foreign_batches",
    metadata,
    # A peer province's signed batch header, as verified when one of its records arrived.
    Column("province", String(2), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("header_json", Text, nullable=False),
    Column("signature", LargeBinary(64), nullable=False),
    # Where the origin says the root was anchored (the root itself was checked on-chain).
    Column("chain_id", BigInteger, nullable=False),
    Column("contract", LargeBinary(20), nullable=False),
    Column("tx_hash", LargeBinary(32), nullable=True),
    Column("block_number", BigInteger, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    # foreign_proof(province, leaf): the header a stored proof leads to.
    PrimaryKeyConstraint("province", "seq"),
    CheckConstraint("length(signature) = 64", name="signature_len"),
    CheckConstraint("length(contract) = 20", name="contract_len"),
    CheckConstraint("tx_hash IS NULL OR length(tx_hash) = 32", name="tx_hash_len"),
)

foreign_proofs = Table(
    "foreign_proofs",
    metadata,
    # The inclusion proof of a foreign record (records.province, records.leaf_index) in
    # its origin's batch ``batch_seq``, so answers carry the origin's proof.
    Column("province", String(2), nullable=False),
    Column("leaf_index", BigInteger, nullable=False),
    Column("batch_seq", BigInteger, nullable=False),
    # Concatenated 32-byte hashes, nearest sibling first.
    Column("inclusion_proof", LargeBinary, nullable=False),
    # foreign_proof(province, leaf): one lookup per answered foreign record.
    PrimaryKeyConstraint("province", "leaf_index"),
    CheckConstraint("length(inclusion_proof) % 32 = 0", name="proof_len"),
)

oprf_tokens = Table(
    "oprf_tokens",
    metadata,
    # Paging cursor of GetTokenSet: rows are served in id order.
    Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    # The local serious-dishonesty entry this token lists (one token per listing).
    Column("record_no", String(64), nullable=False),
    # F(k, subject id) under this node's OPRF key (crypto/oprf.py); not the id itself.
    Column("token", LargeBinary(64), nullable=False),
    Column("shared_category", String(64), nullable=False),
    # remove_listing(record_no) and the idempotent add.
    UniqueConstraint("record_no"),
    CheckConstraint("length(token) = 64", name="token_len"),
)

revocations = Table(
    "revocations",
    metadata,
    # A repair / withdrawal notice (node/service/revocation_notice.py): leaf ``idx`` of
    # ``province``'s revocation log. Ours are appended here with the log; a peer's arrive
    # verified (signature, inclusion, anchor) and are kept as proof of why we stopped.
    Column("province", String(2), nullable=False),
    Column("idx", BigInteger, nullable=False),
    Column("record_no", String(64), nullable=False),
    # Canonical JSON of the notice: the leaf's data, as hashed. Ids only, never a name.
    Column("notice", LargeBinary, nullable=False),
    Column("origin", String(8), nullable=False),
    # Set for a peer's notice (the origin's revocation batch).
    Column("batch_seq", BigInteger, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # revocations_in(province, start, end): serving and proving by leaf position.
    PrimaryKeyConstraint("province", "idx"),
    CheckConstraint("idx >= 0", name="idx_nonneg"),
    CheckConstraint("origin IN ('local', 'foreign')", name="origin_known"),
)
# revocation_of(province, record_no): is this record revoked, and by which notice.
Index(None, revocations.c.province, revocations.c.record_no)

objections = Table(
    "objections",
    metadata,
    # An objection (异议) a platform filed against one of its province's records; kept at
    # the origin only (the applicant may be a person); peers learn of it through a notice.
    Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    Column("province", String(2), nullable=False),
    Column("record_no", String(64), nullable=False),
    Column("applicant", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("evidence_sha256", LargeBinary(32), nullable=True),
    Column("received_on", Date, nullable=False),
    # received_on + the province's deadline in working days (holiday calendar).
    Column("verify_deadline", Date, nullable=False),
    Column("request_id", String(128), nullable=False),
    # NULL while open; corrected / upheld / unverifiable once decided.
    Column("result", String(16), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("corrected_record_no", String(64), nullable=True),
    CheckConstraint("result IS NULL OR result IN ('corrected', 'upheld', 'unverifiable')",
                    name="result_known"),
    CheckConstraint("evidence_sha256 IS NULL OR length(evidence_sha256) = 32",
                    name="evidence_len"),
)
# open_objection(province, record_no): the one open objection of a record, if any.
Index(None, objections.c.province, objections.c.record_no)

# -- the key store: a database of its own (SQLite ``keys.db`` next to ``node.db``) --------
# Not migrated by Alembic with the tables above: it lives in another database with its own
# retention, so a backup of the node database never holds a key (docs/lifecycle.md).
keystore_metadata = MetaData(naming_convention=metadata.naming_convention)

data_keys = Table(
    "data_keys",
    keystore_metadata,
    # records.key_id: the lookup of every read that opens a payload; the PK serves it.
    Column("key_id", LargeBinary(16), primary_key=True),
    # The record's data key wrapped by the node master key (AES-KW, 40 bytes).
    Column("wrapped_key", LargeBinary(40), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("length(key_id) = 16", name="key_id_len"),
    CheckConstraint("length(wrapped_key) = 40", name="wrapped_key_len"),
)
