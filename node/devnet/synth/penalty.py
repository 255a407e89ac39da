"""Synthetic administrative penalties (行政处罚, ``CF_*`` fields).

Severity decides the outcome: *minor* is a warning, a 通报批评 or a small fine by
simplified procedure (APL art. 51: up to 200 yuan for a person, 3,000 for an
organisation) and is not published; *general* is a fine within the violation's range,
perhaps with confiscation; *serious* a larger fine plus the violation's heavier measures
(licence revoked, production suspended…). Publicity end and publication date follow the
record's rule version; a penalty on a natural person gets no publication date, as
information on people is shared between authorities rather than published (domain.md §2).
"""

from __future__ import annotations

from dataclasses import dataclass

from node.devnet.synth.context import Context
from node.devnet.synth.model import INDIV, ORG, PERSON, AuthorityPattern, Violation
from node.devnet.synth.pick import Weighted, wan, yuan_between
from node.devnet.synth.subjects import Subject
from node.domain.fields import PENALTY_TYPES

SUBJECT_MIX = Weighted(((ORG, 63.0), (PERSON, 25.0), (INDIV, 12.0)))
SEVERITY_MIX = Weighted((("minor", 15.0), ("general", 65.0), ("serious", 20.0)))
# Working days from decision to publication: mostly quick, never past the 7-day limit.
PUBLISH_DELAY = Weighted(((1, 25.0), (2, 20.0), (3, 15.0), (4, 12.0), (5, 10.0), (6, 8.0),
                          (7, 10.0)))
P_HOT = 0.3
SIMPLIFIED_CAP = {PERSON: 200, INDIV: 200, ORG: 3000}  # yuan
_TYPE_ORDER = {t: i for i, t in enumerate(PENALTY_TYPES)}
LICENCE_TYPES = frozenset(("吊销许可证件", "暂扣许可证件"))


@dataclass(slots=True)
class Outcome:
    """What one decision imposes, built up measure by measure."""

    types: list[str]
    parts: list[str]          # pieces of 处罚内容
    fine: int | None = None   # yuan
    seized: int = 0           # yuan confiscated (违法所得 + 非法财物)
    gain: int = 0             # yuan of 违法所得 among them
    licence: str | None = None
    simplified: bool = False


class PenaltyMaker:
    """Builds penalty records for one run."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.by_kind: dict[tuple[str, str], Weighted[Violation]] = {}
        for kind in (ORG, INDIV, PERSON):
            for severity in ("minor", "general", "serious"):
                fits = [(v, float(v.weight))
                        for s in ctx.tables.sectors.values() for v in s.violations
                        if kind in v.subjects and _allows(v, severity)]
                if fits:
                    self.by_kind[(kind, severity)] = Weighted(fits)
        self.bodies: dict[str, Weighted[AuthorityPattern]] = {
            key: Weighted((a, float(a.weight)) for a in s.authorities)
            for key, s in ctx.tables.sectors.items()}

    def make(self) -> dict[str, object]:
        ctx, rng = self.ctx, self.ctx.rng
        kind = SUBJECT_MIX.pick(rng)
        severity = SEVERITY_MIX.pick(rng)
        violations = self.by_kind.get((kind, severity))
        if violations is None:
            severity = "general"
            violations = self.by_kind[(kind, severity)]
        v = violations.pick(rng)
        subject = ctx.subjects.get(kind, v.sector, P_HOT)
        day = ctx.dates.random_day(rng)
        version = ctx.rule_version(day, v.sector)
        out = _outcome(ctx, v, severity, subject)
        types = tuple(sorted(out.types, key=_TYPE_ORDER.__getitem__))
        body = ctx.authority(self.bodies[v.sector], subject)
        source = ctx.data_source(body)
        dates = ctx.dates
        end = dates.publicity_end(day, severity, version, types, out.simplified)
        year = dates.iso(day)[:4]
        rec: dict[str, object] = {
            "kind": "penalty",
            "province": ctx.province.key,
            "record_no": ctx.record_no(day),
            "local_category": ctx.category(
                "penalty", "general" if severity == "minor" else v.sector, severity),
            "severity": severity,
            "rule_version": version,
        }
        if end is not None and kind != PERSON:  # people's penalties are shared, not published
            rec["publish_date"] = dates.iso(dates.working_days_after(day, PUBLISH_DELAY.pick(rng)))
        rec["CF_XDR_MC"] = subject.name
        rec["CF_XDR_LB"] = subject.label
        if subject.uscc is not None:
            rec["CF_XDR_SHXYM"] = subject.uscc
            if subject.rep is not None:
                rec["CF_FRDB"] = subject.rep
        if subject.id_number is not None:
            rec["CF_XDR_ZJLX"] = "身份证"
            rec["CF_XDR_ZJHM"] = subject.id_number
        rec["CF_WSH"] = ctx.authorities.doc_number(rng, body, int(year))
        rec["CF_WFXW"] = v.wfxw
        rec["CF_SY"] = _facts(ctx, v, subject, day, int(year), out)
        rec["CF_YJ"] = v.yj
        rec["CF_CFLB"] = list(types)
        rec["CF_NR"] = "；".join(out.parts)
        if out.fine is not None:
            rec["CF_NR_FK"] = wan(out.fine)
        if out.seized:
            rec["CF_NR_WFFF"] = wan(out.seized)
        if out.licence is not None:
            rec["CF_NR_ZKDX"] = out.licence
        rec["CF_JDRQ"] = dates.iso(day)
        rec["CF_YXQ"] = dates.iso(end if end is not None else dates.add_years(day, 1))
        if end is not None:
            rec["CF_GSJZQ"] = dates.iso(end)
        rec["CF_CFJG"] = body.name
        rec["CF_CFJGDM"] = body.uscc
        rec["CF_SJLY"] = source.name
        rec["CF_SJLYDM"] = source.uscc
        rec["CF_SIMPLE"] = "是" if out.simplified else "否"
        return rec


def _allows(v: Violation, severity: str) -> bool:
    if severity == "minor":
        return v.minor
    return (v.fine_general if severity == "general" else v.fine_serious) is not None


def _facts_money(ctx: Context, v: Violation, out: Outcome) -> int:
    """The amount the facts name, consistent with the outcome: the base the fine was a
    multiple of, or the illegal gain confiscated."""
    rng = ctx.rng
    if v.money_ratio is not None and out.fine:
        return max(100, round(out.fine / rng.uniform(*v.money_ratio)))
    if out.gain:
        return out.gain
    return rng.randint(800, 200000)


def _facts(ctx: Context, v: Violation, subject: Subject, day: int, year: int,
           out: Outcome) -> str:
    rng = ctx.rng
    fill = {
        "date": ctx.dates.cn(day - rng.randint(7, 120)),
        "place": subject.district.name,
        "qty": rng.randint(2, 300),
        "money": _facts_money(ctx, v, out),
        "pct": rng.randint(8, 260),
        "prev_year": year - 1,
    }
    for key, words in v.words.items():
        fill[key] = words[rng.below(len(words))]
    return v.facts[rng.below(len(v.facts))].format_map(fill)


def _outcome(ctx: Context, v: Violation, severity: str, subject: Subject) -> Outcome:
    rng = ctx.rng
    if severity == "minor":
        return _minor(ctx, v, subject)
    out = Outcome(types=[], parts=["责令改正"] if rng.random() < 0.5 else [])
    if v.with_warning or rng.random() < 0.08:
        out.types.append("警告")
        out.parts.append("警告")
    fine_range = v.fine_general if severity == "general" else v.fine_serious
    if fine_range is None:
        raise ValueError(f"violation {v.wfxw!r} has no {severity} fine range")
    out.fine = yuan_between(rng, *fine_range)
    out.types.append("罚款")
    out.parts.append(f"罚款人民币{out.fine}元")
    if rng.random() < v.confiscate:
        gain = rng.randint(300, max(1000, out.fine // 2))
        out.seized += gain
        out.gain = gain
        out.types.append("没收违法所得")
        out.parts.append(f"没收违法所得人民币{gain}元")
    if rng.random() < v.seize:
        _seize(ctx, out)
    if severity == "serious":
        for extra in v.serious_extra:
            if rng.random() < 0.6:
                _heavier(ctx, v, subject, extra, out)
    return out


def _minor(ctx: Context, v: Violation, subject: Subject) -> Outcome:
    rng = ctx.rng
    r = rng.random()
    if r < 0.1 and subject.kind == ORG:
        return Outcome(types=["通报批评"], parts=["通报批评"])
    if r < 0.5:
        return Outcome(types=["警告"], parts=["警告"], simplified=rng.random() < 0.5)
    low = max(50, v.fine_general[0]) if v.fine_general else 50
    high = min(SIMPLIFIED_CAP[subject.kind], v.fine_general[1] if v.fine_general else 200)
    if low > high:  # the article's lowest fine is beyond the simplified procedure
        return Outcome(types=["警告"], parts=["警告"], simplified=True)
    fine = yuan_between(rng, low, high)
    return Outcome(types=["罚款"], parts=[f"罚款人民币{fine}元"], fine=fine, simplified=True)


def _seize(ctx: Context, out: Outcome) -> None:
    if "没收非法财物" in out.types:
        return
    value = ctx.rng.randint(200, 60000)
    out.seized += value
    out.types.append("没收非法财物")
    out.parts.append(f"没收涉案物品（价值人民币{value}元）")


def _heavier(ctx: Context, v: Violation, subject: Subject, extra: str, out: Outcome) -> None:
    rng = ctx.rng
    if extra == "没收非法财物":
        _seize(ctx, out)
        return
    if extra in out.types:
        return
    if extra in LICENCE_TYPES:
        licence = _licence(ctx, v, subject)
        if licence is None:
            return
        out.licence = licence
        verb = "吊销" if extra == "吊销许可证件" else "暂扣"
        out.parts.append(f"{verb}{licence.split('（')[0]}")
    elif extra == "责令停产停业":
        out.parts.append(f"责令停产停业{rng.randint(1, 6)}个月")
    elif extra == "限制开展生产经营活动":
        out.parts.append(f"限制生产经营活动{rng.randint(1, 6)}个月")
    elif extra == "限制从业":
        out.parts.append("自处罚决定作出之日起五年内不得担任任何生产经营单位的主要负责人")
    else:
        out.parts.append(v.other or extra)
    out.types.append(extra)


def _licence(ctx: Context, v: Violation, subject: Subject) -> str | None:
    """The licence's name and number, or None when the subject holds no such licence."""
    rng = ctx.rng
    name = v.license
    if name is None:
        return None
    if name == "营业执照":
        if subject.uscc is None:
            return None
        return f"《营业执照》（统一社会信用代码{subject.uscc}）"
    if name == "食品经营许可证":
        number = f"JY{rng.randint(1, 3)}{subject.district.code}{rng.below(10_000_000):07d}"
        return f"《食品经营许可证》（{number}）"
    if name == "药品经营许可证":
        letters = ("AA", "CA", "DA")[rng.below(3)]
        return f"《药品经营许可证》（{ctx.province.abbr}{letters}{rng.randint(0, 9999999):07d}）"
    return f"《{name}》（{subject.district.code}{rng.randint(0, 999999):06d}）"
