"""Procedure templates: the chain of steps checked, saved, read back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from landguard.audit import services as audit
from landguard.audit.models import AuditEntry
from landguard.core.scope import scope_for
from landguard.core.workdays import LimitUnit
from landguard.people.models import User
from landguard.projects import graph
from landguard.projects.models import (
    ProcedureTemplate,
    TemplateStep,
)
from landguard.regions.models import Region
from landguard.projects.services.steps import _check_acyclic



# --- procedure templates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepSpec:
    """One step of a template as entered: `depends_on` names predecessors by their step number (order)."""

    order: int
    name: str
    limit_days: int
    limit_unit: str = LimitUnit.WORKING
    responsible_unit: str = ""
    depends_on: tuple[int, ...] = ()
    counts_for_targets: bool = False


def can_edit_template(user: User | None, template: ProcedureTemplate | None = None) -> bool:
    """Admins edit the templates of their scope; the national templates (no region) only a superuser, as
    they shape every bureau's new projects."""
    if not (user and user.is_authenticated and user.can_manage):
        return False
    if template is None or template.region_id is None:
        return user.is_superuser or template is None
    return scope_for(user).contains(template.region_code)


def check_chain(steps: Sequence[StepSpec]) -> None:
    """A template's chain is usable: at least one step, numbers unique, every predecessor exists, no cycle.
    ValidationError names the offending steps."""
    if not steps:
        raise ValidationError(_("流程至少需要一个环节。"))
    numbers = [s.order for s in steps]
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        raise ValidationError(_("环节序号重复：%(numbers)s。") % {"numbers": "、".join(map(str, repeated))})
    names = {s.order: f"{s.order}. {s.name}" for s in steps}
    predecessors = {s.order: list(s.depends_on) for s in steps}
    missing = graph.dangling(predecessors)
    if missing:
        raise ValidationError([_("环节“%(step)s”的前置环节 %(number)s 不存在。") % {"step": names[step], "number": dep}
                               for step, dep in missing])
    _check_acyclic(predecessors, names)
    if sum(s.counts_for_targets for s in steps) > 1:
        raise ValidationError(_("只能有一个环节计入用地保障任务（办结即计为完成一件）。"))


# The chain is not a field of the template: the history shows this key as its own label.
CHAIN_KEY = "流程环节"


def _chain_text(template: ProcedureTemplate) -> str:
    """The chain in one line for the audit trail: 1. 名称（10 工作日；前置 2、3；计入任务）."""
    parts = []
    for ts in template.steps.prefetch_related("depends_on").order_by("order"):
        notes = [f"{ts.limit_days} {ts.get_limit_unit_display()}"]
        if ts.responsible_unit:
            notes.append(ts.responsible_unit)
        deps = sorted(d.order for d in ts.depends_on.all())
        if deps:
            notes.append(_("前置 %(steps)s") % {"steps": "、".join(map(str, deps))})
        if ts.counts_for_targets:
            notes.append(_("计入任务"))
        parts.append(f"{ts.order}. {ts.name}（{'；'.join(notes)}）")
    return " ".join(parts)


@transaction.atomic
def save_template(*, actor: User | None, name: str, steps: Sequence[StepSpec], region: Region | None = None,
                  description: str = "", template: ProcedureTemplate | None = None) -> ProcedureTemplate:
    """Create a template, or replace `template`'s name, region, description and whole chain. Projects copy
    their steps when created, so a change applies to projects registered afterwards only."""
    check_chain(steps)
    if template is not None:
        template = ProcedureTemplate.objects.select_for_update().get(pk=template.pk)
    if actor is not None:
        if not can_edit_template(actor, template):
            raise PermissionDenied(_("您不能修改该流程模板。"))
        if region is None and not actor.is_superuser:
            raise ValidationError({"region": _("请选择模板适用的行政区（全国通用模板只有系统管理员可以设置）。")})
        if region is not None and not scope_for(actor).contains(region.code):
            raise PermissionDenied(_("该行政区不在您的数据范围内。"))
    before = None
    if template is None:
        template = ProcedureTemplate()
    else:
        before = {**audit.snapshot(template, ["name", "region", "description"]), CHAIN_KEY: _chain_text(template)}
    template.name, template.description = name, description
    template.region, template.region_code = region, region.code if region else ""
    template.full_clean()
    template.save()
    template.steps.all().delete()
    created = {spec.order: TemplateStep.objects.create(
        template=template, order=spec.order, name=spec.name, responsible_unit=spec.responsible_unit,
        limit_days=spec.limit_days, limit_unit=spec.limit_unit, counts_for_targets=spec.counts_for_targets)
            for spec in steps}
    for spec in steps:
        created[spec.order].depends_on.set([created[n] for n in spec.depends_on])
    after = {**audit.snapshot(template, ["name", "region", "description"]), CHAIN_KEY: _chain_text(template)}
    if before is None:
        audit.record(actor=actor, action=AuditEntry.Action.CREATE, target=template, region_code=template.region_code,
                     changes={k: [None, v] for k, v in after.items() if v not in (None, "")})
    elif changes := audit.diff(before, after):
        audit.record(actor=actor, action=AuditEntry.Action.UPDATE, target=template, region_code=template.region_code,
                     changes=changes)
    return template


def template_specs(template: ProcedureTemplate) -> list[StepSpec]:
    return [StepSpec(order=ts.order, name=ts.name, limit_days=ts.limit_days, limit_unit=ts.limit_unit,
                     responsible_unit=ts.responsible_unit,
                     depends_on=tuple(sorted(d.order for d in ts.depends_on.all())),
                     counts_for_targets=ts.counts_for_targets)
            for ts in template.steps.prefetch_related("depends_on").order_by("order")]
