"""宅基地 pages: the 资格权 register (list with xlsx, recognising a right by ID number) and the applications (list with
xlsx, applying for a valid right, the application's page with 集体讨论并公示 and 乡镇审批 as its stage allows)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from landguard.audit import selectors as audit_selectors
from landguard.citizens import forms as cforms
from landguard.citizens import homestead, selectors, services, tunables
from landguard.citizens.models import HomesteadRight, Matter
from landguard.citizens.pages import act, require_work
from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.people.models import acting_user
from landguard.shell.listing import Column, Listing, list_views
from landguard.shell.pages import run_service


def _right_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[HomesteadRight]:
    queryset = selectors.homestead_rights(scope)
    if status := values.get("status"):
        queryset = queryset.filter(status=status)
    if township := values.get("township"):
        queryset = queryset.filter(region_code__startswith=township.code)
    if text := values.get("q"):
        queryset = queryset.filter(Q(collective__contains=text) | Q(household__contains=text)
                                   | Q(person__name__contains=text) | Q(person__id_masked=text.upper()))
    return queryset


RIGHTS = Listing(
    key="citizens",
    extra={"subnav": "homestead"},
    title=gettext_lazy("宅基地资格权"),
    filename=gettext_lazy("宅基地资格权台账"),
    columns=(
        Column(gettext_lazy("资格权人"), lambda r: str(r.person), badge=True),
        Column(gettext_lazy("集体经济组织"), lambda r: r.collective),
        Column(gettext_lazy("户"), lambda r: r.household),
        Column(gettext_lazy("所在村"), lambda r: r.region.name),
        Column(gettext_lazy("认定日期"), lambda r: r.recognised_on),
        Column(gettext_lazy("资格权面积（平方米）"), lambda r: float(r.area_m2), digits=2, numeric=True),
        Column(gettext_lazy("状态"), lambda r: r.get_status_display()),
        Column(gettext_lazy("不动产单元号"), lambda r: r.unit_no, html=False),
    ),
    form_class=cforms.HomesteadRightFilterForm,
    rows=_right_rows,
    list_url="citizens:homestead-rights",
    export_url="citizens:homestead-rights-export",
    template="citizens/list.html",
)


def homestead_url(m: Matter) -> str:
    return reverse("citizens:homestead-detail", args=[m.pk])


def _application_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Matter]:
    queryset = selectors.homestead_applications(scope)
    if stage := values.get("stage"):
        queryset = queryset.filter(homestead__stage=stage)
    if township := values.get("township"):
        queryset = queryset.filter(region_code__startswith=township.code)
    if text := values.get("q"):
        queryset = queryset.filter(Q(title__contains=text) | Q(homestead__location__contains=text))
    return queryset


APPLICATIONS = Listing(
    key="citizens",
    extra={"subnav": "homestead"},
    title=gettext_lazy("宅基地申请"),
    filename=gettext_lazy("宅基地审批管理台账"),
    columns=(
        Column(gettext_lazy("申请"), lambda m: m.title, link=homestead_url, badge=True),
        Column(gettext_lazy("拟建位置"), lambda m: m.homestead.location),
        Column(gettext_lazy("用地类型"), lambda m: m.homestead.get_land_type_display()),
        Column(gettext_lazy("申请面积（平方米）"), lambda m: float(m.homestead.area_m2), digits=2, numeric=True),
        Column(gettext_lazy("办理阶段"), lambda m: m.homestead.get_stage_display()),
        Column(gettext_lazy("公示结束"), lambda m: m.homestead.notice_until),
        Column(gettext_lazy("审批日期"), lambda m: m.homestead.decided_on),
    ),
    form_class=cforms.HomesteadFilterForm,
    rows=_application_rows,
    list_url="citizens:homestead-list",
    export_url="citizens:homestead-export",
    template="citizens/list.html",
)


def _actions(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    actions = [(_("资格权台账"), reverse("citizens:homestead-rights")),
               (_("宅基地申请"), reverse("citizens:homestead-list"))]
    if services.can_work(acting_user(request)):
        actions += [(_("认定资格权"), reverse("citizens:homestead-right-create")),
                    (_("受理宅基地申请"), reverse("citizens:homestead-create"))]
    return {"work_actions": actions, "nav": "citizens"}


right_list, right_export = list_views(RIGHTS, extra=_actions)
homestead_list, homestead_export = list_views(APPLICATIONS, extra=_actions)


def _form_page(request: HttpRequest, form: Any, title: str, cancel: str) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "citizens/form.html", {"form": form, "title": title, "nav": "citizens",
                                                  "subnav": "homestead", "cancel_url": cancel}, status=status)


@scoped
@sensitive_post_parameters("id_number")
def right_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    require_work(request)
    form = cforms.HomesteadRightForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        right = run_service(form, homestead.recognise_right, actor=acting_user(request), **form.cleaned_data)
        if right is not None:
            messages.success(request, _("已认定：%(right)s。") % {"right": right})
            return redirect("citizens:homestead-rights")
    return _form_page(request, form, _("认定宅基地资格权"), reverse("citizens:homestead-rights"))


@scoped
def homestead_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    require_work(request)
    form = cforms.HomesteadApplicationForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        matter = run_service(form, homestead.apply, actor=acting_user(request), **form.cleaned_data)
        if matter is not None:
            messages.success(request, _("已受理：%(title)s。") % {"title": matter.title})
            return redirect(homestead_url(matter))
    return _form_page(request, form, _("受理宅基地申请"), reverse("citizens:homestead-list"))


@scoped
def homestead_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    matter = selectors.get_homestead(scope, pk)
    caps = tunables.get("CITIZENS_HOMESTEAD_AREA_CAPS")
    return render(request, "citizens/homestead_detail.html", {
        "matter": matter, "application": matter.homestead, "right": matter.homestead.right, "nav": "citizens",
        "subnav": "homestead", "can_work": services.can_work(acting_user(request)),
        "cap": caps.get(matter.homestead.land_type), "rules": tunables.CATALOG.rows("CITIZENS_HOMESTEAD"),
        "discuss_form": cforms.HomesteadDiscussForm(), "decide_form": cforms.HomesteadDecideForm(),
        "conversion_form": cforms.HomesteadConversionForm(scope=scope),
        "status_history": selectors.history(matter), "history": audit_selectors.history_of(scope, matter)})


ACTIONS: dict[str, tuple[type, Any, Any]] = {
    "discuss": (cforms.HomesteadDiscussForm, lambda user, m, d: homestead.discuss_and_notice(
        actor=user, matter=m, discussed_on=d["discussed_on"]), gettext_lazy("已记录集体讨论，公示开始。")),
    "conversion": (cforms.HomesteadConversionForm, lambda user, m, d: homestead.link_conversion(
        actor=user, matter=m, dossier=d["dossier"]), gettext_lazy("已关联农用地转用卷宗。")),
    "decide": (cforms.HomesteadDecideForm, lambda user, m, d: homestead.decide(
        actor=user, matter=m, approve=d["approve"], decision=d["decision"]), gettext_lazy("已记录审批结论。")),
}


@scoped
@require_POST
def homestead_action(request: HttpRequest, scope: RegionScope, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise PermissionDenied
    form_class, call, done = ACTIONS[action]
    matter = selectors.get_homestead(scope, pk)
    return act(request, matter, form_class, lambda m, d: call(acting_user(request), m, d), str(done),
               homestead_url(matter))
