"""A repairable JS penalty and the credit commitment that repairs it, as a platform sends
them: shared by the lifecycle tests (tests/node/exchange/lifecycle_helpers.py) and the crash
rounds (tests/node/service/crash_workload.py); ``tests/`` is on ``sys.path``."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any, cast

from multinode_net import records_of

from node.domain.publicity import add_months


def repairable_penalty(record_no: str, today: date, *, months_ago: int = 6) -> dict[str, Any]:
    """A JS legal person's general penalty under the 2023 rules (repair after 3 months,
    published 12), decided ``months_ago`` months before ``today``."""
    base = next(r for r in records_of("JS", 60, seed=5)
                if r["kind"] == "penalty" and r["CF_XDR_LB"] == "法人及非法人组织"
                and "罚款" in cast(Any, r["CF_CFLB"]))
    decided = add_months(today, -months_ago)
    end = add_months(decided, 12)
    return {**base, "record_no": record_no, "severity": "general", "rule_version": "2023",
            "CF_JDRQ": decided.isoformat(), "CF_YXQ": end.isoformat(),
            "CF_GSJZQ": end.isoformat(),
            "publish_date": (decided + timedelta(days=3)).isoformat()}


def repair_commitment(penalty: dict[str, Any], today: date) -> bytes:
    """The subject's 信用修复型 credit commitment, as the platform sends it."""
    base = next(r for r in records_of("JS", 60, seed=5) if r["kind"] == "commitment"
                and r["CN_CNRLB"] == "法人及非法人组织")
    commitment = {**base, "record_no": "JS-CN-REPAIR-" + str(penalty["record_no"])[-6:],
                  "CN_LX": "信用修复型", "CN_SHXYM": penalty["CF_XDR_SHXYM"],
                  "CN_CNRMC": penalty["CF_XDR_MC"], "CN_RQ": today.isoformat(),
                  "CN_YXQ": add_months(today, 12).isoformat(),
                  "CN_BM": "320100" + today.strftime("%Y%m%d") + "000001",
                  "publish_date": today.isoformat()}
    return json.dumps(commitment, ensure_ascii=False).encode()
