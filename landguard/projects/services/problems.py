"""The problem ledger (raise, escalate, resolve, close, reopen), service requests and the leaders' visits (上门服务)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from landguard.audit import services as audit
from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.people.models import Role, User
from landguard.projects import workflow
from landguard.projects.models import (
    Problem,
    ProblemStatusChange,
    Project,
    ServiceRequest,
    ServiceVisit,
    Step,
)
from landguard.regions.models import Region
from landguard.projects.services.common import _business_date, _require_writer, _state



# --- problems -------------------------------------------------------------------------------------------


@transaction.atomic
def raise_problem(*, actor: User | None, category: str, description: str, division: str, deadline: dt.date,
                  project: Project | None = None, region: Region | None = None) -> Problem:
    """Enter a problem in the ledger, for a project (it takes the project's region) or a region."""
    if project is not None:
        region = project.region
    if region is None:
        raise ValidationError({"region": _("请选择项目或行政区。")})
    _require_writer(actor, region.code)
    problem = Problem(project=project, region=region, region_code=region.code, category=category,
                      description=description,
                      division=division, deadline=deadline, raised_on=clock.today(),
                      created_by=actor if getattr(actor, "pk", None) else None)
    problem.full_clean()
    problem.save()
    ProblemStatusChange.objects.create(problem=problem, to_status=Problem.Status.OPEN, on=problem.raised_on,
                                       actor=problem.created_by)
    audit.record_create(actor=actor, target=problem, region_code=problem.region_code)
    return problem


def _move_problem(actor: User | None, problem: Problem, new: str, note: str = "") -> Problem:
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    _require_writer(actor, problem.region_code)
    old = problem.status
    if not workflow.allowed(workflow.PROBLEM_TRANSITIONS, old, new):
        raise ValidationError(_("问题当前为%(status)s，不能改为%(new)s。") % {
            "status": problem.get_status_display(), "new": Problem.Status(new).label})
    today = clock.today()
    problem.status = new
    if new == Problem.Status.ESCALATED:
        problem.escalated_on = today
    elif new == Problem.Status.RESOLVED:
        problem.resolved_on = today
    elif new == Problem.Status.CLOSED:
        problem.closed_on = today
    elif new == Problem.Status.OPEN:
        problem.resolved_on = None
    problem.save()
    ProblemStatusChange.objects.create(problem=problem, from_status=old, to_status=new, on=today, note=note,
                                       actor=actor if getattr(actor, "pk", None) else None)
    _state(actor, problem, problem.region_code, "status", f"{old} ({Problem.Status(old).label})",
           f"{new} ({Problem.Status(new).label})", note)
    return problem


@transaction.atomic
def escalate_problem(*, actor: User | None, problem: Problem, note: str = "") -> Problem:
    """Refer the problem to the leadership group (提请领导小组协调)."""
    return _move_problem(actor, problem, Problem.Status.ESCALATED, note)


@transaction.atomic
def resolve_problem(*, actor: User | None, problem: Problem, resolution: str) -> Problem:
    if not resolution.strip():
        raise ValidationError({"resolution": _("请填写解决情况。")})
    problem = _move_problem(actor, problem, Problem.Status.RESOLVED, resolution[:300])
    problem.resolution = resolution
    problem.save(update_fields=["resolution"])
    return problem


@transaction.atomic
def close_problem(*, actor: User | None, problem: Problem, note: str = "") -> Problem:
    """销号: confirm the resolution holds; only admins and leaders close problems."""
    if actor is not None and not (actor.is_superuser or actor.role in (Role.ADMIN, Role.LEADER)):
        raise PermissionDenied(_("只有管理员或领导可以销号。"))
    return _move_problem(actor, problem, Problem.Status.CLOSED, note)


@transaction.atomic
def reopen_problem(*, actor: User | None, problem: Problem, note: str) -> Problem:
    """不予销号: the resolution did not hold; the problem is open again."""
    if not note.strip():
        raise ValidationError({"note": _("请说明不予销号的原因。")})
    return _move_problem(actor, problem, Problem.Status.OPEN, note)


# --- service requests -----------------------------------------------------------------------------------


@transaction.atomic
def create_service_request(*, actor: User | None, enterprise: str, kind: str, request: str, commissioner: User,
                           received_on: dt.date, contact: str = "", project: Project | None = None,
                           region: Region | None = None) -> ServiceRequest:
    if project is not None:
        region = project.region
    if region is None:
        raise ValidationError({"region": _("请选择项目或行政区。")})
    _require_writer(actor, region.code)
    if commissioner.scope_region is None or not scope_for(commissioner).contains(region.code):
        raise ValidationError({"commissioner": _("该专员的数据范围不包括此行政区。")})
    item = ServiceRequest(enterprise=enterprise, kind=kind, request=request, commissioner=commissioner, contact=contact,
                          received_on=_business_date(received_on), project=project, region=region,
                          region_code=region.code)
    item.full_clean()
    item.save()
    audit.record_create(actor=actor, target=item, region_code=item.region_code)
    return item


@transaction.atomic
def resolve_service_request(*, actor: User | None, item: ServiceRequest, outcome: str, days_saved: int | None = None,
                            steps: Iterable[Step] = ()) -> ServiceRequest:
    item = ServiceRequest.objects.select_for_update().get(pk=item.pk)
    _require_writer(actor, item.region_code)
    if not workflow.allowed(workflow.REQUEST_TRANSITIONS, item.status, ServiceRequest.Status.RESOLVED):
        raise ValidationError(_("该诉求已办结。"))
    if not outcome.strip():
        raise ValidationError({"outcome": _("请填写办理结果。")})
    steps = list(steps)
    foreign = [s.name for s in steps if item.project_id is None or s.project_id != item.project_id]
    if foreign:
        raise ValidationError({"steps": _("只能关联本诉求所属项目的环节：%(steps)s") % {"steps": "、".join(foreign)}})
    item.status, item.outcome, item.days_saved, item.resolved_on = (ServiceRequest.Status.RESOLVED, outcome, days_saved,
                                                                    clock.today())
    item.save()
    item.steps.set(steps)
    _state(actor, item, item.region_code, "status", ServiceRequest.Status.OPEN, ServiceRequest.Status.RESOLVED,
           outcome[:300])
    return item


# --- 上门服务 (visits by the responsible leaders) -------------------------------------------------------------


@transaction.atomic
def record_visit(*, actor: User | None, project: Project, leader: str, visited_on: dt.date, content: str,
                 enterprise: str = "", outcome: str = "", is_synthetic: bool = False) -> ServiceVisit:
    """A leader's visit to a key project, recorded after it happened (never a future day)."""
    _require_writer(actor, project.region_code)
    if visited_on > clock.today():
        raise ValidationError({"visited_on": _("走访日期不能晚于今天。")})
    if not leader.strip():
        raise ValidationError({"leader": _("请填写走访领导。")})
    if not content.strip():
        raise ValidationError({"content": _("请填写了解的问题和诉求。")})
    visit = ServiceVisit(project=project, leader=leader.strip(), visited_on=visited_on, content=content.strip(),
                         enterprise=enterprise.strip() or (project.owner or ""), outcome=outcome.strip(),
                         region_code=project.region_code, recorded_by=actor if getattr(actor, "pk", None) else None,
                         is_synthetic=is_synthetic)
    visit.full_clean(exclude=["recorded_by"])
    visit.save()
    audit.record_create(actor=actor, target=visit, region_code=visit.region_code)
    return visit
