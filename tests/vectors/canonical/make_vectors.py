"""Write the canonical-form v1 test vectors (run once; the JSON files are committed).

    .venv/bin/python tests/vectors/canonical/make_vectors.py

Every vector carries a hand-written expected canonical text, checked here against
``crypto.canonical.canonical_bytes`` before anything is written, and its commitment is
computed with ``hashlib`` straight from the documented formula rather than through
``crypto.commitment``. A vector that disagrees aborts the run instead of being recorded.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from crypto.canonical import CANONICAL_VERSION, canonical_bytes  # noqa: E402

TAG = b"yrd-credit/record-commitment/v1\x00"

PENALTY = {
    "CF_XDR_MC": "苏州某某机械制造有限公司",
    "CF_XDR_LB": "法人及非法人组织",
    "CF_XDR_SHXYM": "91350100M000100Y43",
    "CF_WSH": "苏市监罚〔2024〕第0012号",
    "CF_CFLB": ["罚款", "没收违法所得"],
    "CF_NR_FK": 1.5,
    "CF_JDRQ": "2024-03-15",
}
PENALTY_TEXT = (
    '{"CF_CFLB":["罚款","没收违法所得"],"CF_JDRQ":"2024-03-15","CF_NR_FK":1.5,'
    '"CF_WSH":"苏市监罚〔2024〕第0012号","CF_XDR_LB":"法人及非法人组织",'
    '"CF_XDR_MC":"苏州某某机械制造有限公司","CF_XDR_SHXYM":"91350100M000100Y43"}'
)

# "Café 豈" typed two ways: NFD (e + U+0301) with the compatibility ideograph U+F900, and
# NFC (U+00E9) with its canonical equivalent U+8C48. Both must give the NFC bytes.
NFD_RECORD = {"name": "Cafe\u0301 \uf900", "note": "Cafe\u0301"}
NFC_RECORD = {"note": "Caf\u00e9", "name": "Caf\u00e9 \u8c48"}
NFC_TEXT = '{"name":"Caf\u00e9 \u8c48","note":"Caf\u00e9"}'

# UTF-16 code-unit order differs from code-point order for characters outside the BMP:
# U+1F600 (D83D DE00) and U+20000 (D840 DC00) sort before U+FF08 "（" and U+FF46 "ｆ".
KEY_ORDER = {
    "\uff08": "fullwidth parenthesis",
    "\U00020000": "CJK Ext B",
    "\u4e2d": "CJK",
    "a": "a",
    "\U0001f600": "emoji",
    "\uff46": "fullwidth f",
    "\u00e9": "e acute",
    "A": "A",
    "10": "ten",
    "1": "one",
}
KEY_ORDER_TEXT = (
    '{"1":"one","10":"ten","A":"A","a":"a","\u00e9":"e acute","\u4e2d":"CJK",'
    '"\U0001f600":"emoji","\U00020000":"CJK Ext B","\uff08":"fullwidth parenthesis",'
    '"\uff46":"fullwidth f"}'
)

NESTED = {
    "list": ["b", "a", ["z", ["y"]], [], {}],
    "obj": {"z": {"b": "2", "a": "1"}, "a": [{"k2": "v", "k1": "v"}]},
    "flags": [True, False, None],
}
NESTED_TEXT = (
    '{"flags":[true,false,null],"list":["b","a",["z",["y"]],[],{}],'
    '"obj":{"a":[{"k1":"v","k2":"v"}],"z":{"a":"1","b":"2"}}}'
)

NUMBERS = {
    "ints": [0, -1, 9007199254740991, -9007199254740991],
    "floats": [1.5, 0.1, 12.3456, 100.0, -0.0, 1e21, 1e-7, 1e-6, 333333333.33333329],
    "amount_wan_yuan": 0.05,
}
NUMBERS_TEXT = (
    '{"amount_wan_yuan":0.05,'
    '"floats":[1.5,0.1,12.3456,100,0,1e+21,1e-7,0.000001,333333333.3333333],'
    '"ints":[0,-1,9007199254740991,-9007199254740991]}'
)

ESCAPES = {"s": 'q"b\\s/\u0000\u001f\t\n\r\b\f\u007f\u2028€'}
ESCAPES_TEXT = '{"s":"q\\"b\\\\s/\\u0000\\u001f\\t\\n\\r\\b\\f\u007f\u2028€"}'

DISHONESTY = {
    "subject_name": "张\U0002a6a5",
    "list": "法院 失信被执行人",
    "reason": "有履行能力而拒不履行生效法律文书确定义务",
    "decision_no": "（2024）沪0115执1234号",
    "listing_date": "2024-05-20",
}
DISHONESTY_TEXT = (
    '{"decision_no":"（2024）沪0115执1234号","list":"法院 失信被执行人",'
    '"listing_date":"2024-05-20","reason":"有履行能力而拒不履行生效法律文书确定义务",'
    '"subject_name":"张\U0002a6a5"}'
)

VECTORS: list[tuple[str, str, Mapping[str, object], str]] = [
    ("penalty_chinese_text", "administrative penalty with Chinese text and an amount",
     PENALTY, PENALTY_TEXT),
    ("nfd_input_normalised", "NFD and a CJK compatibility ideograph: encoded as NFC",
     NFD_RECORD, NFC_TEXT),
    ("nfc_input_same_bytes", "the NFC spelling of nfd_input_normalised: identical bytes",
     NFC_RECORD, NFC_TEXT),
    ("key_order_utf16", "keys sorted by UTF-16 code units, not code points (RFC 8785 3.2.3)",
     KEY_ORDER, KEY_ORDER_TEXT),
    ("nested_lists_objects", "nested lists keep order, nested objects are sorted",
     NESTED, NESTED_TEXT),
    ("numbers_es6_form", "ECMAScript number serialization (RFC 8785 3.2.2.3)",
     NUMBERS, NUMBERS_TEXT),
    ("string_escapes", "JSON escapes: only \" \\ and controls; DEL, U+2028 and / stay raw",
     ESCAPES, ESCAPES_TEXT),
    ("dishonesty_entry_rare_char", "list entry with a CJK Ext B character and full-width ()",
     DISHONESTY, DISHONESTY_TEXT),
    ("empty_record", "the empty object", {}, "{}"),
]


def main() -> None:
    for name, description, record, expected_text in VECTORS:
        canonical = canonical_bytes(record)
        if canonical != expected_text.encode("utf-8"):
            raise SystemExit(
                f"{name}: canonical_bytes gives {canonical!r}, hand-written expectation "
                f"is {expected_text.encode('utf-8')!r}"
            )
        salt = hashlib.sha256(b"yrd-credit test vector salt:" + name.encode()).digest()
        commitment = hashlib.sha256(TAG + salt + canonical).digest()
        vector = {
            "name": name,
            "description": description,
            "canonical_version": CANONICAL_VERSION,
            "domain_tag_hex": TAG.hex(),
            "input": record,
            "canonical_utf8": expected_text,
            "canonical_hex": canonical.hex(),
            "salt_hex": salt.hex(),
            "commitment_hex": commitment.hex(),
        }
        path = HERE / f"{name}.json"
        path.write_text(json.dumps(vector, ensure_ascii=True, indent=2) + "\n", "ascii")
        print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
