"""The readable credit report (信用报告): report.json rendered as one self-contained HTML page.

No script, no external resource: the page is read offline and printed. Every value that
comes from a record, the node or the verifier passes through ``html.escape`` — record
text is never put into the page unescaped. Field labels are the 双公示 names of
``node.domain.fields``; identifiers are shown masked (the payload already masks ID
numbers; the subject's identifier is masked here).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any, Final

from node.domain.fields import BY_KIND, ENVELOPE
from node.domain.identifiers import mask

__all__ = ["render_report"]

LABELS: Final = {spec.code: spec.name for specs in (ENVELOPE, *BY_KIND.values())
                 for spec in specs}
KIND_LABELS: Final = {"penalty": "行政处罚", "dishonesty": "严重失信主体名单",
                      "commitment": "信用承诺"}
_VALUES: Final = {"severity": {"minor": "轻微", "general": "一般", "serious": "严重"}}
_DATES: Final = ("publish_date", "CF_JDRQ", "CF_YXQ", "CF_GSJZQ", "SX_RDRQ", "SX_YXQ",
                 "CN_CNRQ", "CN_YXQ")
_SKIP: Final = frozenset({"kind", "province", "record_no", "local_category", "rule_version"})
_STYLE: Final = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;
margin:24px;color:#1a1a1a;background:#fff}
h1{font-size:26px;margin:0 0 4px}.meta{color:#555;font-size:14px;margin-bottom:16px}
.summary{padding:10px 14px;border-radius:6px;margin-bottom:18px;font-weight:bold}
.ok{background:#e6f4ea;color:#1e6b34;border:1px solid #8ccf9f}
.warn{background:#fff4e0;color:#8a5200;border:1px solid #f0c060}
.bad{background:#fde8e8;color:#a11a1a;border:1px solid #f08c8c}
.record{border:1px solid #ccc;border-radius:8px;padding:12px 16px;margin-bottom:16px}
.record h2{font-size:18px;margin:0 0 8px;display:flex;justify-content:space-between}
.badge{font-size:14px;padding:3px 10px;border-radius:12px}
table{border-collapse:collapse;width:100%;font-size:14px}
td,th{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
th{width:28%;color:#444;font-weight:normal;background:#fafafa}
.flags span{display:inline-block;margin-right:8px;font-size:13px;padding:1px 8px;
border-radius:10px;background:#eef}.withheld{color:#666;font-size:13px;margin-top:6px}
"""


def _text(value: object) -> str:
    if isinstance(value, list):
        return "、".join(escape(str(v)) for v in value)
    return escape("" if value is None else str(value))


def _badge(verdict: Mapping[str, Any] | None) -> tuple[str, str]:
    if verdict is None or verdict.get("problems") is None:
        return "bad", "✗ 未验证"
    if verdict["problems"]:
        return "bad", f"✗ 验证失败（第 {verdict.get('step')} 步）"
    if not verdict.get("fields_bound"):
        return "warn", "✓ 已验证承诺（v1：字段未绑定）"
    return "ok", "✓ 已验证：字段与链上锚定一致"


def _record(record: Mapping[str, Any], verdict: Mapping[str, Any] | None) -> str:
    payload: Mapping[str, Any] = record.get("payload") or {}
    kind = str(record.get("kind", ""))
    css, badge = _badge(verdict)
    no = escape(str(record.get("record_no", "")))
    rows = []
    for code in (*[c for c in _DATES if c in payload],
                 *[c for c in payload if c not in _DATES and c not in _SKIP]):
        value = _VALUES.get(code, {}).get(str(payload[code]), payload[code])
        rows.append(f"<tr><th>{escape(LABELS.get(code, code))}</th>"
                    f"<td>{_text(value)}</td></tr>")
    origin = "外省记录（经中继，按来源省签名验证）" if record.get("foreign") else "本省记录"
    flags = [f"<span>来源：{escape(str(record.get('province', '')))}</span>",
             f"<span>{origin}</span>"]
    if record.get("objection_flagged"):
        flags.append("<span>异议处理中</span>")
    withheld = [escape(LABELS.get(c, c)) for c in record.get("withheld_fields") or []]
    problems = "".join(f"<div class='withheld'>{escape(p)}</div>"
                       for p in (verdict or {}).get("problems") or [])
    return (f"<section class='record' id='record-{no}'>"
            f"<h2><span>{escape(KIND_LABELS.get(kind, kind))} · {no}</span>"
            f"<span class='badge {css}' id='badge-{no}' data-record='{no}'>{badge}</span></h2>"
            f"<div class='flags'>{''.join(flags)}</div>"
            f"<table>{''.join(rows)}</table>"
            + (f"<div class='withheld'>已隐去或掩码的字段（以摘要证明）："
               f"{'、'.join(withheld)}</div>" if withheld else "")
            + problems + "</section>")


def _partial(report: Mapping[str, Any]) -> str:
    """The notice of a partial answer: provinces not asked, records not yet anchored."""
    notes = []
    missing = [str(p) for p in report.get("provinces_unavailable") or []]
    if missing:
        notes.append(f"以下省份节点本次未能应答，报告不含其记录：{escape('、'.join(missing))}")
    pending = report.get("records_not_anchored") or []
    if pending:
        notes.append(f"另有 {len(pending)} 条记录尚未上链锚定，本报告暂不包含，锚定后可重新查询")
    return "".join(f"<div class='summary bad' id='partial'>{n}</div>" for n in notes)


def render_report(report: Mapping[str, Any]) -> str:
    """The HTML page of a report document (``report.json``'s content)."""
    verdicts = {(v.get("province"), v.get("record_no")): v
                for v in report.get("verification", {}).get("records", [])}
    records = report.get("records") or []
    ok = report.get("verification", {}).get("ok")
    summary_css = "ok" if ok else "bad"
    summary = (f"全部 {len(records)} 条记录已对照征信链验证通过" if ok
               else "存在未通过验证的记录，请勿采信")
    receipt = report.get("receipt") or {}
    checked = report.get("verification", {}).get("receipt") or {}
    receipt_state = ("节点签名回执已验证（查询已记入审计日志）" if checked.get("ok")
                     else "节点签名回执未通过验证")
    body = _partial(report) + ("".join(
        _record(r, verdicts.get((r.get("province"), r.get("record_no")))) for r in records)
        or "<p>该主体在本次查询范围内没有记录。</p>")
    subject = mask(str(report.get("subject", "")))
    return (
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<title>信用报告 {escape(subject)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>信用报告</h1><div class='meta'>主体：{escape(subject)} · "
        f"查询节点：{escape(str(report.get('node', '')))} · "
        f"用途：{escape(str(report.get('purpose', '')))} · "
        f"生成时间：{escape(str(report.get('generated_at', '')))}<br>"
        f"查询回执：{escape(str(receipt.get('request_id', '')))} · 审计日志序号 "
        f"{escape(str(receipt.get('audit_leaf_index', '')))} · "
        f"<span id='receipt'>{escape(receipt_state)}</span></div>"
        f"<div class='summary {summary_css}' id='summary'>{escape(summary)}</div>"
        f"{body}<p class='meta'>每条记录附有选择性披露证明（docs/commitment-v2.md），可用 "
        "<code>credit-node verify-answer report.json</code> 离线对照征信链验证。</p>"
        "</body></html>")
