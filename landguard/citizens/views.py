"""Citizen matters' pages: the registration list and its xlsx twin, receiving an application (一证办证: only ID
numbers needed), its page (parties with masked ID numbers, the materials and where each stands, the shared-data
look-ups, timeline and audit history) and its actions; the full ID number shown only on a POST, to officers with
`citizens.view_full_id`, audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from landguard.audit import selectors as audit_selectors
from landguard.citizens import forms as cforms
from landguard.citizens import selectors, services, tunables
from landguard.citizens.models import Matter
from landguard.citizens.pages import act, require_work
from landguard.core.access import scoped
from landguard.core.exports import ExportColumn, xlsx_response
from landguard.core.scope import RegionScope
from landguard.shell.listing import Column, Listing, list_views
from landguard.shell.pages import run_service, scope_label


def matter_url(m: Matter) -> str:
    return reverse("citizens:detail", args=[m.pk])


def _rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Matter]:
    queryset = selectors.registrations(scope)
    if status := values.get("status"):
        queryset = queryset.filter(status=status)
    if reg_kind := values.get("reg_kind"):
        queryset = queryset.filter(registration__reg_kind=reg_kind)
    if township := values.get("township"):
        queryset = queryset.filter(region_code__startswith=township.code)
    if text := values.get("q"):
        queryset = queryset.filter(Q(title__contains=text) | Q(registration__unit_no__contains=text.upper())
                                   | Q(parties__person__id_masked=text.upper())
                                   | Q(parties__person__name__contains=text)).distinct()
    return queryset


def _kind(m: Matter) -> str:
    r = m.registration
    return f"{r.get_reg_kind_display()}（{r.get_transfer_kind_display()}）" if r.transfer_kind else \
        r.get_reg_kind_display()


REGISTRATIONS = Listing(
    key="citizens",
    extra={"subnav": "registrations"},
    title=gettext_lazy("不动产登记申请"),
    filename=gettext_lazy("不动产登记申请列表"),
    columns=(
        Column(gettext_lazy("事项"), lambda m: m.title, link=matter_url, badge=True),
        Column(gettext_lazy("登记类型"), _kind),
        Column(gettext_lazy("申请人"), lambda m: str(m.applicant) if m.applicant else ""),
        Column(gettext_lazy("不动产单元号"), lambda m: m.registration.unit_no),
        Column(gettext_lazy("行政区"), lambda m: m.region.name),
        Column(gettext_lazy("状态"), lambda m: m.get_status_display()),
        Column(gettext_lazy("接件时间"), lambda m: timezone.localtime(m.received_at).strftime("%Y-%m-%d %H:%M")),
        Column(gettext_lazy("承诺办结日期"), lambda m: m.target_on),
        Column(gettext_lazy("法定办结期限"), lambda m: m.limit_on),
        Column(gettext_lazy("按承诺办结"), services.within_target),
    ),
    form_class=cforms.RegistrationFilterForm,
    rows=_rows,
    list_url="citizens:list",
    export_url="citizens:list-export",
    template="citizens/list.html",
)


def _list_actions(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    actions = [(_("受理登记申请"), reverse("citizens:create"))] if services.can_work(request.user) else []
    if services.can_view_full_id(request.user):
        actions.append((_("个人事项导出"), reverse("citizens:subject-export")))
    return {"work_actions": actions, "nav": "citizens"}


registration_list, registration_export = list_views(REGISTRATIONS, extra=_list_actions)


@scoped
@sensitive_post_parameters("holder_id", "obligor_id")  # kept out of error reports
def registration_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    require_work(request)
    form = cforms.RegistrationForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        matter = run_service(form, services.create_registration, actor=request.user, **form.service_values())
        if matter is not None:
            messages.success(request, _("已接件：%(title)s。请取得授权后查询共享材料。") % {"title": matter.title})
            for warning in matter.registration.unit_warnings:
                messages.warning(request, warning)
            return redirect(matter_url(matter))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "citizens/form.html", {"form": form, "title": _("受理不动产登记申请"), "nav": "citizens",
                                                  "subnav": "registrations",
                                                  "cancel_url": reverse("citizens:list")}, status=status)


def _tunable_notes() -> list[tuple[str, Any, bool]]:
    return [(str(t.basis), t.value, t.confirmed) for t in tunables.TUNABLES.values()
            if t.name.startswith("CITIZENS_REGISTRATION") or t.name.startswith("CITIZENS_TRANSFER")]


@scoped
@never_cache
def registration_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _detail_page(request, scope, selectors.get_registration(scope, pk), {})


def _detail_page(request: HttpRequest, scope: RegionScope, matter: Matter, revealed: dict[int, str]) -> HttpResponse:
    context = {
        "matter": matter, "registration": matter.registration, "nav": "citizens", "subnav": "registrations",
        "parties": [(p, revealed.get(p.person_id)) for p in selectors.parties(matter)],
        "needs": selectors.needs(matter),
        "requests": list(selectors.data_requests(matter)), "status_history": selectors.history(matter),
        "history": audit_selectors.history_of(scope, matter), "can_work": services.can_work(request.user),
        "can_view_full_id": services.can_view_full_id(request.user), "revealed": revealed or {},
        "within_target": services.within_target(matter), "rules": _tunable_notes(),
        "consent_form": cforms.ConsentForm(), "reason_form": cforms.ReasonForm(),
    }
    return render(request, "citizens/detail.html", context)


def _post(request: HttpRequest, scope: RegionScope, pk: int, form_class: type, call: Any, done: Any) \
        -> HttpResponse:
    require_work(request)
    matter = selectors.get_registration(scope, pk)
    return act(request, matter, form_class, call, done, matter_url(matter))


@scoped
def registration_fetch(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _post(request, scope, pk, cforms.ConsentForm, lambda m, d: services.request_documents(
        actor=request.user, matter=m, consent=d["consent"]), _("已发起共享数据查询。"))


@scoped
def registration_review(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    def done(matter: Matter) -> str:
        if matter.status == Matter.Status.ACCEPTED:
            return _("已受理。")
        return _("材料不齐，已一次性告知需补正的全部材料。")
    return _post(request, scope, pk, cforms.EmptyForm,
                 lambda m, d: services.review(actor=request.user, matter=m), done)


@scoped
def registration_complete(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _post(request, scope, pk, cforms.EmptyForm,
                 lambda m, d: services.complete(actor=request.user, matter=m), _("已登簿办结。"))


@scoped
def registration_refuse(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _post(request, scope, pk, cforms.ReasonForm,
                 lambda m, d: services.refuse(actor=request.user, matter=m, reason=d["reason"]), _("已不予办理。"))


@scoped
def registration_withdraw(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    return _post(request, scope, pk, cforms.ReasonForm,
                 lambda m, d: services.withdraw(actor=request.user, matter=m, reason=d["reason"]), _("已撤回。"))


@scoped
@never_cache
def reveal_id(request: HttpRequest, scope: RegionScope, pk: int, person_pk: int) -> HttpResponse:
    """The full number of one party, on a POST only (never in a URL or a GET), audited; shown on the matter page."""
    person = selectors.get_party_person(scope, pk, person_pk)  # 404 outside the scope, whatever the method
    matter = selectors.get_registration(scope, pk)
    if request.method != "POST":
        return redirect(matter_url(matter))
    number = services.reveal_id(actor=request.user, matter=matter, person=person)
    return _detail_page(request, scope, matter, {person.pk: number})


def _role(matter: Matter, person: Any) -> str:
    if matter.applicant_id == person.pk:
        return str(gettext_lazy("申请人"))
    return "、".join(str(p.get_role_display()) for p in matter.parties.all() if p.person_id == person.pk)


@scoped
@never_cache
@sensitive_post_parameters("id_number")
def subject_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """A data-subject request (个人事项导出): an officer holding `citizens.view_full_id` enters an ID number (on a POST,
    never in a URL) and downloads every matter of that person in the scope, the number masked in the file."""
    if not services.can_view_full_id(request.user):
        raise PermissionDenied
    form = cforms.SubjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person, found = run_service(form, services.subject_matters, actor=request.user,
                                    raw_id=form.cleaned_data["id_number"]) or (None, [])
        if person is not None and found:
            columns = [ExportColumn(_("事项")), ExportColumn(_("事项类型")), ExportColumn(_("渠道")),
                       ExportColumn(_("办理行政区")), ExportColumn(_("状态")), ExportColumn(_("接件时间")),
                       ExportColumn(_("办结时间")), ExportColumn(_("本人身份"))]
            rows = [[m.title, m.get_kind_display(), m.get_channel_display(), m.region.name, m.get_status_display(),
                     m.received_at, m.closed_at, _role(m, person)] for m in found]
            # the person in the heading line, not the sheet's name (Excel refuses the * of a masked number there)
            return xlsx_response(title=_("个人事项"), scope_label=f"{scope_label(scope)}　{person}",
                                 columns=columns, rows=rows, filename=_("个人事项"))
        if not form.errors:
            messages.info(request, _("您的数据范围内没有此人的事项。"))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "citizens/form.html", {"form": form, "title": _("个人事项导出"), "nav": "citizens",
                                                  "subnav": "registrations", "cancel_url": reverse("citizens:list")},
                  status=status)
