"""Every write to a dossier (Signalen's write path): one service per action, in one transaction, the dossier row
locked (`select_for_update`), the status moved only as workflow.DOSSIER_TRANSITIONS allows, each change appended to
its history and the audit trail. The quota follows the dossier: reserved in the ledgers on submission (QuotaShortfall
refuses a submission that would overdraw), settled on approval, released on return, withdrawal or refusal — in the
same transaction, so a dossier and its ledger rows never disagree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import shapely
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.audit.notes import Note
from landguard.approvals import parts as package
from landguard.approvals import selectors, spatial
from landguard.approvals.models import Dossier, DossierQuota, DossierStatusChange
from landguard.approvals.numbers import parse_document_number
from landguard.approvals.quota_groups import kind_choices
from landguard.approvals.workflow import DossierAction, dossier_target
from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.core.scope import EVERYTHING, RegionScope, scope_for
from landguard.core.text import join_clauses, join_list
from landguard.people.models import User
from landguard.projects import boundaries
from landguard.projects import selectors as project_selectors
from landguard.projects.models import Project, Step
from landguard.projects.services import can_work  # one rule: the roles that work on land-guarantee matters
from landguard.projects.services import steps as step_services
from landguard.quotas import services as quotas
from landguard.quotas.models import unit_of
from landguard.regions.models import Level, Region

# The figures a user may edit while the dossier is being assembled (the areas come from the engine, never typed).
EDITABLE = ("name", "kind", "year", "pre_review_no", "supplement_source", "replenish_area_mu", "replenish_grade",
            "replenish_in_database", "expropriation_m2", "expropriation_farmland_m2", "compensation_wan_yuan",
            "households", "national_key_project", "parts_done", "note", "service_request")


def _require_writer(actor: User | None, region_code: str) -> None:
    if actor is None:  # the system: the demo loader
        return
    if not can_work(actor):
        raise PermissionDenied(_("您的角色不能办理报批事务。"))
    if not scope_for(actor).contains(region_code):
        raise PermissionDenied(_("该报批卷宗不在您的数据范围内。"))


def _scope(actor: User | None) -> RegionScope:
    return EVERYTHING if actor is None else scope_for(actor)


_business_date = clock.business_date  # the one rule of every app (landguard.core.clock)


def dossier_region(boundary: shapely.Geometry) -> Region:
    """The region that reports the dossier: the county its boundary lies in (a batch is assembled by the county),
    or the city when it crosses counties. ValidationError when it lies in no known region."""
    parts = boundaries.split_by_region(boundary)
    region = boundaries.common_region([p.region.code for p in parts])
    while region.level > Level.COUNTY and region.parent is not None:
        region = region.parent
    return region


def _measured(scope: RegionScope, dossier: Dossier, boundary: shapely.Geometry) -> None:
    dossier.boundary = boundaries.to_geos(boundary)
    spatial.apply(dossier, spatial.measure(scope, boundary))


@transaction.atomic
def create_dossier(*, actor: User | None, name: str, kind: str, year: int, boundary: shapely.Geometry, source: str,
                   projects: Iterable[Project] = (), note: str = "", is_synthetic: bool = False) -> Dossier:
    """A new dossier (组卷中) from a checked boundary, measured against the official survey layers."""
    boundary = boundaries.checked_boundary(boundary)
    region = dossier_region(boundary)
    _require_writer(actor, region.code)
    dossier = Dossier(name=name.strip(), kind=kind, year=year, region=region, region_code=region.code,
                      boundary_source=source, note=note, created_by=actor, is_synthetic=is_synthetic)
    _measured(_scope(actor), dossier, boundary)
    dossier.full_clean(exclude=["boundary", "created_by"])
    dossier.save()
    dossier.projects.set(_visible_projects(actor, projects))
    DossierStatusChange.objects.create(dossier=dossier, to_status=dossier.status, on=clock.today(), actor=actor,
                                       note=_("创建卷宗"))
    audit.record_create(actor=actor, target=dossier, region_code=dossier.region_code)
    return dossier


def _visible_projects(actor: User | None, projects: Iterable[Project]) -> list[Project]:
    chosen = list(projects)
    scope = _scope(actor)
    outside = [p.name for p in chosen if not scope.contains(p.region_code)]
    if outside:
        raise PermissionDenied(_("这些项目不在您的数据范围内：%(names)s") % {"names": join_list(outside)})
    return chosen


def _locked(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


def _require_draft(dossier: Dossier) -> None:
    if dossier.status != Dossier.Status.DRAFT:
        raise ValidationError(_("卷宗已%(status)s，不能再修改；如需修改请先退回补正。") % {
            "status": dossier.get_status_display()})


@transaction.atomic
def set_boundary(*, actor: User | None, dossier: Dossier, boundary: shapely.Geometry, source: str) -> Dossier:
    """Replace the boundary of a dossier being assembled and measure it again."""
    dossier = _locked(dossier)
    _require_writer(actor, dossier.region_code)
    _require_draft(dossier)
    boundary = boundaries.checked_boundary(boundary)
    region = dossier_region(boundary)
    _require_writer(actor, region.code)
    before = {"total_m2": dossier.total_m2, "region_code": dossier.region_code}
    dossier.region, dossier.region_code, dossier.boundary_source = region, region.code, source
    _measured(_scope(actor), dossier, boundary)
    dossier.save()
    audit.record_update(actor=actor, target=dossier, before=before, region_code=dossier.region_code)
    return dossier


@transaction.atomic
def remeasure(*, actor: User | None, dossier: Dossier) -> Dossier:
    """Measure the boundary again (the official survey layer was updated)."""
    dossier = _locked(dossier)
    _require_writer(actor, dossier.region_code)
    _require_draft(dossier)
    before = {"total_m2": dossier.total_m2, "areas_basis": dossier.areas_basis}
    _measured(_scope(actor), dossier, shapely.from_wkb(bytes(dossier.boundary.wkb)))
    dossier.save()
    audit.record_update(actor=actor, target=dossier, before=before, region_code=dossier.region_code)
    return dossier


@transaction.atomic
def update_dossier(*, actor: User | None, dossier: Dossier, projects: Iterable[Project] | None = None,
                   **values: Any) -> Dossier:
    """Edit the figures of a dossier being assembled (names in EDITABLE)."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    dossier = _locked(dossier)
    _require_writer(actor, dossier.region_code)
    _require_draft(dossier)
    if (helped := values.get("service_request")) is not None and not project_selectors.service_requests(
            _scope(actor)).filter(pk=helped.pk).exists():
        raise PermissionDenied(_("该企业服务诉求不在您的数据范围内。"))
    before = {k: getattr(dossier, k) for k in values}
    for key, value in values.items():
        setattr(dossier, key, value)
    if "parts_done" in values:
        known = {p.key for p in package.package_parts(dossier.region_code)}
        dossier.parts_done = [k for k in values["parts_done"] if k in known]
    dossier.full_clean(exclude=["boundary", "created_by"])
    dossier.save()
    if projects is not None:
        dossier.projects.set(_visible_projects(actor, projects))
    changes = audit.diff(before, audit.snapshot(dossier, list(before)))
    if "parts_done" in changes:  # the parts by their names, never their keys
        labels = {p.key: str(p.label) for p in package.package_parts(dossier.region_code)}
        changes["parts_done"] = [join_list(labels.get(k, k) for k in keys or []) or "—"
                                 for keys in changes["parts_done"]]
    if changes:
        audit.record(actor=actor, action=AuditEntry.Action.UPDATE, target=dossier, region_code=dossier.region_code,
                     changes=changes)
    return dossier


@transaction.atomic
def set_quotas(*, actor: User | None, dossier: Dossier, lines: Iterable[tuple[str, int, Decimal]]) -> Dossier:
    """The quota the dossier will use, by kind and year (replacing the previous lines; zero lines dropped)."""
    dossier = _locked(dossier)
    _require_writer(actor, dossier.region_code)
    _require_draft(dossier)
    kept: dict[tuple[str, int], Decimal] = {}
    for kind, year, amount in lines:
        if amount < 0:
            raise ValidationError(_("指标数量不能为负数：%(kind)s") % {"kind": dict(kind_choices([kind]))[kind]})
        if amount:
            kept[(kind, year)] = kept.get((kind, year), Decimal(0)) + Decimal(amount)
    before = _quota_text((q.kind, q.year, q.amount) for q in dossier.quotas.all())
    dossier.quotas.all().delete()
    DossierQuota.objects.bulk_create([DossierQuota(dossier=dossier, kind=k, year=y, amount=a)
                                      for (k, y), a in sorted(kept.items())])
    audit.record(actor=actor, action=AuditEntry.Action.UPDATE, target=dossier, region_code=dossier.region_code,
                 changes={"quotas": [before, _quota_text((k, y, a) for (k, y), a in sorted(kept.items()))]})
    return dossier


def _quota_text(lines: Iterable[tuple[str, int, Decimal]]) -> str:
    """The quota lines as the history shows them: 「2021 年新增建设用地计划指标 100 亩」, never kind codes."""
    lines = list(lines)
    labels = dict(kind_choices([kind for kind, _y, _a in lines]))
    return join_clauses(f"{year} 年{labels[kind]} {amount:f} {unit_of(kind)}" for kind, year, amount in lines) or "—"


def _move(actor: User | None, dossier: Dossier, action: str, on: dt.date, note: str) -> str:
    before = dossier.status
    target = dossier_target(action, before)
    if target is None:
        raise ValidationError(_("卷宗当前为“%(status)s”，不能执行此操作。") % {"status": dossier.get_status_display()})
    dossier.status = target
    DossierStatusChange.objects.create(dossier=dossier, from_status=before, to_status=target, on=on, actor=actor,
                                       note=note[:300])
    audit.record(actor=actor, action=AuditEntry.Action.STATE, target=dossier, region_code=dossier.region_code,
                 changes={"status": [before, target]}, note=note[:300])
    return before


@transaction.atomic
def submit(*, actor: User | None, dossier: Dossier, on: dt.date | None = None, note: str = "") -> Dossier:
    """上报: every hard check passes (else ValidationError naming each failed rule) and the quota lines are
    reserved in the ledgers (QuotaShortfall when one would overdraw — nothing is written then)."""
    dossier = _locked(dossier)
    _require_writer(actor, dossier.region_code)
    on = _business_date(on, label=_("上报日期"))
    checks = selectors.checklist(_scope(actor), dossier)
    if checks.blocking:
        raise ValidationError([_("%(check)s：%(detail)s") % {"check": c.label, "detail": c.detail}
                               for c in checks.blocking])
    _move(actor, dossier, DossierAction.SUBMIT, on, note or _("上报"))
    dossier.submitted_on = on
    dossier.conversion_authority = checks.conversion.authority if checks.conversion else ""
    dossier.expropriation_authority = checks.expropriation.authority if checks.expropriation else ""
    dossier.save()
    url = reverse("approvals:detail", args=[dossier.pk])
    for line in dossier.quotas.all():
        quotas.reserve(actor=actor, region=dossier.region, year=line.year, kind=line.kind, amount=line.amount,
                       holder=dossier.holder_key, holder_label=dossier.name, holder_url=url)
    return dossier


@transaction.atomic
def approve(*, actor: User | None, dossier: Dossier, approval_no: str, approved_on: dt.date,
            approved_by: str = "", note: str = "") -> Dossier:
    """批复: the 文号 (kept as printed, parsed where it follows 代字〔年〕序号号) and date; the reserved quota is
    settled; each linked project's 组卷报批 step (the one its responsibility list counts) closes on the approval
    date."""
    dossier = _locked(dossier)
    _require_writer(actor, dossier.region_code)
    if not approval_no.strip():
        raise ValidationError({"approval_no": _("请填写批复文号。")})
    approved_on = _business_date(approved_on, not_before=dossier.submitted_on, label=_("批复日期"))
    _move(actor, dossier, DossierAction.APPROVE, approved_on, note or approval_no)
    parsed = parse_document_number(approval_no)
    dossier.approval_no = approval_no.strip()
    dossier.approval_issuer = parsed.issuer[:30] if parsed else ""
    dossier.approval_year = parsed.year if parsed else None
    dossier.approval_sequence = parsed.sequence if parsed else None
    dossier.approved_on = approved_on
    dossier.approved_by = approved_by.strip()[:60]
    dossier.save()
    if dossier.quotas.exists():  # a project inside an approved 农转用 area reserves none
        quotas.settle(actor=actor, holder=dossier.holder_key)
    _close_project_steps(actor, dossier, approved_on)
    return dossier


def _close_project_steps(actor: User | None, dossier: Dossier, on: dt.date) -> None:
    """The 组卷报批 step of each linked project closes from the approval (started on the submission date when it
    had not been started). A project with several dossiers (one per city, 飞地) closes it when its last open
    dossier is approved."""
    for project in dossier.projects.all():
        if project.dossiers.exclude(pk=dossier.pk).filter(status=Dossier.Status.SUBMITTED).exists():
            continue
        for step in project.steps.filter(counts_for_targets=True).exclude(status=Step.Status.DONE):
            try:
                with transaction.atomic():  # a step the chain does not let close yet is left for its page
                    if step.status == Step.Status.PENDING:
                        step = step_services.start_step(actor=None, step=step, on=min(dossier.submitted_on or on, on),
                                                        note=Note(gettext_lazy("报批卷宗“%(name)s”上报"),
                                                                  {"name": dossier.name}))
                    step_services.complete_step(actor=None, step=step, on=on,
                                                note=Note(gettext_lazy("报批卷宗“%(name)s”批复，%(no)s"),
                                                          {"name": dossier.name, "no": dossier.approval_no}))
            except ValidationError:
                continue


def _release(actor: User | None, dossier: Dossier, action: str, on: dt.date | None, note: str,
             required_note: str) -> Dossier:
    if not note.strip():
        raise ValidationError({"note": required_note})
    dossier = _locked(dossier)
    _require_writer(actor, dossier.region_code)
    on = _business_date(on, label=_("日期"))
    before = _move(actor, dossier, action, on, note)
    dossier.save()
    if before == Dossier.Status.SUBMITTED and dossier.quotas.exists():
        quotas.release(actor=actor, holder=dossier.holder_key, reason=note)
    return dossier


@transaction.atomic
def refuse(*, actor: User | None, dossier: Dossier, note: str, on: dt.date | None = None) -> Dossier:
    """不予批准: the reservation is released; the reason is kept."""
    return _release(actor, dossier, DossierAction.REFUSE, on, note, _("请说明不予批准的原因。"))


@transaction.atomic
def return_for_correction(*, actor: User | None, dossier: Dossier, note: str, on: dt.date | None = None) -> Dossier:
    """退回补正: back to 组卷中; the reservation is released until the dossier is submitted again."""
    return _release(actor, dossier, DossierAction.RETURN, on, note, _("请说明退回补正的原因。"))


@transaction.atomic
def withdraw(*, actor: User | None, dossier: Dossier, note: str, on: dt.date | None = None) -> Dossier:
    """撤回: the dossier is given up; a reservation is released."""
    return _release(actor, dossier, DossierAction.WITHDRAW, on, note, _("请说明撤回的原因。"))

