"""The spatial side of a dossier: its official areas from the engine (measure) and the checks an approval needs
before submission (checklist), domain-land.md §A.6. The overlay is the analysis app's (the official layers of every
county the boundary overlaps); the rules — what blocks, what decides the route — are here.

A check is `ok`, `warn` (shown, does not block), `fail` (blocks submission, naming the rule) or `na` (its layer is
missing: said, never silently passed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from landguard.analysis import services as analysis
from landguard.analysis.services import dltb_versions
from landguard.approvals import authority
from landguard.approvals.models import Dossier
from landguard.core import clock
from landguard.core.geodesy import SQM_PER_MU, ellipsoidal_area_m2, hectares, mu
from landguard.core.scope import RegionScope
from landguard.core.text import join_clauses, join_list
from landguard.engine.kinds import ControlKind
from landguard.engine.landclass import BigClass
from landguard.engine.results import OverlayResult

# The control layers the checks read; a county's other layers (mining, project extents…) do not matter here.
CHECKED_KINDS = (ControlKind.BASIC_FARMLAND, ControlKind.ECO_REDLINE, ControlKind.DEV_BOUNDARY, ControlKind.APPROVED)
# Below this an overlap or an outside part is the float noise of two digitisations of one line, not land.
TOLERANCE_M2 = 1.0


@dataclass(frozen=True)
class Measure:
    result: OverlayResult
    figures: dict[str, float]  # Dossier area field → m²
    basis: str  # the survey layer versions the areas come from


def measure(scope: RegionScope, boundary: shapely.Geometry) -> Measure:
    """The boundary's official areas by class against the official layers of the counties it overlaps.
    Raises analysis.OverlayError (a ValidationError) naming what is missing."""
    geoms = np.array([boundary], dtype=object)
    dltb, controls = analysis.choose_layers(scope, boundaries=geoms, kinds=CHECKED_KINDS)
    (result,) = analysis.overlay_boundaries(scope=scope, boundaries=geoms, dltb=dltb, controls=controls)
    codes = result.by_code

    def net(code: str) -> float:
        return codes[code].net_m2 if code in codes else 0.0

    def gross(big: str) -> float:
        row = result.by_big_class.get(big)
        return row.gross_m2 if row else 0.0

    ownership: dict[str, Any] = getattr(result, "by_ownership", {}) or {}
    figures = {
        "total_m2": result.gross_m2,
        "agricultural_m2": gross(BigClass.AGRICULTURAL),
        "farmland_m2": result.farmland_net_m2,
        "paddy_m2": net("0101"),
        "irrigated_m2": net("0102"),
        "dry_m2": net("0103"),
        "basic_farmland_m2": _inside(result, ControlKind.BASIC_FARMLAND),
        "construction_m2": gross(BigClass.CONSTRUCTION),
        "unused_m2": gross(BigClass.UNUSED),
        "state_m2": ownership["state"].gross_m2 if "state" in ownership else 0.0,
        "collective_m2": ownership["collective"].gross_m2 if "collective" in ownership else 0.0,
    }
    basis = join_clauses(f"{v.layer.name} v{v.number}" + (f"（{v.year}）" if v.year else "")
                         for v in dltb_versions(dltb))
    return Measure(result, figures, basis[:300])


def apply(dossier: Dossier, measured: Measure) -> None:
    """Store the measured figures on the dossier (the caller saves)."""
    for name, value in measured.figures.items():
        setattr(dossier, name, round(float(value), 2))
    dossier.areas_basis = measured.basis
    dossier.areas_at = timezone.now()
    dossier.parcel_count = max(1, len(shapely.get_parts(shapely.from_wkb(bytes(dossier.boundary.wkb)))))


@dataclass(frozen=True)
class CollectiveLand:
    """The engine's collective land inside a dossier (权属性质 QSXZ 30–34, 40: engine.ownership): what its 征收
    figures are prefilled from — the user may overwrite them."""

    area_m2: float  # gross, like the dossier's total
    farmland_m2: float | None  # 耕地 net of 田坎, like the dossier's 耕地; None when the overlay could not run now
    basis: str  # the survey layer versions


def collective_land(dossier: Dossier, result: OverlayResult | None) -> CollectiveLand:
    if result is None:  # the stored measurement; the farmland split needs the overlay
        return CollectiveLand(dossier.collective_m2, None, dossier.areas_basis)
    own = result.by_ownership.get("collective")
    farm = result.farmland_by_ownership.get("collective")
    return CollectiveLand(own.gross_m2 if own else 0.0, farm.net_m2 if farm else 0.0, dossier.areas_basis)


def _inside(result: OverlayResult, kind: ControlKind) -> float:
    return sum(c.inside_m2 for c in result.controls.values() if c.kind == kind)


def _outside(result: OverlayResult, kind: ControlKind) -> float | None:
    found = [c.outside_m2 for c in result.controls.values() if c.kind == kind and c.outside_m2 is not None]
    return min(found) if found else None


def _has_layer(result: OverlayResult, kind: ControlKind) -> bool:
    return any(c.kind == kind for c in result.controls.values())


@dataclass(frozen=True)
class Check:
    key: str
    label: str | Promise
    state: str  # ok / warn / fail / na
    detail: str

    @property
    def blocks(self) -> bool:
        return self.state == "fail"


@dataclass
class Checklist:
    items: list[Check] = field(default_factory=list)
    conversion: authority.Decision | None = None
    expropriation: authority.Decision | None = None
    collective: CollectiveLand | None = None  # what the 征收 figures are prefilled from

    @property
    def blocking(self) -> list[Check]:
        return [c for c in self.items if c.blocks]

    def add(self, key: str, label: str | Promise, state: str, detail: str) -> None:
        self.items.append(Check(key, label, state, detail))


def _ha(m2: float) -> str:
    return f"{hectares(m2):,.4f}"


def _mu4(m2: float) -> float:
    """亩 to 4 places: quota is booked to 0.0001 亩, so the check compares at that precision."""
    return round(m2 / SQM_PER_MU, 4)


def _mu(m2: float) -> str:
    return f"{mu(m2):,.2f}"


def checklist(scope: RegionScope, dossier: Dossier, result: OverlayResult | None, *,
              overlaps: list[tuple[Dossier, float]], delegation: authority.Delegation,
              quota_mu: dict[str, float], required_parts: list[tuple[str, str]],
              offset: OffsetRule | None = None) -> Checklist:
    """The checks of one dossier. `result` is its overlay (None when the analysis could not run: the survey
    check fails); `overlaps` earlier dossiers its boundary overlaps with the area; `quota_mu` the quota it uses by
    ledger group ("plan", "farmland_quantity", "farmland_paddy", "farmland_capacity"); `required_parts` the
    package parts (key, label) still missing; `offset` the 占补平衡 rule of the dossier's date."""
    out = Checklist(collective=collective_land(dossier, result))
    if result is None:
        out.add("survey", _("地类依据"), "fail", _("无法计算地类面积：请先导入并设定本县官方地类图斑图层"))
        return out
    out.add("survey", _("地类依据"), "ok" if result.uncovered_m2 <= TOLERANCE_M2 else "warn",
            _("按 %(basis)s 计算，用地总面积 %(ha)s 公顷（%(mu)s 亩）") % {
                "basis": dossier.areas_basis or "—", "ha": _ha(dossier.total_m2), "mu": _mu(dossier.total_m2)}
            + ("" if result.uncovered_m2 <= TOLERANCE_M2 else
               _("；其中 %(m2)s 平方米没有地类图斑覆盖，请核对范围") % {"m2": f"{result.uncovered_m2:,.2f}"}))
    _basic_farmland(out, dossier, result)
    _dev_boundary(out, dossier, result)
    _eco_redline(out, dossier, result)
    _approved(out, dossier, result, overlaps)
    _quota(out, dossier, quota_mu, offset)
    if required_parts:
        missing = join_list(p[1] for p in required_parts)
        out.add("parts", _("报批材料"), "fail", _("尚未编制：%(parts)s") % {"parts": missing})
    else:
        out.add("parts", _("报批材料"), "ok", _("报批材料已齐"))
    out.conversion = authority.conversion_authority(dossier.kind, basic_farmland_m2=dossier.basic_farmland_m2,
                                                    delegation=delegation)
    out.expropriation = authority.expropriation_authority(**expropriated(dossier), delegation=delegation)
    return out


def expropriated(dossier: Dossier) -> dict[str, float]:
    """The 征收 areas the 第46条 rule reads: 永农, other 耕地 and other land to be expropriated. 永农 counts as
    expropriated in full when anything is expropriated (the collective's 永农 inside the boundary)."""
    if dossier.expropriation_m2 <= 0:
        return {"basic_farmland_m2": 0.0, "farmland_m2": 0.0, "other_m2": 0.0}
    basic = min(dossier.basic_farmland_m2, dossier.expropriation_farmland_m2)
    farmland = max(0.0, dossier.expropriation_farmland_m2 - basic)
    return {"basic_farmland_m2": basic, "farmland_m2": farmland,
            "other_m2": max(0.0, dossier.expropriation_m2 - dossier.expropriation_farmland_m2)}


def _basic_farmland(out: Checklist, dossier: Dossier, result: OverlayResult) -> None:
    label = _("永久基本农田")
    if not _has_layer(result, ControlKind.BASIC_FARMLAND):
        out.add("basic_farmland", label, "na", _("未找到本县永久基本农田图层，未能核查"))
        return
    area = dossier.basic_farmland_m2
    if area <= TOLERANCE_M2:
        out.add("basic_farmland", label, "ok", _("不涉及永久基本农田"))
        return
    touched = _("占用永久基本农田 %(ha)s 公顷（%(mu)s 亩）：农用地转用须报国务院批准（《土地管理法》第四十四条）") % {
        "ha": _ha(area), "mu": _mu(area)}
    if not dossier.national_key_project:
        out.add("basic_farmland", label, "fail", touched + _("；仅能源、交通、水利、军事设施等国家重点建设项目确实难"
                                                             "以避让的方可占用（第三十五条），并须落实永久基本农田补划，"
                                                             "请调整范围避让或注明国家重大项目"))
    elif not dossier.replenish_area_mu or float(dossier.replenish_area_mu) * SQM_PER_MU + TOLERANCE_M2 < area:
        out.add("basic_farmland", label, "fail", touched + _("；须落实永久基本农田补划：补划面积不少于 %(mu)s 亩，填"
                                                             "写补划地块、质量等别和入库情况") % {"mu": _mu(area)})
    else:
        out.add("basic_farmland", label, "warn", touched + _("；已落实补划 %(mu)s 亩（%(grade)s%(db)s）") % {
            "mu": f"{dossier.replenish_area_mu:,.2f}", "grade": dossier.replenish_grade or _("等别未填"),
            "db": _("，已入库") if dossier.replenish_in_database else _("，未入库")})


def _dev_boundary(out: Checklist, dossier: Dossier, result: OverlayResult) -> None:
    label = _("城镇开发边界")
    outside = _outside(result, ControlKind.DEV_BOUNDARY)
    if outside is None:
        out.add("dev_boundary", label, "na", _("未找到本县城镇开发边界图层，未能核查报批路径"))
        return
    if outside <= TOLERANCE_M2:
        out.add("dev_boundary", label, "ok", _("位于城镇开发边界内：可按批次用地报批"))
        return
    text = _("%(ha)s 公顷位于城镇开发边界外") % {"ha": _ha(outside)}
    if dossier.kind == Dossier.Kind.BATCH:
        out.add("dev_boundary", label, "fail", text + _("：批次用地须在城镇开发边界内，边界外的用地应按单独选址报批"))
    else:
        out.add("dev_boundary", label, "ok", text + _("：按%(kind)s报批") % {"kind": dossier.get_kind_display()})


def _eco_redline(out: Checklist, dossier: Dossier, result: OverlayResult) -> None:
    label = _("生态保护红线")
    if not _has_layer(result, ControlKind.ECO_REDLINE):
        out.add("eco_redline", label, "na", _("未找到本县生态保护红线图层，未能核查"))
        return
    area = _inside(result, ControlKind.ECO_REDLINE)
    if area <= TOLERANCE_M2:
        out.add("eco_redline", label, "ok", _("不涉及生态保护红线"))
        return
    text = _("涉及生态保护红线 %(ha)s 公顷") % {"ha": _ha(area)}
    if dossier.national_key_project:
        out.add("eco_redline", label, "warn", text + _("：国家重大项目，须按规定论证并报国务院或其授权机关"))
    else:
        out.add("eco_redline", label, "fail", text + _("：生态保护红线内仅允许有限人为活动和国家重大项目，请调整范围"))


def _approved(out: Checklist, dossier: Dossier, result: OverlayResult, overlaps: list[tuple[Dossier, float]]) -> None:
    label = _("已批用地")
    if dossier.kind == Dossier.Kind.CITY_PROJECT:
        # A specific project approved by the city or county lies inside an approved 农转用 area (第44条第3款):
        # here overlapping approved land is the rule, not double reporting.
        covered = sum(a for _d, a in overlaps)
        outside = _outside(result, ControlKind.APPROVED)
        uncovered = min(outside if outside is not None else dossier.total_m2, max(0.0, dossier.total_m2 - covered))
        if uncovered <= TOLERANCE_M2:
            out.add("approved", label, "ok", _("位于已批准的农用地转用范围内"))
        else:
            out.add("approved", label, "fail", _("%(ha)s 公顷不在已批准的农用地转用范围内：市县批准的具体项目须位于"
                                                 "已批准的农用地转用范围内，范围外的用地应按批次或单独选址报批")
                    % {"ha": _ha(uncovered)})
        return
    layer_area = _inside(result, ControlKind.APPROVED)
    found = [_("“%(name)s”%(ha)s 公顷") % {"name": d.name, "ha": _ha(a)} for d, a in overlaps]
    if layer_area > TOLERANCE_M2:
        found.append(_("已批用地图层 %(ha)s 公顷") % {"ha": _ha(layer_area)})
    if found:
        out.add("approved", label, "fail", _("与已报批或已批复的用地重叠，不得重复报批：%(list)s")
                % {"list": join_clauses(found)})
    else:
        out.add("approved", label, "ok", _("与已报批、已批复用地无重叠"))


def _quota(out: Checklist, dossier: Dossier, quota_mu: dict[str, float], offset: OffsetRule | None) -> None:
    if dossier.kind == Dossier.Kind.CITY_PROJECT:
        out.add("quota", _("用地指标"), "ok", _("已批准农用地转用范围内的具体项目，不再使用计划指标"))
        return
    needed = _mu4(dossier.new_construction_m2)
    plan = round(quota_mu.get("plan", 0.0), 4)
    state = "ok" if plan >= needed else "fail"
    out.add("quota", _("用地指标"), state, _("新增建设用地 %(need)s 亩，已落实指标 %(have)s 亩") % {
        "need": f"{needed:,.4f}", "have": f"{plan:,.4f}"} + ("" if state == "ok" else _("，缺口 %(gap)s 亩") % {
            "gap": f"{needed - plan:,.4f}"}))
    _balance(out, dossier, quota_mu, offset)


@dataclass(frozen=True)
class OffsetRule:
    """The 占补平衡 rule for the dossier's date (quotas.selectors.offset_period): the 占补 ledger kinds a batch
    must deduct, as the approvals' quota groups, and where the rule comes from."""

    on: Any  # the date the rule was chosen for: the submission date, or today for a dossier not yet submitted
    groups: tuple[str, ...]  # "farmland_quantity", "farmland_paddy", "farmland_capacity"
    labels: tuple[str, ...]  # the kinds' names, in the active language
    basis: str  # the document (文号) and what it says
    confirmed: bool


def _balance(out: Checklist, dossier: Dossier, quota_mu: dict[str, float], offset: OffsetRule | None) -> None:
    """耕地占补平衡: exactly the kinds the rule for the dossier's date requires — 耕地数量 ≥ the 耕地 it occupies,
    水田规模 ≥ its 水田, 粮食产能 recorded — so a 2024 batch and a 2025 one are checked differently."""
    farmland = _mu4(dossier.farmland_m2)
    if farmland <= 0:
        return
    have = round(quota_mu.get("farmland_quantity", 0.0), 4)
    have_paddy = round(quota_mu.get("farmland_paddy", 0.0), 4)
    capacity = quota_mu.get("farmland_capacity", 0.0)
    paddy = _mu4(dossier.paddy_m2)
    groups = offset.groups if offset else ()
    short = [label for group, label, missing in (
        ("farmland_quantity", _("耕地数量指标"), have < farmland),
        ("farmland_paddy", _("水田规模指标"), have_paddy < paddy),
        ("farmland_capacity", _("粮食产能指标"), capacity <= 0)) if group in groups and missing]
    detail = _("占用耕地 %(farm)s 亩（其中水田 %(paddy)s 亩），已落实补充耕地 %(have)s 亩（水田 %(hp)s 亩，产能 %(kg)s"
               " 公斤）") % {"farm": f"{farmland:,.4f}", "paddy": f"{paddy:,.4f}", "have": f"{have:,.4f}",
                          "hp": f"{have_paddy:,.4f}", "kg": f"{capacity:,.0f}"}
    if offset is None:
        out.add("balance", _("耕地占补平衡"), "warn", detail + _("；%(day)s 没有配置占补平衡规则，未核查") % {
            "day": offset_day(dossier)})
        return
    rule = _("按%(day)s适用的规则须扣减：%(kinds)s（依据：%(basis)s%(tbc)s）") % {
        "day": offset.on.isoformat(), "kinds": join_list(offset.labels) or _("无"), "basis": offset.basis,
        "tbc": "" if offset.confirmed else _("，待确认")}
    out.add("balance", _("耕地占补平衡"), "fail" if short else "ok", join_clauses([detail, rule])
            + ("" if not short else _("；尚未落实：%(kinds)s，补充耕地须先补后占") % {"kinds": join_list(short)}))


def offset_day(dossier: Dossier) -> Any:
    """The day whose 占补 rule applies: the submission date, or today for a dossier not yet submitted."""
    return dossier.submitted_on or clock.today()


def overlap_areas(boundary: shapely.Geometry,
                  others: list[tuple[Dossier, shapely.Geometry]]) -> list[tuple[Dossier, float]]:
    """The official area each other dossier's boundary shares with `boundary`, above the tolerance."""
    if not others:
        return []
    shared = shapely.intersection(boundary, np.array([g for _d, g in others], dtype=object))
    areas = ellipsoidal_area_m2(shared)
    return [(d, float(a)) for (d, _g), a in zip(others, areas, strict=True) if a > TOLERANCE_M2]
