"""Credit-commitment rules: the shape of the commitment code and its province.

CN_BM is a 6-digit GB/T 2260 division code, an 8-digit date ``YYYYMMDD`` and a 6-digit
serial. The code is minted by the platform of the province that accepted the
commitment, so its division must lie in the record's province (first two digits).
Nothing else is compared with the province: subjects, and even deciding bodies, may
legitimately come from elsewhere.
"""

from __future__ import annotations

import datetime as dt
import re

from node.domain.fields import PROVINCES
from node.domain.validation.issues import Collector

CODE_PATTERN = re.compile(r"^\d{20}$")


def _real_date(text: str) -> bool:
    try:
        dt.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return True


def check_commitment(text: dict[str, str], out: Collector) -> None:
    """Rules over the valid text fields ``text`` (code -> value) of a commitment."""
    code = text.get("CN_BM")
    if code is None:
        return
    if not CODE_PATTERN.fullmatch(code) or not _real_date(code[6:14]):
        out.add("COMMITMENT_CODE_FORMAT", "CN_BM",
                "CN_BM (承诺编码): expected 20 digits = 6-digit division + real date YYYYMMDD "
                f"+ 6-digit serial; got {len(code)} characters")
        return
    province = text.get("province")
    if province is None:
        return
    want = PROVINCES[province][:2]
    if code[:2] != want:
        out.add("PROVINCE_MISMATCH", "CN_BM",
                f"CN_BM (承诺编码): division {code[:6]} is outside province {province}; "
                f"expected a division starting with {want}")
