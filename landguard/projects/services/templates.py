"""Procedure templates: the chain of steps checked, saved, read back."""

from __future__ import annotations

import re
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
from landguard.projects import expropriation, graph
from landguard.projects.models import (
    STEP_RULE_FIELDS,
    LimitFrom,
    ProcedureTemplate,
    TemplateStep,
)
from landguard.regions.models import Region
from landguard.projects.services.steps import _check_acyclic



# --- procedure templates --------------------------------------------------------------------------------

# A step key (环节标识): empty, or lower-case letters, digits and underscores (other code names steps by it).
_KEY = re.compile(r"[a-z0-9_]{0,40}")


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
    key: str = ""
    min_period: int = 0
    min_period_unit: str = LimitUnit.WORKING
    limit_from: str = LimitFrom.START
    applies_when: str = ""


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
    bad_keys = [names[s.order] for s in steps if not _KEY.fullmatch(s.key)]
    if bad_keys:
        raise ValidationError(
            _("环节标识只能由英文小写字母、数字和下划线组成：%(steps)s。") % {"steps": "、".join(bad_keys)})
    if sum(s.counts_for_targets for s in steps) > 1:
        raise ValidationError(_("只能有一个环节计入用地保障任务（办结即计为完成一件）。"))
    keys = [s.key for s in steps if s.key]
    repeated_keys = sorted({k for k in keys if keys.count(k) > 1})
    if repeated_keys:
        raise ValidationError(_("环节标识重复：%(keys)s。") % {"keys": "、".join(repeated_keys)})
    # Same unit only: a working-day and a calendar-day count compare only on a given start date.
    longer = [names[s.order] for s in steps if s.min_period_unit == s.limit_unit and s.min_period > s.limit_days]
    if longer:
        raise ValidationError(_("最短期限不能长于办理时限：%(steps)s。") % {"steps": "、".join(longer)})
    hourly = [names[s.order] for s in steps if s.limit_unit == LimitUnit.HOURS and s.min_period]
    if hourly:
        raise ValidationError(_("时限按小时计的环节不设最短期限：%(steps)s。") % {"steps": "、".join(hourly)})
    starts_late = [names[s.order] for s in steps if s.limit_from == LimitFrom.PREDECESSORS and not s.depends_on]
    if starts_late:
        raise ValidationError(
            _("时限自前置环节办结之日起算的环节须有前置环节：%(steps)s。") % {"steps": "、".join(starts_late)})


# The chain is not a field of the template: the history shows this key as its own label.
CHAIN_KEY = "流程环节"


def _chain_text(template: ProcedureTemplate) -> str:
    """The chain in one line for the audit trail: 1. 名称（10 工作日；前置 2、3；计入任务）."""
    parts = []
    for ts in template.steps.prefetch_related("depends_on").order_by("order"):
        notes = [f"{ts.limit_days} {ts.get_limit_unit_display()}"]
        if ts.limit_from != LimitFrom.START:
            notes[0] += f"（{ts.get_limit_from_display()}）"
        if ts.min_period:
            notes.append(_("最短 %(days)s %(unit)s") % {"days": ts.min_period,
                                                       "unit": ts.get_min_period_unit_display()})
        if ts.key:
            notes.append(ts.key)
        if ts.applies_when:
            notes.append(_("适用条件：%(rule)s") % {"rule": ts.applies_when})
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
                  description: str = "", template: ProcedureTemplate | None = None,
                  key: str | None = None) -> ProcedureTemplate:
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
    if key is not None:
        template.key = key
    template.region, template.region_code = region, region.code if region else ""
    template.full_clean()
    template.save()
    template.steps.all().delete()
    created = {spec.order: TemplateStep.objects.create(
        template=template, order=spec.order, name=spec.name, responsible_unit=spec.responsible_unit,
        limit_days=spec.limit_days, limit_unit=spec.limit_unit, counts_for_targets=spec.counts_for_targets,
        **{f: getattr(spec, f) for f in STEP_RULE_FIELDS})
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
                     counts_for_targets=ts.counts_for_targets, **{f: getattr(ts, f) for f in STEP_RULE_FIELDS})
            for ts in template.steps.prefetch_related("depends_on").order_by("order")]


# --- the built-in 土地征收 chain ---------------------------------------------------------------------------


def expropriation_specs(province: str = "") -> list[StepSpec]:
    """The 土地征收 chain (landguard.projects.expropriation) with a province's values ("33": 浙江)."""
    return [StepSpec(**step) for step in expropriation.chain(province)]


def expropriation_template(region: Region | None = None) -> ProcedureTemplate:
    """The 土地征收 template for `region`: the nearest copy made for it or a region above it, else the national
    one (migration 0008)."""
    codes: list[str] = []
    while region is not None:
        codes.append(region.code)
        region = region.parent
    codes.append("")
    found = {t.region_code: t for t in ProcedureTemplate.objects.filter(key=expropriation.TEMPLATE_KEY,
                                                                        region_code__in=codes)}
    for code in codes:
        if code in found:
            return found[code]
    raise ValidationError(_("没有土地征收流程模板（迁移 0008 应已创建）。"))


@transaction.atomic
def install_expropriation_template(*, actor: User | None, region: Region) -> ProcedureTemplate:
    """A copy of the 土地征收 chain for `region` with its province's values (浙江: 征收土地公告 ≥ 10 个工作日),
    which the bureau then edits like any template of its own."""
    province = region.code[:2]
    return save_template(actor=actor, name=expropriation.template_name(province), region=region,
                         steps=expropriation_specs(province), description=expropriation.DESCRIPTION,
                         key=expropriation.TEMPLATE_KEY)
