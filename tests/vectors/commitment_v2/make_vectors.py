"""Write the commitment-v2 test vectors (run once; the JSON files are committed).

    .venv/bin/python tests/vectors/commitment_v2/make_vectors.py

Each vector is computed here with ``hashlib``/``hmac`` straight from the formulas of
docs/commitment-v2.md — not through ``crypto.disclosure`` — and then checked against
``crypto.disclosure`` and ``node.service.disclosure`` before anything is written; a vector
that disagrees aborts the run instead of being recorded. Seeds are fixed (derived from
the vector name) so a rerun writes the same files.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from crypto import disclosure  # noqa: E402
from node.service.disclosure import commit_v2, split  # noqa: E402

SALT_TAG = b"yrd-credit/field-salt/v2\x00"
DIGEST_TAG = b"yrd-credit/field-digest/v2\x00"
RECORD_TAG = b"yrd-credit/record-commitment-sd/v2\x00"

ENVELOPE = {"kind": "penalty", "province": "JS", "record_no": "JS-2025-000123",
            "local_category": "JSXY0101", "severity": "general", "rule_version": "2023"}
ORG = {**ENVELOPE, "publish_date": "2025-03-20",
       "CF_XDR_MC": "南京某某贸易有限公司", "CF_XDR_LB": "法人及非法人组织",
       "CF_XDR_SHXYM": "91320100MA1XYZ0A5R", "CF_WSH": "宁市监罚〔2025〕123号",
       "CF_CFLB": ["罚款", "警告"], "CF_NR_FK": "2.5", "CF_JDRQ": "2025-03-14"}
PERSON = {**ENVELOPE, "record_no": "JS-2025-000124", "CF_XDR_MC": "张三",
          "CF_XDR_LB": "自然人", "CF_XDR_ZJLX": "身份证",
          "CF_XDR_ZJHM": "320102199003071234", "CF_WSH": "宁市监罚〔2025〕124号",
          "CF_CFLB": ["警告"], "CF_JDRQ": "2025-03-15"}
MINIMAL = {**ENVELOPE, "record_no": "JS-2025-000125", "CF_WSH": "e\u0301"}


def lp(part: bytes) -> bytes:
    return struct.pack(">I", len(part)) + part


def jcs(value: object) -> bytes:
    # The vectors hold strings and lists of strings only, in NFC (MINIMAL's "é" is given
    # decomposed on purpose and normalized here): json.dumps is RFC 8785 for them.
    import unicodedata
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value)
    elif isinstance(value, list):
        value = [unicodedata.normalize("NFC", v) for v in value]
    return json.dumps(value, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def masked(value: str) -> str:
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def vector(name: str, description: str, record: dict[str, object],
           withheld: list[str]) -> dict[str, object]:
    seed = hashlib.sha256(b"commitment-v2 vector seed " + name.encode()).digest()
    envelope = {k: v for k, v in record.items() if k in (*ENVELOPE, "publish_date")}
    fields = {k: v for k, v in record.items() if k not in envelope}
    if isinstance(fields.get("CF_XDR_ZJHM"), str):
        fields["CF_XDR_ZJHM#masked"] = masked(str(fields["CF_XDR_ZJHM"]))
    rows = []
    for field, value in sorted(fields.items()):
        salt = hmac.digest(seed, SALT_TAG + lp(field.encode()), "sha256")
        digest = hashlib.sha256(DIGEST_TAG + lp(salt) + lp(field.encode())
                                + lp(jcs(value))).digest()
        rows.append({"name": field, "value": value, "salt_hex": salt.hex(),
                     "value_jcs_hex": jcs(value).hex(), "digest_hex": digest.hex()})
    digests = sorted(bytes.fromhex(str(r["digest_hex"])) for r in rows)
    envelope_jcs = json.dumps(envelope, ensure_ascii=False, sort_keys=True,
                              separators=(",", ":")).encode("utf-8")
    commitment = hashlib.sha256(RECORD_TAG + lp(envelope_jcs) + struct.pack(">I", len(digests))
                                + b"".join(digests)).digest()
    leaf = b"\x02" + commitment
    # Cross-check against the implementation before recording anything.
    assert split(record)[0] == envelope and split(record)[1].keys() == fields.keys(), name
    assert commit_v2(record, seed) == commitment, name
    assert disclosure.leaf_data(2, commitment) == leaf, name
    shown = [r for r in rows if r["name"] not in withheld]
    hidden = sorted(str(r["digest_hex"]) for r in rows if r["name"] in withheld)
    recomputed = disclosure.record_commitment(
        envelope, [disclosure.field_digest(bytes.fromhex(str(r["salt_hex"])), str(r["name"]),
                                           r["value"]) for r in shown]
        + [bytes.fromhex(h) for h in hidden])
    assert recomputed == commitment, name
    return {
        "name": name, "description": description, "scheme": 2,
        "tags": {"field_salt": SALT_TAG.hex(), "field_digest": DIGEST_TAG.hex(),
                 "record": RECORD_TAG.hex()},
        "record": record, "seed_hex": seed.hex(), "envelope": envelope,
        "envelope_jcs_hex": envelope_jcs.hex(), "fields": rows,
        "commitment_hex": commitment.hex(), "leaf_data_hex": leaf.hex(),
        "leaf_hash_hex": hashlib.sha256(b"\x00" + leaf).hexdigest(),
        "disclosure": {"withheld_names": withheld,
                       "shown": [r["name"] for r in shown], "withheld_digests_hex": hidden},
    }


CASES = [
    ("penalty_org", "a company's penalty; the fine and penalty kinds withheld", ORG,
     ["CF_CFLB", "CF_NR_FK"]),
    ("penalty_person", "a person's penalty: the ID number withheld, its masked display shown",
     PERSON, ["CF_XDR_ZJHM"]),
    ("minimal_nfd", "one field given in NFD, committed in NFC; nothing withheld", MINIMAL, []),
]

if __name__ == "__main__":
    for name, description, record, withheld in CASES:
        path = HERE / f"{name}.json"
        document = vector(name, description, record, withheld)
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
        print(f"wrote {path.name}")
