"""The record format: every field of every record kind, as data.

A record is one JSON object (one line of a JSON Lines file). Every record has the
envelope fields; the rest depend on ``kind``. Field codes for administrative
penalties follow the national 双公示 data standard (``CF_*``); serious-dishonesty
list entries use ``SX_*`` and credit commitments ``CN_*`` in the same style.

Value types: ``text`` is a JSON string; ``date`` is ``"YYYY-MM-DD"``; ``amount`` is a
decimal in 万元 given as a JSON string (``"12.5"``) or number; ``list`` is a JSON
array of strings; ``enum`` is a string from a fixed set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal["text", "date", "amount", "list", "enum", "uscc", "id_number"]
Requirement = Literal["yes", "no", "conditional"]

KINDS = ("penalty", "dishonesty", "commitment")
PROVINCES = {"SH": "310000", "JS": "320000", "ZJ": "330000", "AH": "340000"}
SEVERITIES = ("minor", "general", "serious")

SUBJECT_KINDS = ("法人及非法人组织", "自然人", "个体工商户")
NATURAL_PERSON = "自然人"
ID_TYPES = ("身份证",)

PENALTY_TYPES = (
    "警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件",
    "降低资质等级", "吊销许可证件", "限制开展生产经营活动", "责令停产停业", "责令关闭",
    "限制从业", "行政拘留", "其他",
)
COMMITMENT_TYPES = (
    "审批替代型", "容缺受理型", "证明事项型", "信用修复型", "行业自律型", "主动型", "其他",
)
FULFILMENT = ("全部履行", "部分履行", "全部未履行")
DISCLOSURE = ("公开", "有限公开", "不公开")


@dataclass(frozen=True)
class FieldSpec:
    code: str
    name: str
    type: FieldType
    required: Requirement
    max_len: int | None = None
    choices: tuple[str, ...] = ()


def _f(code: str, name: str, type_: FieldType, required: Requirement, max_len: int | None = None,
       choices: tuple[str, ...] = ()) -> FieldSpec:
    return FieldSpec(code, name, type_, required, max_len, choices)


ENVELOPE: tuple[FieldSpec, ...] = (
    _f("kind", "记录种类", "enum", "yes", choices=KINDS),
    _f("province", "来源省份", "enum", "yes", choices=tuple(PROVINCES)),
    _f("record_no", "记录编号（本省来源内唯一）", "text", "yes", 64),
    _f("local_category", "本省失信行为代码", "text", "yes", 32),
    _f("severity", "失信程度", "enum", "yes", choices=SEVERITIES),
    _f("rule_version", "公示期规则版本", "text", "yes", 16),
    _f("publish_date", "公示日期（双公示）", "date", "no"),
)

PENALTY: tuple[FieldSpec, ...] = (
    _f("CF_XDR_MC", "行政相对人名称", "text", "yes", 200),
    _f("CF_XDR_LB", "行政相对人类别", "enum", "yes", choices=SUBJECT_KINDS),
    _f("CF_XDR_SHXYM", "统一社会信用代码", "uscc", "conditional"),
    _f("CF_FRDB", "法定代表人", "text", "conditional", 50),
    _f("CF_XDR_ZJLX", "证件类型", "enum", "conditional", choices=ID_TYPES),
    _f("CF_XDR_ZJHM", "证件号码", "id_number", "conditional"),
    _f("CF_WSH", "行政处罚决定书文号", "text", "yes", 128),
    _f("CF_WFXW", "违法行为类型", "text", "yes", 2000),
    _f("CF_SY", "违法事实", "text", "yes", 5000),
    _f("CF_YJ", "处罚依据", "text", "yes", 2000),
    _f("CF_CFLB", "处罚类别", "list", "yes", choices=PENALTY_TYPES),
    _f("CF_NR", "处罚内容", "text", "yes", 4000),
    _f("CF_NR_FK", "罚款金额（万元）", "amount", "conditional"),
    _f("CF_NR_WFFF", "没收违法所得、没收非法财物的金额（万元）", "amount", "conditional"),
    _f("CF_NR_ZKDX", "暂扣或吊销证照名称及编号", "text", "conditional", 200),
    _f("CF_JDRQ", "处罚决定日期", "date", "yes"),
    _f("CF_YXQ", "处罚有效期", "date", "yes"),
    _f("CF_GSJZQ", "公示截止期", "date", "no"),
    _f("CF_CFJG", "处罚机关", "text", "yes", 200),
    _f("CF_CFJGDM", "处罚机关统一社会信用代码", "uscc", "yes"),
    _f("CF_SJLY", "数据来源单位", "text", "yes", 200),
    _f("CF_SJLYDM", "数据来源单位统一社会信用代码", "uscc", "yes"),
    _f("CF_SIMPLE", "简易程序（是/否）", "enum", "no", choices=("是", "否")),
)

DISHONESTY: tuple[FieldSpec, ...] = (
    _f("SX_ZTMC", "失信主体名称", "text", "yes", 200),
    _f("SX_ZTLB", "主体类别", "enum", "yes", choices=SUBJECT_KINDS),
    _f("SX_SHXYM", "统一社会信用代码", "uscc", "conditional"),
    _f("SX_FDDBR", "法定代表人", "text", "conditional", 50),
    _f("SX_ZJLX", "证件类型", "enum", "conditional", choices=ID_TYPES),
    _f("SX_ZJHM", "证件号码", "id_number", "conditional"),
    _f("SX_MDMC", "名单名称", "text", "yes", 200),
    _f("SX_SXXW", "列入原因（失信行为）", "text", "yes", 4000),
    _f("SX_YJ", "列入依据", "text", "yes", 2000),
    _f("SX_RDJG", "认定部门", "text", "yes", 200),
    _f("SX_RDJGDM", "认定部门统一社会信用代码", "uscc", "yes"),
    _f("SX_WSH", "认定文书号", "text", "yes", 128),
    _f("SX_LRRQ", "列入日期", "date", "yes"),
    _f("SX_YXQ", "有效期（移出日期）", "date", "yes"),
    _f("SX_YCYY", "移出原因", "text", "no", 2000),
    _f("SX_SJLY", "数据来源单位", "text", "yes", 200),
    _f("SX_SJLYDM", "数据来源单位统一社会信用代码", "uscc", "yes"),
)

COMMITMENT: tuple[FieldSpec, ...] = (
    _f("CN_BM", "承诺编码（6位区划+8位日期+6位序号）", "text", "yes", 20),
    _f("CN_CNRMC", "承诺人名称", "text", "yes", 200),
    _f("CN_CNRLB", "承诺人类别", "enum", "yes", choices=SUBJECT_KINDS),
    _f("CN_SHXYM", "统一社会信用代码", "uscc", "conditional"),
    _f("CN_ZJLX", "证件类型", "enum", "conditional", choices=ID_TYPES),
    _f("CN_ZJHM", "证件号码", "id_number", "conditional"),
    _f("CN_LX", "承诺类型", "enum", "yes", choices=COMMITMENT_TYPES),
    _f("CN_NR", "承诺内容", "text", "yes", 4000),
    _f("CN_WYZR", "违约责任", "text", "yes", 2000),
    _f("CN_RQ", "承诺日期", "date", "yes"),
    _f("CN_YXQ", "承诺有效期", "date", "yes"),
    _f("CN_LXQK", "履行状态", "enum", "yes", choices=FULFILMENT),
    _f("CN_SLDW", "受理单位", "text", "yes", 200),
    _f("CN_SLDWDM", "受理单位统一社会信用代码", "uscc", "yes"),
    _f("CN_GKFW", "公开范围", "enum", "yes", choices=DISCLOSURE),
)

BY_KIND: dict[str, tuple[FieldSpec, ...]] = {
    "penalty": PENALTY,
    "dishonesty": DISHONESTY,
    "commitment": COMMITMENT,
}

# The subject of each kind:
# (subject-kind field, USCC field, ID-type field, ID-number field, name field).
SUBJECT_FIELDS: dict[str, tuple[str, str, str, str, str]] = {
    "penalty": ("CF_XDR_LB", "CF_XDR_SHXYM", "CF_XDR_ZJLX", "CF_XDR_ZJHM", "CF_XDR_MC"),
    "dishonesty": ("SX_ZTLB", "SX_SHXYM", "SX_ZJLX", "SX_ZJHM", "SX_ZTMC"),
    "commitment": ("CN_CNRLB", "CN_SHXYM", "CN_ZJLX", "CN_ZJHM", "CN_CNRMC"),
}
