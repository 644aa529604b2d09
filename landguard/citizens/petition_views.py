"""信访 pages: the list with its xlsx twin (超期 and 积案 filters), registering a petition (the petitioner's ID number
only as a keyed hash and a masked copy), its page with the actions its stage allows (受理 / 不予受理, 延期, 意见书,
复查·复核 requests, 终结, 积案与包案, 息访), the related cases of the same petitioner or parcel, and the leaders' 积案
board for a period."""

from __future__ import annotations

import datetime as dt
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
from landguard.citizens import petitions, selectors, services, tunables
from landguard.citizens.models import Matter
from landguard.citizens.pages import act, require_work
from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.scope import RegionScope
from landguard.people.models import acting_user
from landguard.shell.listing import Column, Listing, list_views
from landguard.shell.pages import run_service


def petition_url(m: Matter) -> str:
    return reverse("citizens:petition-detail", args=[m.pk])


def _rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[Matter]:
    queryset = selectors.petitions(scope)
    if stage := values.get("stage"):
        queryset = queryset.filter(petition__stage=stage)
    if pclass := values.get("pclass"):
        queryset = queryset.filter(petition__pclass=pclass)
    if values.get("backlog"):
        queryset = queryset.exclude(petition__backlog="")
    if values.get("overdue"):
        queryset = queryset.filter(pk__in=selectors.overdue_petitions(scope, clock.today()).values("pk"))
    if township := values.get("township"):
        queryset = queryset.filter(region_code__startswith=township.code)
    if text := values.get("q"):
        queryset = queryset.filter(Q(petition__petition_no__contains=text) | Q(title__contains=text)
                                   | Q(petition__parcel_ref__contains=text) | Q(applicant__id_masked=text.upper()))
    return queryset


def _overdue(m: Matter) -> bool:
    return selectors.is_overdue(m, clock.today())


PETITIONS = Listing(
    key="citizens",
    extra={"subnav": "petitions"},
    title=gettext_lazy("信访事项"),
    filename=gettext_lazy("信访事项列表"),
    columns=(
        Column(gettext_lazy("信访件编号"), lambda m: m.petition.petition_no, link=petition_url, badge=True),
        Column(gettext_lazy("事项"), lambda m: m.title, link=petition_url),
        Column(gettext_lazy("信访类别"), lambda m: m.petition.get_pclass_display()),
        Column(gettext_lazy("信访人"), lambda m: str(m.applicant) if m.applicant else ""),
        Column(gettext_lazy("办理阶段"), lambda m: m.petition.get_stage_display()),
        Column(gettext_lazy("本阶段期限"), lambda m: m.petition.due_on),
        Column(gettext_lazy("超期"), _overdue),
        Column(gettext_lazy("积案类别"), lambda m: m.petition.get_backlog_display() if m.petition.backlog else ""),
        Column(gettext_lazy("包案领导"), lambda m: m.petition.lead_leader),
        Column(gettext_lazy("息访情况"), lambda m: m.petition.get_settlement_display()),
        Column(gettext_lazy("登记日期"), lambda m: m.received_at.date()),
        Column(gettext_lazy("涉及地块"), lambda m: m.petition.parcel_ref, html=False),
    ),
    form_class=cforms.PetitionFilterForm,
    rows=_rows,
    list_url="citizens:petition-list",
    export_url="citizens:petition-export",
    template="citizens/list.html",
)


def _list_actions(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    actions = [(_("积案看板"), reverse("citizens:petition-board"))]
    if services.can_work(acting_user(request)):
        actions.append((_("登记信访件"), reverse("citizens:petition-create")))
    return {"work_actions": actions, "nav": "citizens"}


petition_list, petition_export = list_views(PETITIONS, extra=_list_actions)


@scoped
@sensitive_post_parameters("petitioner_id")
def petition_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    require_work(request)
    form = cforms.PetitionForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        petitioner = (d["petitioner_id"], d["petitioner_name"]) if d["petitioner_id"] else None
        matter = run_service(form, petitions.register_petition, actor=acting_user(request), region=d["region"],
                             petition_no=d["petition_no"], pclass=d["pclass"], summary=d["summary"],
                             channel=d["channel"], received_on=d["received_on"], petitioner=petitioner,
                             parcel_ref=d["parcel_ref"], repeats=d["repeats"])
        if matter is not None:
            if matter.status == Matter.Status.REFUSED:
                messages.warning(request, _("原件已复核终结，本件已记为不予受理。"))
            else:
                messages.success(request, _("已登记信访件，请在 %(day)s 前书面告知是否受理。") % {
                    "day": f"{matter.petition.due_on:%Y-%m-%d}"})
            return redirect(petition_url(matter))
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "citizens/form.html", {"form": form, "title": _("登记信访件"), "nav": "citizens",
                                                  "subnav": "petitions",
                                                  "cancel_url": reverse("citizens:petition-list")}, status=status)


@scoped
def petition_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    matter = selectors.get_petition(scope, pk)
    today = clock.today()
    return render(request, "citizens/petition_detail.html", {
        "matter": matter, "petition": matter.petition, "nav": "citizens", "subnav": "petitions",
        "overdue": selectors.is_overdue(matter, today), "window_over": matter.petition.due_on is not None
        and today > matter.petition.due_on, "can_work": services.can_work(acting_user(request)),
        "related": selectors.related_petitions(scope, matter)[:20], "rules": tunables.CATALOG.rows("CITIZENS_PETITION"),
        "status_history": selectors.history(matter), "history": audit_selectors.history_of(scope, matter),
        "accept_form": cforms.PetitionAcceptForm(), "reason_form": cforms.ReasonForm(),
        "extend_form": cforms.PetitionExtendForm(), "reply_form": cforms.PetitionReplyForm(),
        "review_form": cforms.PetitionReviewForm(),
        "backlog_form": cforms.PetitionBacklogForm(initial={"backlog": matter.petition.backlog,
                                                            "lead_leader": matter.petition.lead_leader}),
        "settlement_form": cforms.PetitionSettlementForm(initial={"settlement": matter.petition.settlement})})


ACTIONS: dict[str, tuple[type, Any, Any]] = {
    "accept": (cforms.PetitionAcceptForm, lambda user, m, d: petitions.accept(actor=user, matter=m, on=d["on"]),
               gettext_lazy("已受理，办理期限开始计算。")),
    "refuse": (cforms.ReasonForm, lambda user, m, d: petitions.refuse(actor=user, matter=m, reason=d["reason"]),
               gettext_lazy("已记为不予受理。")),
    "extend": (cforms.PetitionExtendForm, lambda user, m, d: petitions.extend(
        actor=user, matter=m, reason=d["reason"], approved_by=d["approved_by"]), gettext_lazy("已延期。")),
    "reply": (cforms.PetitionReplyForm, lambda user, m, d: petitions.reply(
        actor=user, matter=m, opinion=d["opinion"], text=d["text"]), gettext_lazy("已出具意见。")),
    "review": (cforms.PetitionReviewForm, lambda user, m, d: petitions.request_review(
        actor=user, matter=m, hearing_days=d["hearing_days"] or 0), gettext_lazy("已登记复查（复核）请求。")),
    "finalize": (cforms.EmptyForm, lambda user, m, d: petitions.finalize(actor=user, matter=m),
                 gettext_lazy("已终结。")),
    "backlog": (cforms.PetitionBacklogForm, lambda user, m, d: petitions.mark_backlog(
        actor=user, matter=m, backlog=d["backlog"] or "", lead_leader=d["lead_leader"]),
        gettext_lazy("已更新积案与包案。")),
    "settlement": (cforms.PetitionSettlementForm, lambda user, m, d: petitions.set_settlement(
        actor=user, matter=m, settlement=d["settlement"]), gettext_lazy("已更新息访情况。")),
}


@scoped
@require_POST
def petition_action(request: HttpRequest, scope: RegionScope, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise PermissionDenied
    form_class, call, done = ACTIONS[action]
    matter = selectors.get_petition(scope, pk)
    return act(request, matter, form_class, lambda m, d: call(acting_user(request), m, d), str(done),
               petition_url(matter))


@scoped
def petition_board(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """The leaders' 积案 board for a period (default this year)."""
    today = clock.today()
    form = cforms.BoardForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    start = values.get("start") or dt.date(today.year, 1, 1)
    end = values.get("end") or today
    board = selectors.petition_board(scope, start, end, today)
    return render(request, "citizens/petition_board.html", {
        "board": board, "form": form, "start": start, "end": end, "nav": "citizens", "subnav": "petitions"})
