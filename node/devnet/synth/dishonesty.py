"""Synthetic serious-dishonesty list entries (严重失信主体名单, ``SX_*`` fields).

An entry stays listed for its list's term (two years for 失信被执行人, three for the
others); one whose term ended before the data's anchor date carries a removal reason,
and a few were removed early (obligation performed, or credit repaired).
"""

from __future__ import annotations

from node.devnet.synth.context import RULES_2023_FROM, Context
from node.devnet.synth.model import ORG, PERSON, AuthorityPattern, ListReason, ListSpec
from node.devnet.synth.pick import Weighted
from node.devnet.synth.subjects import Subject

P_HOT = 0.4
EARLY_REMOVAL = 0.08
EXPIRED = "有效期届满，自动移出"
REMOVED_COURT = "被执行人已履行生效法律文书确定的义务，提前移出"
REMOVED_REPAIRED = "失信主体完成信用修复，提前移出"


class DishonestyMaker:
    """Builds dishonesty list entries for one run."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.lists = Weighted((x, float(x.weight)) for x in ctx.tables.lists)
        self.kinds = {x.name: Weighted((k, float(n)) for k, n in x.subjects)
                      for x in ctx.tables.lists}
        self.bodies: dict[str, Weighted[AuthorityPattern]] = {
            x.name: Weighted((a, float(a.weight)) for a in x.authorities) for x in ctx.tables.lists}
        self.reasons: dict[str, Weighted[ListReason]] = {
            x.name: Weighted((r, float(r.weight)) for r in x.reasons) for x in ctx.tables.lists}

    def make(self) -> dict[str, object]:
        ctx, rng, dates = self.ctx, self.ctx.rng, self.ctx.dates
        spec: ListSpec = self.lists.pick(rng)
        kind = self.kinds[spec.name].pick(rng)
        subject: Subject = ctx.subjects.get(kind, spec.sector, P_HOT)
        day = dates.random_day(rng)
        until = dates.add_years(day, spec.years)
        removal = None
        if rng.random() < EARLY_REMOVAL:
            early = day + rng.randint(90, until - day - 1)
            if early <= dates.anchor:
                until = early
                removal = REMOVED_COURT if spec.sector == "court" else REMOVED_REPAIRED
        if removal is None and until <= dates.anchor:
            removal = EXPIRED
        body = ctx.authority(self.bodies[spec.name], subject)
        source = ctx.data_source(body)
        reason = self.reasons[spec.name].pick(rng)
        rec: dict[str, object] = {
            "kind": "dishonesty",
            "province": ctx.province.key,
            "record_no": ctx.record_no(day),
            "local_category": ctx.category("dishonesty", spec.sector, "serious"),
            "severity": "serious",
            "rule_version": "2019" if day < RULES_2023_FROM else "2023",
            "publish_date": dates.iso(dates.working_days_after(day, rng.randint(1, 7))),
            "SX_ZTMC": subject.name,
            "SX_ZTLB": subject.label,
        }
        if subject.uscc is not None:
            rec["SX_SHXYM"] = subject.uscc
            if subject.rep is not None and (kind == ORG or rng.random() < 0.5):
                rec["SX_FDDBR"] = subject.rep
        if kind == PERSON:
            rec["SX_ZJLX"] = "身份证"
            rec["SX_ZJHM"] = subject.id_number
        rec["SX_MDMC"] = spec.name
        rec["SX_SXXW"] = reason.text.format(money=rng.randint(20, 5000) * 1000,
                                            qty=rng.randint(3, 400))
        rec["SX_YJ"] = reason.yj
        rec["SX_RDJG"] = body.name
        rec["SX_RDJGDM"] = body.uscc
        rec["SX_WSH"] = ctx.authorities.doc_number(rng, body, int(dates.iso(day)[:4]))
        rec["SX_LRRQ"] = dates.iso(day)
        rec["SX_YXQ"] = dates.iso(until)
        if removal is not None:
            rec["SX_YCYY"] = removal
        rec["SX_SJLY"] = source.name
        rec["SX_SJLYDM"] = source.uscc
        return rec
