"""Procedure templates (审批流程模板): list, detail, and creating (blank or copied) or editing a chain."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.audit import selectors as audit_selectors
from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.projects import forms as pforms
from landguard.projects import selectors, services
from landguard.projects.models import ProcedureTemplate
from landguard.shell.listing import Column, Listing, list_views, text_filter
from landguard.shell.pages import run_service


def _template_url(t: ProcedureTemplate) -> str:
    return reverse("projects:template-detail", args=[t.pk])


def _template_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[ProcedureTemplate]:
    queryset = selectors.templates(scope).select_related("region").defer("region__geom").annotate(
        step_count=Count("steps"))
    return text_filter(queryset, values.get("q"), "name").order_by("region_code", "name")


TEMPLATES = Listing(
    key="projects",
    extra={"subnav": "templates"},
    title=gettext_lazy("审批流程模板"),
    filename=gettext_lazy("审批流程模板"),
    columns=(
        Column(gettext_lazy("名称"), lambda t: t.name, link=_template_url),
        Column(gettext_lazy("适用行政区"), lambda t: t.region.name if t.region else gettext_lazy("全国通用")),
        Column(gettext_lazy("环节数"), lambda t: t.step_count, numeric=True),
        Column(gettext_lazy("默认"), lambda t: t.is_default),
        Column(gettext_lazy("说明"), lambda t: t.description),
    ),
    form_class=pforms.PlainFilterForm,
    rows=_template_rows,
    list_url="projects:template-list",
    export_url="projects:template-export",
    create_url="projects:template-create",
    template="projects/list.html",
)


template_list, template_export = list_views(TEMPLATES)


@scoped
def template_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    template = selectors.get_template(scope, pk)
    steps = list(template.steps.prefetch_related("depends_on").order_by("order"))
    for ts in steps:
        ts.predecessors = sorted(d.order for d in ts.depends_on.all())
    context = {"template": template, "steps": steps, "nav": "projects", "subnav": "templates",
               "can_edit": services.can_edit_template(request.user, template),
               "can_copy": services.can_edit_template(request.user),
               "history": audit_selectors.history_of(scope, template)}
    return render(request, "projects/template_detail.html", context)


def _template_page(request: HttpRequest, scope: RegionScope, template: ProcedureTemplate | None,
                   source: ProcedureTemplate | None) -> HttpResponse:
    national = request.user.is_superuser
    basis = template or source
    fields = {"name": template.name if template else "", "region": (template.region if template else None),
              "description": basis.description if basis else ""}
    form = pforms.TemplateForm(request.POST or None, initial=fields, scope=scope, national=national)
    # The chain fills the rows of the blank page only: posted rows stand on their own (an unchanged row is
    # still a step), and blank extra rows are left out.
    initial = pforms.step_initial(services.template_specs(basis)) if basis and request.method != "POST" else None
    steps = pforms.TemplateStepFormSet(request.POST or None, prefix="steps", initial=initial)
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        saved = run_service(form, services.save_template, actor=request.user, template=template, steps=steps.specs(),
                            **form.cleaned_data)
        if saved is not None:
            messages.success(request,
                             _("已保存流程模板“%(name)s”，此后登记的项目按新流程排期。") % {"name": saved.name})
            return redirect(_template_url(saved))
    title = _("编辑流程模板：%(name)s") % {"name": template.name} if template else _("新建流程模板")
    cancel = _template_url(template) if template else reverse("projects:template-list")
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/template_form.html",
                  {"form": form, "steps": steps, "title": title, "nav": "projects",
                                                           "subnav": "templates", "cancel_url": cancel}, status=status)


@scoped(manage=True)
def template_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """A new template, empty or copied from a visible one (?copy=<pk>): the default chain is the usual start."""
    source = selectors.get_template(scope, int(request.GET["copy"])) if request.GET.get("copy", "").isdigit() else None
    if not services.can_edit_template(request.user):
        raise PermissionDenied
    return _template_page(request, scope, None, source)


@scoped(manage=True)
def template_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    template = selectors.get_template(scope, pk)
    if not services.can_edit_template(request.user, template):
        raise PermissionDenied
    return _template_page(request, scope, template, None)
