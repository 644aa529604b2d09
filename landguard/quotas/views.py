"""The quota-ledger pages: the overview of ledgers with balances, warnings and a chart; the ledger (every entry,
with the bureau's 指标台账 columns and xlsx); an account's rows with their running balance; the manager forms
(allocate, transfer, correct); the yearly report with 上报比例 / 批复比例; the rules in force."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from landguard.core import clock
from landguard.core.access import scoped
from landguard.core.exports import MU, PERCENT, ExportColumn, xlsx_response
from landguard.core.scope import RegionScope
from landguard.quotas import forms as qforms
from landguard.quotas import selectors, services, tunables
from landguard.quotas.models import Action, Kind, QuotaAccount, QuotaEntry, ReservationState, unit_of
from landguard.shell.listing import Column, Listing, list_views, render_list
from landguard.shell.pages import run_service, scope_label

AMOUNT_DIGITS = 4  # the ledger's own precision (文件 state 1096.996 亩)


# --- the ledgers (overview) -------------------------------------------------------------------------------


def _balance(account: QuotaAccount) -> selectors.Balance:
    cached = getattr(account, "_balance", None)
    if cached is None:
        cached = selectors.balances_of([account])[account.pk]
        account._balance = cached  # type: ignore[attr-defined]
    return cached


def _account_url(a: QuotaAccount) -> str:
    return reverse("quotas:account", args=[a.pk])


def _ledger_filter(queryset: QuerySet, values: dict[str, Any], prefix: str = "") -> QuerySet:
    if (year := values.get("year")) is not None:
        queryset = queryset.filter(**{f"{prefix}year": year})
    if kind := values.get("kind"):
        queryset = queryset.filter(**{f"{prefix}kind": kind})
    if text := values.get("q"):
        queryset = queryset.filter(Q(**{f"{prefix}region__name__contains": text})
                                   | Q(**{f"{prefix}region__code__startswith": text}))
    return queryset


def _account_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[QuotaAccount]:
    return _ledger_filter(selectors.accounts(scope), values)


def _figure(name: str):
    return lambda a: float(getattr(_balance(a), name))


ACCOUNTS = Listing(
    key="quotas", extra={"subnav": "overview"},
    title=gettext_lazy("指标账户"), filename=gettext_lazy("指标账户余额"),
    columns=(
        Column(gettext_lazy("行政区"), lambda a: a.region.name, link=_account_url),
        Column(gettext_lazy("年度"), lambda a: a.year),
        Column(gettext_lazy("指标类型"), lambda a: a.get_kind_display()),
        Column(gettext_lazy("计量单位"), lambda a: str(a.unit)),
        Column(gettext_lazy("下达"), _figure("issued"), digits=AMOUNT_DIGITS, numeric=True),
        Column(gettext_lazy("调入"), _figure("transferred_in"), digits=AMOUNT_DIGITS, numeric=True),
        Column(gettext_lazy("调出"), _figure("transferred_out"), digits=AMOUNT_DIGITS, numeric=True),
        Column(gettext_lazy("预占中"), _figure("reserved"), digits=AMOUNT_DIGITS, numeric=True),
        Column(gettext_lazy("已核销"), _figure("used"), digits=AMOUNT_DIGITS, numeric=True),
        Column(gettext_lazy("已失效"), _figure("lapsed"), digits=AMOUNT_DIGITS, numeric=True),
        Column(gettext_lazy("可用余额"), _figure("available"), digits=AMOUNT_DIGITS, numeric=True),
        Column(gettext_lazy("区划代码"), lambda a: a.region.code, html=False),
    ),
    form_class=qforms.LedgerFilterForm, rows=_account_rows,
    list_url="quotas:overview", export_url="quotas:overview-export", template="quotas/overview.html",
)


def _chart(scope: RegionScope, request: HttpRequest) -> tuple[dict[str, Any], int | None, str]:
    """Available balance per region of one year and kind: the filter's, else the latest year and 计划指标."""
    form = qforms.LedgerFilterForm(request.GET or None, scope=scope)
    values = form.values()
    kind = values.get("kind") or Kind.PLAN
    year = values.get("year") or selectors.accounts(scope, kind=kind).order_by("-year").values_list(
        "year", flat=True).first()
    shown = list(selectors.accounts(scope, year=year, kind=kind)) if year else []
    found = selectors.balances_of(shown)
    rows = [{"name": a.region.name, "value": float(found[a.pk].available)} for a in shown]
    i18n = {"locale": "ZH" if get_language() == "zh-hans" else "EN", "count": str(unit_of(kind)),
            "coverage": "", "villages": "", "entries": "", "empty": _("暂无数据")}
    return {"quotas_available": rows, "i18n": i18n}, year, str(Kind(kind).label)


def _overview_extra(request: HttpRequest, scope: RegionScope) -> dict[str, Any]:
    charts, year, kind_label = _chart(scope, request)
    return {"warnings": selectors.warnings(scope), "charts": charts, "chart_year": year, "chart_kind": kind_label,
            "manage_actions": _manage_actions(request)}


def _manage_actions(request: HttpRequest) -> list[tuple[str, str]]:
    if not services.can_manage(request.user):
        return []
    return [(_("下达入账"), reverse("quotas:allocate")), (_("指标调剂"), reverse("quotas:transfer"))]


overview, overview_export = list_views(ACCOUNTS, extra=_overview_extra)


# --- the ledger (every entry) -----------------------------------------------------------------------------


def _entry_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[QuotaEntry]:
    queryset = _ledger_filter(selectors.entries(scope), {k: v for k, v in values.items() if k != "q"}, "account__")
    if action := values.get("action"):
        queryset = queryset.filter(action=action)
    if account := values.get("account"):
        queryset = queryset.filter(account_id=account)
    if text := values.get("q"):
        queryset = queryset.filter(Q(document_no__contains=text) | Q(holder_label__contains=text)
                                   | Q(account__region__name__contains=text)
                                   | Q(account__region__code__startswith=text))
    return queryset


def _source(e: QuotaEntry) -> str:
    """来源（下达文号/项目编号）: the source and its document for quota received, the document of a transfer."""
    parts = [e.get_source_display() if e.source else "", e.document_no]
    return " ".join(p for p in parts if p)


CLOSING_STATUS: dict[str, Any] = {Action.SETTLE: pgettext_lazy("a reservation's end state", "核销"),
                                  Action.RELEASE: pgettext_lazy("a reservation's end state", "退回")}


def _status(e: QuotaEntry) -> str:
    state = getattr(e, "state", "")
    if state:
        return str(ReservationState(state).label)
    return str(CLOSING_STATUS.get(e.action, ""))


def _holder_link(e: QuotaEntry) -> str | None:
    url = e.holder_url
    return url if url.startswith("/") and not url.startswith("//") else None  # local links only


ENTRIES = Listing(
    key="quotas", extra={"subnav": "entries"},
    title=gettext_lazy("指标台账"), filename=gettext_lazy("指标台账"),
    columns=(
        Column(gettext_lazy("行政区"), lambda e: e.account.region.name,
               link=lambda e: reverse("quotas:account", args=[e.account_id])),
        Column(gettext_lazy("年度"), lambda e: e.account.year),
        Column(gettext_lazy("指标类型"), lambda e: e.account.get_kind_display()),
        Column(gettext_lazy("业务类型"), lambda e: e.get_action_display()),
        Column(gettext_lazy("来源（下达文号/项目编号）"), _source),
        Column(gettext_lazy("数量（+/−）"), lambda e: float(e.amount), digits=AMOUNT_DIGITS, numeric=True),
        Column(gettext_lazy("计量单位"), lambda e: str(e.account.unit)),
        Column(gettext_lazy("关联批次"), lambda e: e.holder_label, link=_holder_link),
        Column(gettext_lazy("状态（预占/核销/退回）"), _status),
        Column(gettext_lazy("有效期"), lambda e: e.expires_on),
        Column(gettext_lazy("业务日期"), lambda e: e.effective_on),
        Column(gettext_lazy("结余"), lambda e: float(e.running or 0), digits=AMOUNT_DIGITS, numeric=True),
        Column(gettext_lazy("调剂价格（万元/亩）"),
               lambda e: float(e.price_wan_yuan_per_mu) if e.price_wan_yuan_per_mu is not None else None,
               digits=2, numeric=True, html=False),
        Column(gettext_lazy("说明"), lambda e: (_("超额预占：") if e.is_override else "") + e.note),
    ),
    form_class=qforms.EntryFilterForm, rows=_entry_rows,
    list_url="quotas:entries", export_url="quotas:entries-export",
    template="quotas/list.html",
)

entry_list, entry_export = list_views(ENTRIES)


@scoped
def account_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    """One ledger: its balance and its rows with the running balance (the ledger listing, filtered to it)."""
    account = selectors.get_account(scope, pk)
    query = request.GET.copy()
    query["account"] = str(account.pk)
    request.GET = query  # type: ignore[assignment]  # the listing reads its filter from the request
    can_correct = services.can_manage(request.user)
    listing = dataclasses.replace(ENTRIES, template="quotas/account.html", extra={
        "subnav": "overview", "account": account, "balance": _balance(account), "can_correct": can_correct,
        "correctable": set(services.CORRECTABLE), "unit": account.unit})
    return render_list(request, scope, listing)


# --- manager forms ----------------------------------------------------------------------------------------


def _form_page(request: HttpRequest, form: Any, title: str, *, intro: str = "") -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "quotas/form.html", {"form": form, "title": title, "nav": "quotas", "subnav": "overview",
                                                "intro": intro, "cancel_url": reverse("quotas:overview")},
                  status=status)


@scoped(manage=True)
def allocate(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = qforms.AllocateForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        entry = run_service(form, services.allocate, actor=request.user, **form.cleaned_data)
        if entry is not None:
            messages.success(request, _("已入账。"))
            return redirect(_account_url(entry.account))
    return _form_page(request, form, _("下达入账"))


@scoped(manage=True)
def transfer(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = qforms.TransferForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        pair = run_service(form, services.transfer, actor=request.user, **form.cleaned_data)
        if pair is not None:
            messages.success(request, _("已调剂。"))
            return redirect(_account_url(pair[0].account))
    return _form_page(request, form, _("指标调剂"))


@scoped(manage=True)
def correct(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    entry = selectors.get_entry(scope, pk)
    form = qforms.CorrectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fix = run_service(form, services.correct, actor=request.user, entry=entry, **form.cleaned_data)
        if fix is not None:
            messages.success(request, _("已更正（新增一条更正分录，原分录保留）。"))
            return redirect(_account_url(entry.account))
    intro = _("更正 %(entry)s：%(source)s，数量 %(amount)s %(unit)s") % {
        "entry": entry.account, "source": _source(entry) or entry.get_action_display(),
        "amount": f"{entry.amount:,.4f}", "unit": entry.account.unit}
    return _form_page(request, form, _("更正分录"), intro=intro)


# --- the yearly report ------------------------------------------------------------------------------------


def _report_year(request: HttpRequest) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else clock.today().year


REPORT_COLUMNS = (
    (gettext_lazy("行政区"), None, lambda r: r.region.name),
    (gettext_lazy("所属市"), None, lambda r: r.city.name if r.city else ""),
    (gettext_lazy("下达指标（亩）"), MU, lambda r: float(r.figures.issued)),
    (gettext_lazy("预占中（亩）"), MU, lambda r: float(r.figures.reserved)),
    (gettext_lazy("已核销（亩）"), MU, lambda r: float(r.figures.used)),
    (gettext_lazy("可用余额（亩）"), MU, lambda r: float(r.figures.available)),
    (gettext_lazy("上报面积（亩）"), MU, lambda r: float(r.figures.reported)),
    (gettext_lazy("上报比例（%）"), PERCENT, lambda r: r.figures.reported_ratio),
    (gettext_lazy("批复比例（%）"), PERCENT, lambda r: r.figures.approved_ratio),
    (gettext_lazy("上年上报比例（%）"), PERCENT, lambda r: r.previous.reported_ratio),
    (gettext_lazy("上年批复比例（%）"), PERCENT, lambda r: r.previous.approved_ratio),
    (gettext_lazy("市内排名"), None, lambda r: r.rank),
)


@scoped
def report(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    year = _report_year(request)
    rows = selectors.report(scope, year)
    context = {"nav": "quotas", "subnav": "report", "year": year, "rows": rows, "formulas": selectors.formulas(),
               "years": range(clock.today().year, clock.today().year - 8, -1)}
    return render(request, "quotas/report.html", context)


@scoped
def report_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    year = _report_year(request)
    rows = selectors.report(scope, year)
    formulas = selectors.formulas()
    title = _("%(year)s 年度建设用地指标使用情况（%(formula)s；%(approved)s；待确认）") % {
        "year": year, "formula": formulas["reported_ratio"], "approved": formulas["approved_ratio"]}
    return xlsx_response(title=title, scope_label=scope_label(scope),
                         columns=[ExportColumn(str(header), fmt) for header, fmt, _v in REPORT_COLUMNS],
                         rows=([value(r) for _h, _f, value in REPORT_COLUMNS] for r in rows),
                         filename=_("指标使用情况"))


@scoped
def rules(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """The configurable rules in force (settings QUOTAS_…), each marked 待确认 where no official text was found."""
    periods = [{"period": p, "kinds": [Kind(k).label for k in p.kinds]} for p in tunables.get("QUOTAS_OFFSET_PERIODS")]
    context = {"nav": "quotas", "subnav": "rules", "periods": periods, "formulas": selectors.formulas(),
               "low_share": Decimal(str(tunables.get("QUOTAS_LOW_SHARE"))) * 100,
               "return_days": tunables.get("QUOTAS_RETURN_WARNING_DAYS"),
               "return_years": tunables.get("QUOTAS_TURNOVER_RETURN_YEARS")}
    return render(request, "quotas/rules.html", context)
