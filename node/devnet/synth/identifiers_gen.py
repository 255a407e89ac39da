"""Well-formed synthetic identifiers: USCCs and citizen ID numbers.

Every USCC has a correct check character (position 18). The embedded organisation code
(positions 9-17) is correct unless the caller asks otherwise: real codes issued with an
``MA…`` body fail that check now and then, and the validator only warns about it.

The check characters are the ones of :mod:`node.domain.identifiers` (same weights and
alphabets, imported from there) computed with C-level ``map``/``sum``: the generator
makes one identifier per record or so, and the readable versions there were a third of
its time. Tests cross-check every generated identifier with :mod:`node.domain.identifiers`.
"""

from __future__ import annotations

import datetime as dt
from operator import mul

from node.devnet.synth.pick import SynthRandom
from node.domain.identifiers import (
    ID_CHECK,
    ID_WEIGHTS,
    ORG_CODE_WEIGHTS,
    USCC_ALPHABET,
    USCC_WEIGHTS,
)

_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
# GB 11714 values: digits as themselves, letters A=10 … Z=35.
_ORG_VALUE = {ch: int(ch, 36) for ch in USCC_ALPHABET}
_DIGIT_VALUE = {str(i): i for i in range(10)}
_ORG_CHECK = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "X", "0")  # by 11 - sum % 11


def org_code_body(rng: SynthRandom, modern: bool) -> str:
    """Eight characters of an organisation code: ``MA`` + 6 of the USCC alphabet for codes
    issued since 2015 (``modern``), else 8 digits as in the old GB 11714 codes."""
    if modern:
        a = USCC_ALPHABET
        r = rng.random
        return f"MA{a[int(r() * 31)]}{a[int(r() * 31)]}{a[int(r() * 31)]}" \
               f"{a[int(r() * 31)]}{a[int(r() * 31)]}{a[int(r() * 31)]}"
    return f"{rng.below(100_000_000):08d}"


def make_uscc(rng: SynthRandom, type_code: str, division: str, *, modern: bool,
              org_ok: bool = True) -> str:
    """A USCC for registration-authority/type ``type_code`` (2 chars, e.g. ``91``) issued
    in ``division`` (6 digits). ``org_ok=False`` gives a wrong organisation-code check
    character (the whole-code check character stays right).

    Precondition: ``type_code`` has 2 characters of the USCC alphabet; ``division`` 6 digits.
    """
    body = org_code_body(rng, modern)
    check = _ORG_CHECK[11 - sum(map(mul, map(_ORG_VALUE.__getitem__, body), ORG_CODE_WEIGHTS)) % 11]
    if not org_ok:
        check = rng.pick([c for c in "0123456789X" if c != check])
    first17 = type_code + division + body + check
    total = sum(map(mul, map(_USCC_VALUE.__getitem__, first17), USCC_WEIGHTS))
    return first17 + USCC_ALPHABET[-total % 31]


def make_id_number(rng: SynthRandom, county: str, birth: dt.date) -> str:
    """A citizen ID number: address code ``county`` (6 digits), ``birth``, a random
    sequence number and the MOD 11-2 check character."""
    first17 = (f"{county}{birth.year:04d}{birth.month:02d}{birth.day:02d}"
               f"{rng.randint(1, 999):03d}")
    total = sum(map(mul, map(_DIGIT_VALUE.__getitem__, first17), ID_WEIGHTS))
    return first17 + ID_CHECK[total % 11]
