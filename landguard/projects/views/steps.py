"""Step actions on a project's page: start, complete (before the minimum period: managers, with a reason), mark
不适用, reopen, edit the plan, predecessors, 容缺 items."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.projects import forms as pforms
from landguard.projects import selectors, services
from landguard.projects.models import Step
from landguard.projects.views.common import error_text, form_page, project_url, require_work
from landguard.shell.pages import run_service


def _after_step(request: HttpRequest, anchor: Step, call: Any, success: str, **kwargs: Any) -> HttpResponseRedirect:
    """Run a step service and go back to the step on its project page, with the outcome as a message."""
    try:
        call(actor=request.user, **kwargs)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, success)
    return redirect(f"{project_url(anchor.project)}#step-{anchor.pk}")


@require_POST
@scoped
def step_start(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    step = selectors.get_step(scope, pk)
    form = pforms.StepDateForm(request.POST)
    form.is_valid()
    return _after_step(request, step, services.start_step, _("“%(step)s”已开始办理。") % {"step": step.name}, step=step,
                       on=form.cleaned_data.get("on"), at=form.cleaned_data.get("at"),
                       note=form.cleaned_data.get("note", ""))


@require_POST
@scoped
def step_complete(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    step = selectors.get_step(scope, pk)
    form = pforms.StepDateForm(request.POST)
    form.is_valid()
    return _after_step(request, step, services.complete_step, _("“%(step)s”已办结。") % {"step": step.name}, step=step,
                       on=form.cleaned_data.get("on"), at=form.cleaned_data.get("at"),
                       note=form.cleaned_data.get("note", ""))


@require_POST
@scoped(manage=True)
def step_complete_early(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    step = selectors.get_step(scope, pk)
    form = pforms.StepDateForm(request.POST)
    form.is_valid()
    return _after_step(request, step, services.complete_step_early,
                       _("“%(step)s”已提前办结，原因已记入操作记录。") % {"step": step.name}, step=step,
                       on=form.cleaned_data.get("on"), note=form.cleaned_data.get("note", ""))


@require_POST
@scoped
def step_skip(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    step = selectors.get_step(scope, pk)
    form = pforms.StepDateForm(request.POST)
    form.is_valid()
    return _after_step(request, step, services.skip_step, _("“%(step)s”已标记为不适用。") % {"step": step.name},
                       step=step, on=form.cleaned_data.get("on"), note=form.cleaned_data.get("note", ""))


@require_POST
@scoped
def step_reopen(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    step = selectors.get_step(scope, pk)
    form = pforms.StepDateForm(request.POST)
    form.is_valid()
    return _after_step(request, step, services.reopen_step, _("“%(step)s”已重新办理。") % {"step": step.name},
                       step=step,
                       note=form.cleaned_data.get("note", ""))


@scoped
def step_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    require_work(request)
    step = selectors.get_step(scope, pk)
    form = pforms.StepEditForm(request.POST or None, initial={f: getattr(step, f) for f in services.STEP_PLAN_FIELDS})
    if request.method == "POST" and form.is_valid():
        changed = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}
        if run_service(form, services.update_step, actor=request.user, step=step, **changed) is not None:
            messages.success(request, _("已保存修改。"))
            return redirect(f"{project_url(step.project)}#step-{step.pk}")
    return form_page(request, form, _("编辑环节：%(step)s") % {"step": step}, "projects", project_url(step.project))


@scoped(manage=True)
def step_dependencies(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    step = selectors.get_step(scope, pk)
    form = pforms.StepDependenciesForm(request.POST or None, step=step,
                                       initial={"depends_on": list(step.depends_on.all())})
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.set_step_dependencies, actor=request.user, step=step,
                       **form.cleaned_data) is not None:
            messages.success(request, _("已调整前置环节，并重新排定了未开始环节的计划。"))
            return redirect(f"{project_url(step.project)}#step-{step.pk}")
    return form_page(request, form, _("前置环节：%(step)s") % {"step": step}, "projects", project_url(step.project))


@require_POST
@scoped
def item_add(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    step = selectors.get_step(scope, pk)
    form = pforms.DeferredItemForm(request.POST)
    if not form.is_valid():
        messages.error(request,
            _("容缺材料未登记：%(errors)s") % {"errors": "；".join(e for errs in form.errors.values() for e in errs)})
        return redirect(f"{project_url(step.project)}#step-{step.pk}")
    return _after_step(request, step, services.add_deferred_item,
                       _("已登记容缺材料“%(material)s”。") % form.cleaned_data,
                       step=step, **form.cleaned_data)


@require_POST
@scoped
def item_clear(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    item = selectors.get_deferred_item(scope, pk)
    return _after_step(request, item.step, services.clear_deferred_item, _("容缺材料“%(material)s”已补齐。") % {
        "material": item.material}, item=item)
