"""Canonical form v1 against the examples printed in RFC 8785 itself.

These pin the JCS layer (the ``rfc8785`` package) to the RFC: number serialization
(Appendix B), property sorting (§3.2.3) and the combined sample (§3.2.2/§3.2.4).
"""

from __future__ import annotations

import struct

import pytest
import rfc8785

from crypto.canonical import canonical_bytes

APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("ieee754", "expected"), APPENDIX_B, ids=[b for b, _ in APPENDIX_B])
def test_appendix_b_numbers(ieee754: str, expected: str) -> None:
    (value,) = struct.unpack(">d", bytes.fromhex(ieee754))
    assert canonical_bytes({"n": value}) == f'{{"n":{expected}}}'.encode("ascii")


@pytest.mark.parametrize("ieee754", ["7fffffffffffffff", "7ff0000000000000"])
def test_appendix_b_nan_and_infinity_refused(ieee754: str) -> None:
    (value,) = struct.unpack(">d", bytes.fromhex(ieee754))
    with pytest.raises(ValueError, match=r"float at \$\.n is (nan|inf); want a finite number"):
        canonical_bytes({"n": value})


SORTING_INPUT = {
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\U0001f600": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis",
}
SORTED_KEYS = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_section_3_2_3_sorting_in_the_jcs_layer() -> None:
    expected = "{" + ",".join(
        rfc8785.dumps(k).decode("utf-8") + ":" + rfc8785.dumps(SORTING_INPUT[k]).decode("utf-8")
        for k in SORTED_KEYS
    ) + "}"
    assert rfc8785.dumps(SORTING_INPUT) == expected.encode("utf-8")


def test_section_3_2_3_example_differs_only_by_nfc() -> None:
    # U+FB33 is a composition exclusion: NFC turns it into U+05D3 U+05BC, which then
    # sorts before U+0080. Every other key of the RFC example is already NFC.
    ours = canonical_bytes(SORTING_INPUT).decode("utf-8")
    assert '"\u05d3\u05bc":"Hebrew Letter Dalet With Dagesh"' in ours
    assert "\ufb33" not in ours
    without = {k: v for k, v in SORTING_INPUT.items() if k != "\ufb33"}
    assert canonical_bytes(without) == rfc8785.dumps(without)


def test_section_3_2_2_combined_sample() -> None:
    sample = {
        "numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical_bytes(sample) == expected.encode("utf-8")
    # §3.2.4 prints the UTF-8 bytes; spot-check its start and end.
    assert canonical_bytes(sample).hex().startswith("7b226c69746572616c73223a5b6e756c6c")
    assert canonical_bytes(sample).hex().endswith("5c5c5c5c5c222f227d")
