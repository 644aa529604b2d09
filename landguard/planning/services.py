"""Writes of the planning app: the county's plan indicators, their breakdown to townships, the township's layout done,
the engine's measurement of current values, and the rural idle-land ledger (one, or an xlsx ledger at once).

Each function is keyword-only, runs in one `transaction.atomic()` (with `select_for_update` on what it changes),
checks the target lies in the actor's scope and appends its audit entry in the same transaction. A breakdown whose
township values do not add up to the county value is refused whole, naming the gap and the townships; nothing is
written. Every change of a township's value or deadline is appended to `BreakdownChange`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from landguard.analysis import services as analysis
from landguard.analysis.errors import OverlayError
from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.core.geodesy import SQM_PER_MU, ellipsoidal_area_m2
from landguard.core.scope import scope_for
from landguard.core.text import join_list
from landguard.layers.models import LayerKind
from landguard.people.models import Role
from landguard.planning.models import (AreaSource, Breakdown, BreakdownChange, CountyPlan, CurrentUse, IdleParcel,
                                       IdleStatus, Indicator, IndicatorKind, Measurement, PlannedReuse)
from landguard.regions.models import Level, Region
from landguard.shell import approved_land

QUANTUM = Decimal("0.0001")
MAX_VALUE = Decimal("9999999999.9999")
WRITER_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.STAFF})
MAX_NAMED = 10


def can_manage(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.can_manage)


def can_work(user: Any) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in WRITER_ROLES))


def _require(actor: Any, codes: Iterable[str], *, manager: bool) -> None:
    if actor is None:  # the system: the demo loader, a command
        return
    if not (can_manage(actor) if manager else can_work(actor)):
        raise PermissionDenied(_("只有管理员可以编制和分解规划指标。") if manager else _("您的角色不能登记。"))
    scope = scope_for(actor)
    if not all(scope.contains(code) for code in codes):
        raise PermissionDenied(_("该行政区不在您的数据范围内。"))


def _amount(value: Any, field: str, *, allow_zero: bool = True) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "")).quantize(QUANTUM)
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("须为数字。")}) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_VALUE or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("须为不小于 0 的数字（最多 4 位小数）。")})
    return amount


def _named(names: list[str]) -> str:
    shown = join_list(names[:MAX_NAMED])
    return shown + (_("等 %(count)s 个") % {"count": len(names)} if len(names) > MAX_NAMED else "")


def townships_of(county: Region) -> list[Region]:
    return list(Region.objects.filter(parent=county, level=Level.TOWNSHIP, retired_in__isnull=True)
                .defer("geom").order_by("code"))


# --- the plan and its indicators --------------------------------------------------------------------------


def save_plan(*, actor: Any, county: Region, name: str, document_no: str, base_year: int, target_year: int,
              dev_boundary_factor: Any = None, values: Mapping[str, Any], is_synthetic: bool = False) -> CountyPlan:
    """The county's plan and its indicator values (亩), created or changed; an indicator left out is removed only
    when it has no breakdown."""
    _require(actor, [county.code], manager=True)
    if county.level != Level.COUNTY:
        raise ValidationError({"county": _("规划指标记在县级行政区。")})
    if not name.strip() or not document_no.strip():
        raise ValidationError(_("请填写规划名称和批复文号（来源文件）。"))
    if not 2000 <= base_year < target_year <= 2100:
        raise ValidationError({"target_year": _("规划目标年须晚于基期年（2000—2100）。")})
    factor = None
    if dev_boundary_factor not in (None, ""):
        factor = _amount(dev_boundary_factor, "dev_boundary_factor").quantize(Decimal("0.001"))
        if not Decimal(1) <= factor <= Decimal(5):
            raise ValidationError({"dev_boundary_factor": _("扩展倍数须在 1 至 5 之间。")})
    amounts = {kind: _amount(v, kind) for kind, v in values.items() if v not in (None, "")}
    if unknown := set(amounts) - set(IndicatorKind.values):
        raise ValidationError(_("未知的指标：%(kinds)s") % {"kinds": "、".join(sorted(unknown))})
    with transaction.atomic():
        plan = CountyPlan.objects.select_for_update().filter(region=county).first()
        fields = {"name": name.strip()[:120], "document_no": document_no.strip()[:160], "base_year": base_year,
                  "target_year": target_year, "dev_boundary_factor": factor}
        if plan is None:
            plan = CountyPlan.objects.create(region=county, region_code=county.code, is_synthetic=is_synthetic,
                                             **fields)
            audit.record_create(actor=actor, target=plan, region_code=county.code)
            before: dict[str, Any] = {}
        else:
            before = audit.snapshot(plan, list(fields))
            for key, value in fields.items():
                setattr(plan, key, value)
            plan.save()
        changes = audit.diff(before, audit.snapshot(plan, list(fields))) if before else {}
        changes.update(_write_indicators(plan, amounts))
        if before and changes:
            audit.record(actor=actor, action=AuditEntry.Action.UPDATE, target=plan, region_code=county.code,
                         changes=changes)
        return plan


def _write_indicators(plan: CountyPlan, amounts: dict[str, Decimal]) -> dict[str, list[Any]]:
    """The plan's indicators set to `amounts` (the caller holds the plan's lock); the changes, for the audit."""
    old = {i.kind: i for i in plan.indicators.all()}
    changes: dict[str, list[Any]] = {}
    for kind, amount in amounts.items():
        if kind in old:
            if old[kind].county_value != amount:
                changes[kind] = [str(old[kind].county_value), str(amount)]
                Indicator.objects.filter(pk=old[kind].pk).update(county_value=amount)
        else:
            Indicator.objects.create(plan=plan, kind=kind, county_value=amount)
            changes[kind] = [None, str(amount)]
    for kind, indicator in old.items():
        if kind not in amounts:
            if indicator.breakdowns.exists() or indicator.changes.exists():
                raise ValidationError({kind: _("%(kind)s已分解到乡镇，不能删除。") % {
                    "kind": indicator.get_kind_display()}})
            indicator.delete()
            changes[kind] = [str(indicator.county_value), None]
    return changes


# --- the breakdown to townships ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    township: Region
    target: Any  # 亩; blank when the form left it empty
    deadline: dt.date | None


class BreakdownMismatch(ValidationError):
    """The township values do not add up to the county value; nothing was written."""

    def __init__(self, indicator: Indicator, total: Decimal, named: list[str], missing: bool) -> None:
        gap = indicator.county_value - total
        message = _("%(kind)s分解合计 %(total)s 亩，与县级指标 %(county)s 亩相差 %(gap)s 亩（%(sign)s）；") % {
            "kind": indicator.get_kind_display(), "total": f"{total:,.4f}", "county": f"{indicator.county_value:,.4f}",
            "gap": f"{abs(gap):,.4f}", "sign": _("少分") if gap > 0 else _("多分")}
        message += (_("未填写分解值的乡镇：%(names)s。") if missing else _("请核对这些乡镇的分解值：%(names)s。")) % {
            "names": _named(named)}
        super().__init__(message, code="breakdown_mismatch")
        self.gap, self.townships = gap, named


def save_breakdown(*, actor: Any, indicator: Indicator, shares: list[Share], note: str = "") -> list[Breakdown]:
    """The indicator split to every township of its county, each with a deadline for its own breakdown and layout.
    Refused whole (BreakdownMismatch) when the values do not add up to the county value to the 0.0001 亩."""
    plan = indicator.plan
    _require(actor, [plan.region_code], manager=True)
    townships = {t.pk: t for t in townships_of(plan.region)}
    problems: dict[str, str] = {}
    given: dict[int, tuple[Decimal, dt.date]] = {}
    missing: list[str] = []
    for share in shares:
        if share.township.pk not in townships:
            raise ValidationError(_("%(name)s不是%(county)s的乡镇。") % {"name": share.township.name,
                                                                       "county": plan.region.name})
        if share.target in (None, ""):
            missing.append(share.township.name)
            continue
        try:
            value = _amount(share.target, "target")
        except ValidationError:
            problems[share.township.name] = _("分解值须为不小于 0 的数字")
            continue
        if share.deadline is None:
            problems[share.township.name] = _("请填写分解布局期限")
            continue
        given[share.township.pk] = (value, share.deadline)
    if problems:
        raise ValidationError([f"{name}：{text}" for name, text in problems.items()])
    missing += [t.name for pk, t in townships.items() if pk not in given and t.name not in missing]
    total = sum((v for v, _d in given.values()), Decimal(0))
    with transaction.atomic():
        indicator = Indicator.objects.select_for_update().select_related("plan__region").get(pk=indicator.pk)
        current = {b.township_id: b for b in indicator.breakdowns.all()}
        if total != indicator.county_value or missing:
            changed = [townships[pk].name for pk, (v, d) in given.items()
                       if pk not in current or current[pk].target != v]
            raise BreakdownMismatch(indicator, total, missing or changed or [t.name for t in townships.values()],
                                    bool(missing))
        saved, changes = [], {}
        for pk, (value, deadline) in given.items():
            row = current.get(pk)
            if row is not None and row.target == value and row.deadline == deadline:
                saved.append(row)
                continue
            BreakdownChange.objects.create(
                indicator=indicator, township=townships[pk], region_code=townships[pk].code,
                old_target=row.target if row else None, new_target=value, old_deadline=row.deadline if row else None,
                new_deadline=deadline, note=note[:300], changed_by=actor if getattr(actor, "pk", None) else None)
            changes[townships[pk].name] = [str(row.target) if row else None, str(value)]
            if row is None:
                row = Breakdown.objects.create(indicator=indicator, township=townships[pk],
                                               region_code=townships[pk].code, target=value, deadline=deadline)
            else:
                row.target, row.deadline = value, deadline
                row.save(update_fields=["target", "deadline"])
            saved.append(row)
        if changes:
            audit.record(actor=actor, action=AuditEntry.Action.UPDATE, target=indicator,
                         region_code=plan.region_code, changes=changes, note=note or _("指标分解到乡镇"))
        return saved


def mark_laid_out(*, actor: Any, breakdown: Breakdown, on: dt.date) -> Breakdown:
    """The township reports its own breakdown and layout (具体分解和布局) done on `on`."""
    _require(actor, [breakdown.region_code], manager=False)
    if on > timezone.localdate() or on.year < 2000:
        raise ValidationError({"on": _("完成日期不能晚于今天。")})
    with transaction.atomic():
        row = Breakdown.objects.select_for_update().get(pk=breakdown.pk)
        before = row.laid_out_on
        row.laid_out_on = on
        row.save(update_fields=["laid_out_on"])
        audit.record(actor=actor, action=AuditEntry.Action.UPDATE, target=row, region_code=row.region_code,
                     changes={"laid_out_on": [before.isoformat() if before else None, on.isoformat()]})
        return row


# --- current values (现状值) measured by the engine ---------------------------------------------------------


def farmland_is_net() -> bool:
    """耕地 counted net of 田坎 (图斑地类面积), as 三调 statistics report it: I, 待确认 (PLANNING_FARMLAND_NET)."""
    return bool(getattr(settings, "PLANNING_FARMLAND_NET", True))


def new_construction_start(plan: CountyPlan) -> dt.date:
    """新增建设用地 counts approvals from 1 January after the base year (I, 待确认)."""
    return dt.date(plan.base_year + 1, 1, 1)


_CONTROL_KINDS = {LayerKind.BASIC_FARMLAND: IndicatorKind.BASIC_FARMLAND,
                  LayerKind.ECO_REDLINE: IndicatorKind.ECO_REDLINE, LayerKind.DEV_BOUNDARY: IndicatorKind.DEV_BOUNDARY}


def measure_townships(plan: CountyPlan, townships: list[Region],
                      until: dt.date | None = None) -> tuple[dict[str, dict[str, float]], str]:
    """Each township's current areas (m²) per indicator kind, from the county's official layers through the overlay
    engine on the township outlines (耕地 = DLTB classes 01xx, 建设用地 = the 建设用地 big class, the control kinds
    inside their layer's union) and the approved dossiers since the base year (shell.approved_land); and the basis."""
    scope = scope_for_county(plan.region_code)
    found: dict[str, dict[str, float]] = {t.code: {} for t in townships}
    outlined = [t for t in townships if t.geom is not None]
    basis = []
    if outlined:
        geoms = shapely.from_wkb([bytes(t.geom.wkb) for t in outlined])  # type: ignore[union-attr]
        try:
            dltb, controls = analysis.choose_layers(scope, boundaries=geoms, kinds=list(_CONTROL_KINDS))
            results = analysis.overlay_boundaries(scope=scope, boundaries=geoms, dltb=dltb, controls=controls)
        except OverlayError as exc:
            raise ValidationError(_("无法测算现状值：%(error)s") % {"error": exc}) from None
        versions = [*analysis.dltb_versions(dltb), *controls]
        basis.append(join_list(str(v) for v in versions))
        net = farmland_is_net()
        for township, result in zip(outlined, results, strict=True):
            values = found[township.code]
            farmland = result.by_level1.get("01")
            values[IndicatorKind.FARMLAND] = (farmland.net_m2 if net else farmland.gross_m2) if farmland else 0.0
            construction = result.by_big_class.get("construction")
            values[IndicatorKind.CONSTRUCTION] = construction.gross_m2 if construction else 0.0
            for control in result.controls.values():
                kind = _CONTROL_KINDS.get(LayerKind(control.kind.value))
                if kind:
                    values[kind] = values.get(kind, 0.0) + control.inside_m2
    if approved_land.has_providers():
        start, end = new_construction_start(plan), until or timezone.localdate()
        for township in townships:
            found[township.code][IndicatorKind.NEW_CONSTRUCTION] = 0.0
        for piece in approved_land.approved_pieces(plan.region_code, start, end):
            code = piece.region_code[:9]
            if code in found:
                found[code][IndicatorKind.NEW_CONSTRUCTION] += piece.area_m2
        basis.append(_("%(source)s（%(start)s 起）") % {"source": approved_land.source_label(), "start": start})
    return found, "；".join(basis)


def scope_for_county(code: str) -> Any:
    from landguard.core.scope import RegionScope

    return RegionScope(prefixes=(code,), root_code=code)


def measure(*, actor: Any, plan: CountyPlan) -> list[Measurement]:
    """现状值 of every township of the plan's county, replacing the last measurement (one audit entry)."""
    _require(actor, [plan.region_code], manager=False)
    townships = list(Region.objects.filter(parent=plan.region, level=Level.TOWNSHIP, retired_in__isnull=True)
                     .order_by("code"))
    values, basis = measure_townships(plan, townships)
    now = timezone.now()
    with transaction.atomic():
        plan = CountyPlan.objects.select_for_update().get(pk=plan.pk)
        Measurement.objects.filter(plan=plan).delete()
        rows = [Measurement(plan=plan, township=t, region_code=t.code, kind=kind, area_m2=area, basis=basis[:300],
                            measured_at=now) for t in townships for kind, area in values[t.code].items()]
        Measurement.objects.bulk_create(rows)
        audit.record(actor=actor, action=AuditEntry.Action.UPDATE, target=plan, region_code=plan.region_code,
                     changes={"measured_at": [None, now.isoformat()]}, note=_("测算现状值：%(basis)s") % {
                         "basis": basis})
        return rows


# --- rural idle land (闲散土地) ---------------------------------------------------------------------------


def _village(actor: Any, village: Region) -> Region:
    if village.level != Level.VILLAGE:
        raise ValidationError({"village": _("闲散土地须登记到村（社区）。")})
    _require(actor, [village.code], manager=False)
    return village


def _area(boundary: Any, area_mu: Any, source: str) -> tuple[float, str, Any]:
    """(m², source, geometry): the ellipsoidal area of the boundary when there is one, else the entered 亩."""
    if boundary is not None:
        geom = boundary if shapely.get_type_id(boundary) == 6 else shapely.multipolygons([boundary])
        return float(ellipsoidal_area_m2(np.array([geom], dtype=object))[0]), source, GEOSGeometry(
            memoryview(shapely.to_wkb(geom)), srid=4490)
    if area_mu in (None, ""):
        raise ValidationError({"area_mu": _("请绘制或上传地块范围，或填写面积（亩）。")})
    return float(_amount(area_mu, "area_mu", allow_zero=False)) * SQM_PER_MU, AreaSource.ENTERED, None


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("请选择有效的选项。")})
    return value


def create_idle_parcel(*, actor: Any, village: Region, name: str, current_use: str, planned_reuse: str,
                       identified_on: dt.date, status: str = IdleStatus.IDENTIFIED, boundary: Any = None,
                       boundary_source: str = AreaSource.DRAWN, area_mu: Any = None, note: str = "",
                       is_synthetic: bool = False) -> IdleParcel:
    _village(actor, village)
    if not name.strip():
        raise ValidationError({"name": _("请填写地块名称或位置。")})
    area_m2, source, geom = _area(boundary, area_mu, boundary_source)
    with transaction.atomic():
        parcel = IdleParcel.objects.create(
            village=village, region_code=village.code, name=name.strip()[:120], area_m2=area_m2, area_source=source,
            geom=geom, current_use=_choice(current_use, CurrentUse, "current_use"),
            planned_reuse=_choice(planned_reuse, PlannedReuse, "planned_reuse"),
            status=_choice(status, IdleStatus, "status"), identified_on=identified_on, note=note[:300],
            is_synthetic=is_synthetic, created_by=actor if getattr(actor, "pk", None) else None)
        audit.record_create(actor=actor, target=parcel, region_code=village.code)
        return parcel


EDITABLE = ("name", "current_use", "planned_reuse", "status", "identified_on", "note")


def update_idle_parcel(*, actor: Any, parcel: IdleParcel, **values: Any) -> IdleParcel:
    """The parcel's use, reuse, status and notes; its area changes only with a new geometry (`boundary`) or, for an
    entered figure, a new `area_mu`."""
    _require(actor, [parcel.region_code], manager=False)
    with transaction.atomic():
        row = IdleParcel.objects.select_for_update().get(pk=parcel.pk)
        before = audit.snapshot(row, [*EDITABLE, "area_m2", "area_source"])
        for key in EDITABLE:
            if key in values:
                setattr(row, key, values[key])
        _choice(row.current_use, CurrentUse, "current_use")
        _choice(row.planned_reuse, PlannedReuse, "planned_reuse")
        _choice(row.status, IdleStatus, "status")
        if values.get("boundary") is not None:
            row.area_m2, row.area_source, row.geom = _area(values["boundary"], None,
                                                           values.get("boundary_source", AreaSource.DRAWN))
        elif values.get("area_mu") not in (None, "") and row.geom is None:
            row.area_m2, row.area_source, row.geom = _area(None, values["area_mu"], AreaSource.ENTERED)
        row.save()
        audit.record_update(actor=actor, target=row, before=before, region_code=row.region_code)
        return row
