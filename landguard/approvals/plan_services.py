"""Every write to a 成片开发方案, as approvals.services writes dossiers: one service per action, in one transaction,
the plan row locked (`select_for_update`), the status moved only as workflow.PLAN_TRANSITIONS allows, each change
appended to its history and the audit trail. The 片区 total is measured by the engine (CGCS2000 ellipsoidal m²);
every other figure is typed as the 方案 prints it (公顷, 4 dp)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import shapely
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from landguard.approvals import plan_selectors as selectors
from landguard.approvals import spatial
from landguard.approvals.models import DevelopmentPlan, DevelopmentPlanStatusChange, DevelopmentPlanYear
from landguard.approvals.services import dossier_region
from landguard.approvals.workflow import PlanAction, plan_target
from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.core.scope import EVERYTHING, RegionScope, scope_for
from landguard.core.text import join_clauses, join_list
from landguard.people.models import User
from landguard.projects import boundaries
from landguard.projects.models import Project
from landguard.projects.services import can_work  # one rule: the roles that work on land-guarantee matters

S = DevelopmentPlan.Status
# The figures a user may edit while the plan is being drafted (the 片区 total comes from the engine, never typed).
EDITABLE = ("name", "plan_no", "year", "published_total_ha", *DevelopmentPlan.PUBLIC_FIELDS, "expropriation_ha",
            *DevelopmentPlan.USE_FIELDS, "planned_project_count", "consent_body", "consent_yes", "consent_total",
            "note")


def _require_writer(actor: User | None, region_code: str) -> None:
    if actor is None:  # the system: the demo loader
        return
    if not can_work(actor):
        raise PermissionDenied(_("您的角色不能办理成片开发方案。"))
    if not scope_for(actor).contains(region_code):
        raise PermissionDenied(_("该成片开发方案不在您的数据范围内。"))


def _scope(actor: User | None) -> RegionScope:
    return EVERYTHING if actor is None else scope_for(actor)


def _business_date(on: dt.date | None, *, not_before: dt.date | None = None, label: str) -> dt.date:
    today = clock.today()
    on = on or today
    if on > today:
        raise ValidationError(_("%(label)s不能晚于今天（%(today)s）。") % {"label": label, "today": today.isoformat()})
    if not_before is not None and on < not_before:
        raise ValidationError(_("%(label)s不能早于 %(day)s。") % {"label": label, "day": not_before.isoformat()})
    return on


def _measured(scope: RegionScope, plan: DevelopmentPlan, boundary: shapely.Geometry) -> None:
    measured = spatial.measure(scope, boundary)
    plan.boundary = boundaries.to_geos(boundary)  # type: ignore[assignment]
    plan.total_m2 = round(float(measured.figures["total_m2"]), 2)
    plan.areas_basis, plan.areas_at = measured.basis, timezone.now()


def _visible_projects(actor: User | None, projects: Iterable[Project]) -> list[Project]:
    chosen = list(projects)
    scope = _scope(actor)
    outside = [p.name for p in chosen if not scope.contains(p.region_code)]
    if outside:
        raise PermissionDenied(_("这些项目不在您的数据范围内：%(names)s") % {"names": join_list(outside)})
    return chosen


def _validate(plan: DevelopmentPlan) -> None:
    plan.full_clean(exclude=["boundary", "created_by"])
    if plan.consent_yes is not None and plan.consent_total is not None and plan.consent_yes > plan.consent_total:
        raise ValidationError({"consent_yes": _("同意人数不能多于应到人数。")})
    for name in (*DevelopmentPlan.PUBLIC_FIELDS, *DevelopmentPlan.USE_FIELDS, "published_total_ha",
                 "expropriation_ha"):
        if (getattr(plan, name) or 0) < 0:
            raise ValidationError({name: _("面积不能为负数。")})


@transaction.atomic
def create_plan(*, actor: User | None, name: str, year: int, boundary: shapely.Geometry, source: str,
                projects: Iterable[Project] = (), is_synthetic: bool = False, **values: Any) -> DevelopmentPlan:
    """A new plan (编制中) from a checked 片区 boundary, its total measured against the official layers; the
    county is the one the boundary lies in."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    boundary = boundaries.checked_boundary(boundary)
    region = dossier_region(boundary)
    _require_writer(actor, region.code)
    plan = DevelopmentPlan(name=name.strip(), year=year, region=region, region_code=region.code,
                           boundary_source=source, created_by=actor, is_synthetic=is_synthetic, **values)
    _measured(_scope(actor), plan, boundary)
    _validate(plan)
    plan.save()
    plan.projects.set(_visible_projects(actor, projects))
    DevelopmentPlanStatusChange.objects.create(plan=plan, to_status=plan.status, on=clock.today(), actor=actor,
                                               note=_("编制方案"))
    audit.record_create(actor=actor, target=plan, region_code=plan.region_code)
    return plan


def _locked(plan: DevelopmentPlan) -> DevelopmentPlan:
    return DevelopmentPlan.objects.select_for_update().get(pk=plan.pk)


def _require_draft(plan: DevelopmentPlan) -> None:
    if plan.status != S.DRAFT:
        raise ValidationError(_("方案已%(status)s，不能再修改。") % {"status": plan.get_status_display()})


@transaction.atomic
def update_plan(*, actor: User | None, plan: DevelopmentPlan, projects: Iterable[Project] | None = None,
                **values: Any) -> DevelopmentPlan:
    """Edit the figures of a plan being drafted (names in EDITABLE)."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    plan = _locked(plan)
    _require_writer(actor, plan.region_code)
    _require_draft(plan)
    before = audit.snapshot(plan, list(values))
    for key, value in values.items():
        setattr(plan, key, value)
    _validate(plan)
    plan.save()
    if projects is not None:
        plan.projects.set(_visible_projects(actor, projects))
    audit.record_update(actor=actor, target=plan, before=before, region_code=plan.region_code)
    return plan


@transaction.atomic
def set_boundary(*, actor: User | None, plan: DevelopmentPlan, boundary: shapely.Geometry,
                 source: str) -> DevelopmentPlan:
    """Replace the 片区 boundary of a plan being drafted and measure it again."""
    plan = _locked(plan)
    _require_writer(actor, plan.region_code)
    _require_draft(plan)
    boundary = boundaries.checked_boundary(boundary)
    region = dossier_region(boundary)
    _require_writer(actor, region.code)
    before = {"total_m2": plan.total_m2, "region_code": plan.region_code}
    plan.region, plan.region_code, plan.boundary_source = region, region.code, source
    _measured(_scope(actor), plan, boundary)
    plan.save()
    audit.record_update(actor=actor, target=plan, before=before, region_code=plan.region_code)
    return plan


YearRow = tuple[int, Decimal, int, Decimal | None, int | None]  # year, planned ha, planned n, actual ha, actual n


def _years_text(rows: Iterable[YearRow]) -> str:
    return join_clauses(_("%(year)s 年计划 %(ph)s 公顷 %(pn)s 个项目，实际 %(ah)s 公顷 %(an)s 个项目") % {
        "year": y, "ph": f"{ph:f}", "pn": pn, "ah": "—" if ah is None else f"{ah:f}", "an": "—" if an is None else an}
        for y, ph, pn, ah, an in rows) or "—"


@transaction.atomic
def set_years(*, actor: User | None, plan: DevelopmentPlan, rows: Iterable[YearRow]) -> DevelopmentPlan:
    """The yearly implementation plan. While drafting, the rows replace the previous ones; once approved, only the
    actual figures of the planned years are recorded (the approved schedule itself does not change)."""
    plan = _locked(plan)
    _require_writer(actor, plan.region_code)
    rows = sorted(rows)
    if len({r[0] for r in rows}) != len(rows):
        raise ValidationError(_("同一年度只能填写一行。"))
    for year, planned_ha, planned_n, actual_ha, actual_n in rows:
        if planned_ha < 0 or planned_n < 0 or (actual_ha or 0) < 0 or (actual_n or 0) < 0:
            raise ValidationError(_("%(year)s 年的数字不能为负数。") % {"year": year})
    current = {y.year: y for y in plan.years.all()}
    before = _years_text((y.year, y.planned_ha, y.planned_projects, y.actual_ha, y.actual_projects)
                         for y in current.values())
    if plan.status == S.DRAFT:
        plan.years.all().delete()
        DevelopmentPlanYear.objects.bulk_create([DevelopmentPlanYear(
            plan=plan, year=y, planned_ha=ph, planned_projects=pn, actual_ha=ah, actual_projects=an)
            for y, ph, pn, ah, an in rows])
    elif plan.status == S.APPROVED:
        changed = [r for r in rows if r[0] not in current or (current[r[0]].planned_ha, current[r[0]].planned_projects)
                   != (r[1], r[2])]
        if changed or len(rows) != len(current):
            raise ValidationError(_("方案已批准：年度实施计划不能再修改，只能登记实际实施情况。"))
        for y, _ph, _pn, ah, an in rows:
            current[y].actual_ha, current[y].actual_projects = ah, an
            current[y].save(update_fields=["actual_ha", "actual_projects"])
    else:
        raise ValidationError(_("方案已%(status)s，不能修改年度实施计划。") % {"status": plan.get_status_display()})
    audit.record(actor=actor, action=AuditEntry.Action.UPDATE, target=plan, region_code=plan.region_code,
                 changes={"years": [before, _years_text(rows)]})
    return plan


def _move(actor: User | None, plan: DevelopmentPlan, action: str, on: dt.date, note: str) -> None:
    before = plan.status
    target = plan_target(action, before)
    if target is None:
        raise ValidationError(_("方案当前为“%(status)s”，不能执行此操作。") % {"status": plan.get_status_display()})
    plan.status = target
    DevelopmentPlanStatusChange.objects.create(plan=plan, from_status=before, to_status=target, on=on, actor=actor,
                                               note=note[:300])
    audit.record(actor=actor, action=AuditEntry.Action.STATE, target=plan, region_code=plan.region_code,
                 changes={"status": [before, target]}, note=note[:300])


@transaction.atomic
def submit(*, actor: User | None, plan: DevelopmentPlan, on: dt.date | None = None,
           note: str = "") -> DevelopmentPlan:
    """报批: every hard check passes, else ValidationError naming each failed rule."""
    plan = _locked(plan)
    _require_writer(actor, plan.region_code)
    on = _business_date(on, label=_("报批日期"))
    checks = selectors.checklist(_scope(actor), plan)
    if checks.blocking:
        raise ValidationError([_("%(check)s：%(detail)s") % {"check": c.label, "detail": c.detail}
                               for c in checks.blocking])
    _move(actor, plan, PlanAction.SUBMIT, on, note or _("报批"))
    plan.submitted_on = on
    plan.save()
    return plan


@transaction.atomic
def approve(*, actor: User | None, plan: DevelopmentPlan, approval_no: str, approved_on: dt.date,
            approved_by: str = "", note: str = "") -> DevelopmentPlan:
    """批准: the 批复文号, date and approving body (the province or above, 第45条) are kept."""
    plan = _locked(plan)
    _require_writer(actor, plan.region_code)
    if not approval_no.strip():
        raise ValidationError({"approval_no": _("请填写批复文号。")})
    approved_on = _business_date(approved_on, not_before=plan.submitted_on, label=_("批复日期"))
    _move(actor, plan, PlanAction.APPROVE, approved_on, note or approval_no)
    plan.approval_no, plan.approved_on, plan.approved_by = approval_no.strip(), approved_on, approved_by.strip()[:60]
    plan.save()
    return plan


@transaction.atomic
def refuse(*, actor: User | None, plan: DevelopmentPlan, note: str, on: dt.date | None = None) -> DevelopmentPlan:
    """不予批准: the reason is kept."""
    if not note.strip():
        raise ValidationError({"note": _("请说明不予批准的原因。")})
    plan = _locked(plan)
    _require_writer(actor, plan.region_code)
    on = _business_date(on, not_before=plan.submitted_on, label=_("日期"))
    _move(actor, plan, PlanAction.REFUSE, on, note)
    plan.save()
    return plan


@transaction.atomic
def record_earlier_approval(*, actor: User | None, plan: DevelopmentPlan, approved_on: dt.date, approved_by: str,
                            approval_no: str = "", submitted_on: dt.date | None = None,
                            note: str = "") -> DevelopmentPlan:
    """补录: a plan approved before it was kept here (the demo's 冠县 2021 方案), entered as its approval reads. It
    passes through 已报批 to 已批准 by the transition table, without this system's checks (the history says so),
    so its checklist afterwards shows what the published figures do and do not support."""
    plan = _locked(plan)
    _require_writer(actor, plan.region_code)
    approved_on = _business_date(approved_on, label=_("批复日期"))
    if submitted_on is not None:
        submitted_on = _business_date(submitted_on, label=_("报批日期"))
    text = note or _("补录已批准的方案（批准前未经本系统检查）")
    # The submission date is kept only when known; its history row then carries the approval date.
    _move(actor, plan, PlanAction.SUBMIT, submitted_on or approved_on, text)
    _move(actor, plan, PlanAction.APPROVE, approved_on, approval_no or approved_by)
    plan.submitted_on, plan.approved_on = submitted_on, approved_on
    plan.approval_no, plan.approved_by = approval_no.strip(), approved_by.strip()[:60]
    plan.save()
    return plan
