"""Cross-field rules of administrative penalties (行政处罚).

- 罚款 ⇒ CF_NR_FK present and > 0; 没收违法所得 / 没收非法财物 ⇒ CF_NR_WFFF present;
  暂扣许可证件 / 吊销许可证件 ⇒ CF_NR_ZKDX present.
- The band implied by the penalty types and procedure (see :mod:`node.domain.publicity`)
  is compared with the record's severity (``SEVERITY_MISMATCH``, a warning: the implied
  band governs publicity).
- CF_GSJZQ, when given, must equal decision date + the band's maximum period under the
  record's rule version (``PUBLICITY_END_BAND``), or be empty when the decision is not
  published.
"""

from __future__ import annotations

from node.domain.publicity import RuleTable, add_months, effective_band
from node.domain.validation.fields_check import Checked
from node.domain.validation.issues import Collector

CONFISCATION_TYPES = ("没收违法所得", "没收非法财物")
LICENCE_TYPES = ("暂扣许可证件", "吊销许可证件")


def _amounts(types: tuple[str, ...], ok: Checked, out: Collector) -> None:
    if "罚款" in types:
        if "CF_NR_FK" not in ok.present:
            out.add("FINE_AMOUNT_REQUIRED", "CF_NR_FK",
                    "CF_NR_FK (罚款金额（万元）): required when CF_CFLB includes 罚款; "
                    "got no value")
        elif ok.amounts.get("CF_NR_FK") == 0:
            out.add("FINE_AMOUNT_REQUIRED", "CF_NR_FK",
                    "CF_NR_FK (罚款金额（万元）): CF_CFLB includes 罚款, so the amount must be "
                    "greater than 0; got 0")
    confiscated = [t for t in CONFISCATION_TYPES if t in types]
    if confiscated and "CF_NR_WFFF" not in ok.present:
        out.add("CONFISCATION_AMOUNT_REQUIRED", "CF_NR_WFFF",
                f"CF_NR_WFFF (没收金额（万元）): required when CF_CFLB includes "
                f"{'、'.join(confiscated)}; got no value")
    licences = [t for t in LICENCE_TYPES if t in types]
    if licences and "CF_NR_ZKDX" not in ok.present:
        out.add("LICENCE_REQUIRED", "CF_NR_ZKDX",
                f"CF_NR_ZKDX (暂扣或吊销证照名称及编号): required when CF_CFLB includes "
                f"{'、'.join(licences)}; got no value")


def check_penalty(ok: Checked, rules: RuleTable, out: Collector) -> None:
    """Cross-field rules of a penalty whose single fields were checked into ``ok``.

    Rules needing a field that is missing or invalid are skipped (already reported).
    """
    types = ok.lists.get("CF_CFLB")
    if types is None:
        return
    _amounts(types, ok, out)
    severity = ok.text.get("severity")
    version = ok.text.get("rule_version")
    rule_set = rules.versions.get(version) if version is not None else None
    if severity is None or rule_set is None:
        return
    simplified = ok.text.get("CF_SIMPLE") == "是"
    band = effective_band(severity, types, rule_set, simplified=simplified)
    # "minor" and "not published" are both the lowest tier: no mismatch between them.
    if band != severity and not (band == "none" and severity == "minor"):
        why = "decided by simplified procedure" if simplified else "its penalty types"
        shown = "not published" if band == "none" else band
        out.add("SEVERITY_MISMATCH", "severity",
                f"severity is {severity} but under rule version {version} the decision is "
                f"{shown} by {why}; the implied band is used for publicity")
    decision = ok.dates.get("CF_JDRQ")
    end = ok.dates.get("CF_GSJZQ")
    if decision is None or end is None:
        return
    period = None if band == "none" else rule_set.bands[band]
    if period is None:
        out.add("PUBLICITY_END_BAND", "CF_GSJZQ",
                f"CF_GSJZQ (公示截止期) is {end.isoformat()} but under rule version {version} "
                "this decision is not published; expected no value")
        return
    expected = add_months(decision, period.max_months)
    if end != expected:
        out.add("PUBLICITY_END_BAND", "CF_GSJZQ",
                f"CF_GSJZQ (公示截止期) is {end.isoformat()}; expected {expected.isoformat()} = "
                f"CF_JDRQ {decision.isoformat()} + {period.max_months} months "
                f"({band} band, rule version {version})")
