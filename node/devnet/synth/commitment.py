"""Synthetic credit commitments (信用承诺, ``CN_*`` fields).

The commitment code is the accepting unit's division + the commitment date + a serial
that rises per division and day. A 信用修复型 commitment names the penalty it repairs;
breaking one is the serious case. People's commitments are never fully public.
"""

from __future__ import annotations

from node.devnet.synth.authorities import Authority
from node.devnet.synth.context import RULES_2023_FROM, Context
from node.devnet.synth.model import INDIV, ORG, PERSON, AuthorityPattern, CommitmentSpec, Violation
from node.devnet.synth.pick import Weighted

P_HOT = 0.4
REPAIR = "信用修复型"
SUBJECT_MIX = Weighted(((ORG, 85.0), (INDIV, 10.0), (PERSON, 5.0)))
FULFILMENT_MIX = Weighted((("全部履行", 82.0), ("部分履行", 10.0), ("全部未履行", 8.0)))
DISCLOSURE_MIX = Weighted((("公开", 75.0), ("有限公开", 17.0), ("不公开", 8.0)))
PERSON_DISCLOSURE_MIX = Weighted((("有限公开", 30.0), ("不公开", 70.0)))


class CommitmentMaker:
    """Builds credit commitments for one run."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.types = Weighted((c, float(c.weight)) for c in ctx.tables.commitments)
        self.bodies: dict[str, Weighted[AuthorityPattern]] = {
            key: Weighted((a, float(a.weight)) for a in s.authorities)
            for key, s in ctx.tables.sectors.items()}
        self.violations: dict[tuple[str, str], tuple[Violation, ...]] = {}
        for key, s in ctx.tables.sectors.items():
            for kind in (ORG, INDIV, PERSON):
                self.violations[(key, kind)] = tuple(v for v in s.violations if kind in v.subjects)
        self._serials: dict[tuple[str, int], int] = {}

    def make(self) -> dict[str, object]:
        ctx, rng, dates = self.ctx, self.ctx.rng, self.ctx.dates
        spec: CommitmentSpec = self.types.pick(rng)
        kind = SUBJECT_MIX.pick(rng)
        sector = spec.sectors[rng.below(len(spec.sectors))]
        subject = ctx.subjects.get(kind, sector, P_HOT)
        day = dates.random_day(rng)
        until = dates.add_years(day, rng.randint(*spec.years))
        body = ctx.authority(self.bodies[sector], subject)
        iso = dates.iso(day)
        serial = self._serials.get((body.division, day), 0) + 1
        self._serials[(body.division, day)] = serial
        fulfilment = FULFILMENT_MIX.pick(rng)
        if fulfilment == "全部履行":
            severity = "minor"
        elif fulfilment == "全部未履行" and spec.type == REPAIR:
            severity = "serious"
        else:
            severity = "general"
        disclosure = (PERSON_DISCLOSURE_MIX if kind == PERSON else DISCLOSURE_MIX).pick(rng)
        rec: dict[str, object] = {
            "kind": "commitment",
            "province": ctx.province.key,
            "record_no": ctx.record_no(day),
            "local_category": ctx.category("commitment", "commitment", severity),
            "severity": severity,
            "rule_version": "2019" if day < RULES_2023_FROM else "2023",
        }
        if disclosure == "公开":
            rec["publish_date"] = dates.iso(dates.working_days_after(day, rng.randint(1, 7)))
        rec["CN_BM"] = f"{body.division}{iso[:4]}{iso[5:7]}{iso[8:10]}{serial:06d}"
        rec["CN_CNRMC"] = subject.name
        rec["CN_CNRLB"] = subject.label
        if subject.uscc is not None:
            rec["CN_SHXYM"] = subject.uscc
        if subject.id_number is not None:
            rec["CN_ZJLX"] = "身份证"
            rec["CN_ZJHM"] = subject.id_number
        rec["CN_LX"] = spec.type
        rec["CN_NR"] = self._content(spec, sector, kind, body, int(iso[:4]))
        rec["CN_WYZR"] = ctx.tables.liabilities[rng.below(len(ctx.tables.liabilities))]
        rec["CN_RQ"] = iso
        rec["CN_YXQ"] = dates.iso(until)
        rec["CN_LXQK"] = fulfilment
        rec["CN_SLDW"] = body.name
        rec["CN_SLDWDM"] = body.uscc
        rec["CN_GKFW"] = disclosure
        return rec

    def _content(self, spec: CommitmentSpec, sector: str, kind: str, body: Authority,
                 year: int) -> str:
        rng = self.ctx.rng
        fill: dict[str, object] = {"n": rng.pick((5, 10, 15, 20, 30))}
        if spec.items:
            fill["item"] = spec.items[rng.below(len(spec.items))]
        if spec.type == REPAIR:
            options = self.violations.get((sector, kind)) or self.violations[(sector, ORG)]
            fill["wfxw"] = options[rng.below(len(options))].wfxw
            # The repaired penalty: decided by the same body that year or the year before.
            fill["wsh"] = self.ctx.authorities.doc_number(rng, body, year - rng.randint(0, 1))
        return spec.contents[rng.below(len(spec.contents))].format_map(fill)
