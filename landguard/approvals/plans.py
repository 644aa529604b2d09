"""The checks of a 土地征收成片开发方案 (domain-land.md §A.5, domain.md §6): the rules, their formulas and the figures
they read; pure functions of the plan, its overlay against the official layers (approvals.spatial.measure) and the
county's earlier approved plans. The thresholds are approvals.plan_tunables (settings PLANS_…).

A check is `ok`, `warn` (shown, does not block), `fail` (blocks submission, naming the rule) or `na` (could not be
checked on a plan that is no longer being drafted). A hard rule that is not met fails; a rule configured as not
hard warns instead. On a draft, a figure the rule needs and that is missing fails (it must be filled to submit).

Assumption (待确认): the layer registry has no 城镇建设用地范围 kind (engine.kinds.ControlKind), so the county's
城镇开发边界 layer (ControlKind.DEV_BOUNDARY) stands for it in the inside check; the check text says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from landguard.approvals import plan_tunables as tunables
from landguard.approvals.models import DevelopmentPlan, DevelopmentPlanYear
from landguard.approvals.spatial import TOLERANCE_M2
from landguard.core.text import join_clauses, join_list
from landguard.engine.kinds import ControlKind
from landguard.engine.results import OverlayResult
from landguard.shell.supply_rate import SupplyRate

ZERO = Decimal(0)
Q4 = Decimal("0.0001")


@dataclass(frozen=True)
class PlanCheck:
    key: str
    label: str | Promise
    state: str  # ok / warn / fail / na
    detail: str
    rule: str = ""  # the rule and its basis
    formula: str = ""  # how the figures were computed
    to_confirm: bool = False  # the rule or its threshold is inferred (待确认)
    hard: bool = True  # a failure blocks submission

    @property
    def blocks(self) -> bool:
        return self.state == "fail"


@dataclass
class PlanChecklist:
    items: list[PlanCheck] = field(default_factory=list)

    @property
    def blocking(self) -> list[PlanCheck]:
        return [c for c in self.items if c.blocks]

    def add(self, key: str, label: str | Promise, state: str, detail: str, **more: Any) -> None:
        self.items.append(PlanCheck(key, label, state, detail, **more))


def ha4(value: Decimal | float | None) -> str:
    """Hectares as the 方案 prints them: 4 decimals."""
    return f"{Decimal(str(value or 0)).quantize(Q4):,.4f}"


def measured_ha(plan: DevelopmentPlan) -> Decimal:
    """The 片区 total in hectares to 4 dp (the engine's ellipsoidal m², rounded as a document states it)."""
    return (Decimal(str(plan.total_m2)) / 10_000).quantize(Q4)


def _sum(plan: DevelopmentPlan, names: tuple[str, ...]) -> Decimal | None:
    """The sum of the filled figures, None when none is filled."""
    values = [getattr(plan, n) for n in names if getattr(plan, n) is not None]
    return sum(values, ZERO) if values else None


def public_ha(plan: DevelopmentPlan) -> Decimal | None:
    return _sum(plan, DevelopmentPlan.PUBLIC_FIELDS)


def uses_ha(plan: DevelopmentPlan) -> Decimal | None:
    return _sum(plan, DevelopmentPlan.USE_FIELDS)


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return part / whole * 100


def _pct(value: Decimal) -> str:
    """A percentage to 2 dp, rounded down so a ratio just under a threshold never prints as the threshold."""
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_DOWN)}%"


# --- 实施率 --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearRate:
    """One year of a plan's implementation: 实施率 = actual ÷ planned area (projects when no area is planned);
    `missed` is None for a year not finished yet."""

    year: int
    planned_ha: Decimal
    actual_ha: Decimal | None
    planned_projects: int
    actual_projects: int | None
    rate: Decimal | None
    missed: bool | None


def year_rates(rows: list[DevelopmentPlanYear], today: dt.date) -> list[YearRate]:
    out = []
    for row in sorted(rows, key=lambda r: r.year):
        actual_ha, actual_n = row.actual_ha or ZERO, row.actual_projects or 0
        if row.planned_ha:
            rate: Decimal | None = actual_ha / row.planned_ha * 100
        elif row.planned_projects:
            rate = Decimal(actual_n) / row.planned_projects * 100
        else:
            rate = None
        missed = None if row.year >= today.year else (actual_ha < row.planned_ha or actual_n < row.planned_projects)
        out.append(YearRate(row.year, row.planned_ha, row.actual_ha, row.planned_projects, row.actual_projects, rate,
                            missed))
    return out


def longest_missed_run(rates: list[YearRate]) -> int:
    """The most consecutive finished years whose plan was missed."""
    best = run = 0
    last: int | None = None  # the last missed year of the current run
    for r in rates:
        if r.missed:
            run = run + 1 if last == r.year - 1 else 1
            last = r.year
        else:
            run, last = 0, None
        best = max(best, run)
    return best


@dataclass(frozen=True)
class EarlierPlan:
    plan: DevelopmentPlan
    rates: list[YearRate]

    @property
    def missed_run(self) -> int:
        return longest_missed_run(self.rates)


# --- the checklist -------------------------------------------------------------------------------------------


def checklist(plan: DevelopmentPlan, result: OverlayResult | None, *, years: list[DevelopmentPlanYear],
              earlier: list[EarlierPlan], today: dt.date, supply_rate: SupplyRate | None = None) -> PlanChecklist:
    """The checks of one plan. `result` is its overlay (None when it could not run), `years` its implementation
    plan, `earlier` the county's other approved plans with their rates, `supply_rate` the county's 供地率 from the
    supply ledger (shell.supply_rate; None when no ledger is connected: the check says 未接入)."""
    out = PlanChecklist()
    _public_share(out, plan)
    _inside_town(out, plan, result)
    _protected(out, plan, result)
    _consent(out, plan)
    _earlier(out, earlier)
    _supply_rate(out, supply_rate)
    _term(out, plan, years)
    _figures(out, plan)
    return out


def _missing(plan: DevelopmentPlan) -> str:
    """A check that cannot be made: it blocks a draft (fill it to submit), is only noted afterwards."""
    return "fail" if plan.status == DevelopmentPlan.Status.DRAFT else "na"


def _public_share(out: PlanChecklist, plan: DevelopmentPlan) -> None:
    label, minimum = _("公益性用地比例"), tunables.public_share_min()
    more = {"rule": str(tunables.TUNABLES["PLANS_PUBLIC_SHARE_MIN_PERCENT"].basis),
            "formula": _("公益性用地 ÷ 片区总面积 × 100%% ≥ %(min)s%%") % {"min": minimum}}
    public, total = public_ha(plan), measured_ha(plan)
    if public is None:
        out.add("public_share", label, _missing(plan), _("未填写公益性用地面积（道路、绿地、公共服务设施、基础设施），"
                                                         "无法计算公益性用地比例"), **more)
        return
    if total <= 0:
        out.add("public_share", label, _missing(plan), _("片区总面积为 0，请先设定片区范围"), **more)
        return
    ratio = _percent(public, total)
    ok = ratio >= minimum
    out.add("public_share", label, "ok" if ok else "fail",
            _("公益性用地 %(public)s 公顷 ÷ 片区总面积 %(total)s 公顷 × 100%% = %(ratio)s，%(verdict)s %(min)s%%") % {
                "public": ha4(public), "total": ha4(total), "ratio": _pct(ratio), "min": minimum,
                "verdict": _("不低于") if ok else _("低于")}, **more)


def _outside(result: OverlayResult, kind: str) -> float | None:
    found = [c.outside_m2 for c in result.controls.values() if c.kind == kind and c.outside_m2 is not None]
    return min(found) if found else None


def _inside(result: OverlayResult, kind: str) -> float | None:
    found = [c.inside_m2 for c in result.controls.values() if c.kind == kind]
    return sum(found) if found else None


def _inside_town(out: PlanChecklist, plan: DevelopmentPlan, result: OverlayResult | None) -> None:
    label = _("城镇建设用地范围")
    # Assumption (待确认): no 城镇建设用地范围 layer kind exists; the 城镇开发边界 layer stands for it.
    more = {"rule": _("《土地管理法》第四十五条第一款第五项：成片开发须在国土空间规划确定的城镇建设用地范围内"),
            "formula": _("片区位于城镇开发边界外的面积 ≤ %(tol)s 平方米（以城镇开发边界图层代替城镇建设用地范围，"
                         "待确认）") % {"tol": f"{TOLERANCE_M2:g}"}, "to_confirm": True}
    outside = None if result is None else _outside(result, ControlKind.DEV_BOUNDARY)
    if outside is None:
        out.add("inside_town", label, _missing(plan), _("未找到本县城镇开发边界图层或无法计算，未能核查"), **more)
    elif outside <= TOLERANCE_M2:
        out.add("inside_town", label, "ok", _("片区全部位于城镇开发边界内"), **more)
    else:
        out.add("inside_town", label, "fail", _("片区有 %(ha)s 公顷位于城镇开发边界外，须全部位于城镇建设用地范围内")
                % {"ha": f"{outside / 10_000:,.4f}"}, **more)


def _protected(out: PlanChecklist, plan: DevelopmentPlan, result: OverlayResult | None) -> None:
    label = _("永久基本农田和生态保护红线")
    more = {"rule": _("《土地征收成片开发标准》：占用永久基本农田或生态保护红线的，不得报批"),
            "formula": _("与永久基本农田、生态保护红线重叠面积 ≤ %(tol)s 平方米") % {"tol": f"{TOLERANCE_M2:g}"}}
    if result is None:
        out.add("protected", label, _missing(plan), _("无法计算片区与管控图层的叠加，未能核查"), **more)
        return
    found, missing = [], []
    for kind, name in ((ControlKind.BASIC_FARMLAND, _("永久基本农田")), (ControlKind.ECO_REDLINE, _("生态保护红线"))):
        area = _inside(result, kind)
        if area is None:
            missing.append(name)
        elif area > TOLERANCE_M2:
            found.append(_("占用%(name)s %(ha)s 公顷") % {"name": name, "ha": f"{area / 10_000:,.4f}"})
    if found:
        out.add("protected", label, "fail", join_clauses(found) + _("：不得报批，请调整片区范围避让"), **more)
    elif missing:
        out.add("protected", label, _missing(plan), _("未找到本县%(layers)s图层，未能核查") % {
            "layers": join_list(missing)}, **more)
    else:
        out.add("protected", label, "ok", _("不涉及永久基本农田和生态保护红线"), **more)


def _consent(out: PlanChecklist, plan: DevelopmentPlan) -> None:
    label, share, hard = _("村民会议同意"), tunables.consent_share(), bool(tunables.get("PLANS_CONSENT_HARD"))
    more = {"rule": str(tunables.TUNABLES["PLANS_CONSENT_SHARE"].basis), "to_confirm": True, "hard": hard,
            "formula": _("同意人数 ÷ 应到人数 ≥ %(share)s") % {"share": share}}
    yes, total = plan.consent_yes, plan.consent_total
    if yes is None or not total:
        out.add("consent", label, _missing(plan) if hard else "warn",
                _("未填写村民会议或村民代表会议的表决情况"), **more)
        return
    body = plan.get_consent_body_display() or _("村民会议")
    ok = _meets(yes, total, share)
    out.add("consent", label, "ok" if ok else ("fail" if hard else "warn"),
            _("%(body)s同意 %(yes)s 人，应到 %(total)s 人，同意比例 %(ratio)s，%(verdict)s %(share)s") % {
                "body": body, "yes": yes, "total": total, "ratio": _pct(_percent(Decimal(yes), Decimal(total))),
                "verdict": _("达到") if ok else _("未达到"), "share": share}, **more)


def _meets(yes: int, total: int, share: Any) -> bool:
    """yes ÷ total ≥ share, exactly (2 of 3 is exactly 2/3)."""
    return yes * share.denominator >= total * share.numerator


def _earlier(out: PlanChecklist, earlier: list[EarlierPlan]) -> None:
    label = _("已批准方案的实施情况")
    run_limit, hard = int(tunables.get("PLANS_MISSED_YEARS")), bool(tunables.get("PLANS_MISSED_YEARS_HARD"))
    more = {"rule": str(tunables.TUNABLES["PLANS_MISSED_YEARS"].basis), "to_confirm": True, "hard": hard,
            "formula": _("实施率 = 实际实施面积 ÷ 计划实施面积 × 100%%；连续 %(n)s 年未完成年度实施计划的不得报批"
                         "新方案") % {"n": run_limit}}
    if not earlier:
        out.add("earlier_plans", label, "ok", _("本县没有其他已批准的成片开发方案"), **more)
        return
    texts, blocked, any_missed = [], [], False
    for e in earlier:
        years = join_list(_("%(year)s 年 %(rate)s") % {"year": r.year, "rate": _pct(r.rate) if r.rate is not None
                                                       else "—"} for r in e.rates if r.missed is not None)
        texts.append(_("“%(name)s”%(years)s") % {"name": e.plan.name, "years": years or _("尚无已结束的实施年度")})
        any_missed = any_missed or any(r.missed for r in e.rates)
        if e.missed_run >= run_limit:
            blocked.append(e.plan.name)
    detail = _("实施率：") + join_clauses(texts)
    if blocked:
        out.add("earlier_plans", label, "fail" if hard else "warn", detail + _("。%(names)s连续 %(n)s 年未完成年度实施"
                                                                             "计划") % {
            "names": join_list(f"“{n}”" for n in blocked), "n": run_limit}, **more)
    else:
        out.add("earlier_plans", label, "warn" if any_missed else "ok", detail, **more)


def _supply_rate(out: PlanChecklist, figure: SupplyRate | None) -> None:
    """The county's 近五年供地率 at or above the local threshold (a gate; the threshold is a local rule, 待确认)."""
    label = _("近五年供地率")
    floor, hard = tunables.get("PLANS_SUPPLY_RATE_MIN_PERCENT"), bool(tunables.get("PLANS_SUPPLY_RATE_HARD"))
    more = {"rule": str(tunables.TUNABLES["PLANS_SUPPLY_RATE_MIN_PERCENT"].basis), "to_confirm": True, "hard": hard}
    if figure is None:
        out.add("supply_rate", label, "na", _("未接入供地台账，无法核查供地率"), **more)
        return
    more["formula"] = figure.formula
    if figure.rate is None:
        out.add("supply_rate", label, "warn", _("%(window)s 年本县没有已批复的用地，无法计算供地率") % {
            "window": figure.window}, **more)
        return
    detail = _("%(window)s 年供地率 %(rate)s%%（已供 %(supplied)s 公顷 ÷ 批准 %(approved)s 公顷），"
               "下限 %(floor)s%%") % {
        "window": figure.window, "rate": figure.rate, "supplied": ha4(figure.supplied_m2 / 10_000),
        "approved": ha4(figure.approved_m2 / 10_000), "floor": floor}
    if figure.rate < Decimal(str(floor)):
        out.add("supply_rate", label, "fail" if hard else "warn", detail, **more)
    else:
        out.add("supply_rate", label, "ok", detail, **more)


def _term(out: PlanChecklist, plan: DevelopmentPlan, years: list[DevelopmentPlanYear]) -> None:
    label, term, hard = _("实施期限"), int(tunables.get("PLANS_TERM_YEARS")), bool(tunables.get("PLANS_TERM_HARD"))
    start = plan.approved_on.year if plan.approved_on else plan.year
    end = start + term - 1
    more = {"rule": str(tunables.TUNABLES["PLANS_TERM_YEARS"].basis), "to_confirm": True, "hard": hard,
            "formula": _("实施期限 = 批准年度（未批准时为方案年度）起 %(n)s 年") % {"n": term}}
    if not years:
        out.add("term", label, _missing(plan) if hard else "warn", _("未填写年度实施计划"), **more)
        return
    first, last = min(y.year for y in years), max(y.year for y in years)
    span = {"first": first, "last": last, "start": start, "end": end}
    if start <= first and last <= end:
        out.add("term", label, "ok", _("年度实施计划 %(first)s—%(last)s 年，在实施期限 %(start)s—%(end)s 年内") % span,
                **more)
    else:
        out.add("term", label, "fail" if hard else "warn",
                _("年度实施计划 %(first)s—%(last)s 年，超出实施期限 %(start)s—%(end)s 年") % span, **more)


def _gap_text(what: str, have: Decimal, reference_label: str, reference: Decimal) -> str:
    gap = have - reference
    words = {"what": what, "have": ha4(have), "ref": reference_label, "total": ha4(reference), "gap": ha4(abs(gap))}
    if gap < 0:
        return _("%(what)s %(have)s 公顷，比%(ref)s %(total)s 公顷少 %(gap)s 公顷") % words
    return _("%(what)s %(have)s 公顷，比%(ref)s %(total)s 公顷多 %(gap)s 公顷") % words


def _figures(out: PlanChecklist, plan: DevelopmentPlan) -> None:
    """The published figures against each other and the measured 片区 (warnings: a document's own arithmetic)."""
    label, tolerance = _("方案数据一致性"), Decimal(str(tunables.get("PLANS_FIGURE_TOLERANCE_HA")))
    names = {"use_industrial_ha": _("工矿"), "use_residential_ha": _("居住"), "use_commercial_ha": _("商业服务业"),
             "use_storage_ha": _("仓储"), "use_other_ha": _("其他"), "public_road_ha": _("道路"),
             "public_green_ha": _("绿地"), "public_service_ha": _("公共服务设施"),
             "public_infrastructure_ha": _("基础设施")}
    filled = [(names[n], getattr(plan, n)) for n in (*DevelopmentPlan.USE_FIELDS, *DevelopmentPlan.PUBLIC_FIELDS)
              if getattr(plan, n) is not None]
    warnings, notes = [], []
    formula = ""
    reference: Decimal | None
    if plan.expropriation_ha is not None:
        reference, reference_label = plan.expropriation_ha, _("拟征收总面积")
    else:
        reference, reference_label = plan.published_total_ha, _("方案公布的片区总面积")
    if filled and reference is not None:
        total = sum((v for _n, v in filled), ZERO)
        formula = _("用途合计 = ") + " + ".join(f"{n} {ha4(v)}" for n, v in filled)
        if abs(total - reference) >= tolerance:
            warnings.append(_gap_text(_("用途合计"), total, reference_label, reference))
        else:
            notes.append(_("用途合计 %(ha)s 公顷，与%(ref)s一致") % {"ha": ha4(total), "ref": reference_label})
    public = public_ha(plan)
    if public is not None and plan.total_m2 > 0 and public > measured_ha(plan):
        warnings.append(_gap_text(_("公益性用地合计"), public, _("片区总面积"), measured_ha(plan)))
    if plan.published_total_ha is not None and plan.total_m2 > 0:
        if abs(plan.published_total_ha - measured_ha(plan)) >= tolerance:
            warnings.append(_gap_text(_("方案公布的片区总面积"), plan.published_total_ha, _("按片区范围计算的面积"),
                                      measured_ha(plan)))
        else:
            notes.append(_("方案公布的片区总面积与按范围计算的面积一致"))
    more = {"rule": _("方案所列各项面积应与总面积一致"), "formula": formula, "hard": False}
    if warnings:
        out.add("figures", label, "warn", join_clauses(warnings), **more)
    else:
        out.add("figures", label, "ok", join_clauses(notes) or _("未填写可相互核对的面积"), **more)
