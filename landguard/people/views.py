"""People pages: org units, users and field chiefs — scoped lists with xlsx export, detail pages with the
audit history, and create/edit forms for managers that write only through landguard.people.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from landguard.audit import selectors as audit_selectors
from landguard.core.access import scoped
from landguard.core.exports import COUNT, HECTARES, PERCENT, ExportColumn, xlsx_response
from landguard.core.geodesy import hectares
from landguard.core.scope import RegionScope
from landguard.people import selectors, services, stats
from landguard.people.forms import FieldChiefForm, OrgUnitForm, UserCreateForm, UserEditForm
from landguard.people.models import FieldChief, OrgUnit, Role, User
from landguard.shell.listing import Column, Listing, ScopedFilterForm, list_views, text_filter
from landguard.shell.pages import paginate, run_service, scope_label

# --- org units -------------------------------------------------------------------------------------------


class OrgUnitFilterForm(ScopedFilterForm):
    kind = forms.ChoiceField(label=gettext_lazy("类型"), required=False,
                             choices=[("", gettext_lazy("全部类型")), *OrgUnit.Kind.choices])


def _org_unit_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[OrgUnit]:
    queryset = selectors.org_units(scope).defer("region__geom")
    if kind := values.get("kind"):
        queryset = queryset.filter(kind=kind)
    if township := values.get("township"):
        queryset = queryset.filter(region__code__startswith=township.code)
    return text_filter(queryset, values.get("q"), "name", "region__code")


def _org_unit_url(unit: OrgUnit) -> str:
    return reverse("people:orgunit-detail", args=[unit.pk])


ORG_UNITS = Listing(
    key="orgunits",
    title=gettext_lazy("组织机构"),
    filename=gettext_lazy("组织机构列表"),
    columns=(
        Column(gettext_lazy("名称"), lambda u: u.name, link=_org_unit_url, badge=True),
        Column(gettext_lazy("类型"), lambda u: u.get_kind_display()),
        Column(gettext_lazy("所在行政区"), lambda u: u.region.name),
        Column(gettext_lazy("区划代码"), lambda u: u.region.code),
        Column(gettext_lazy("上级单位"), lambda u: u.parent.name if u.parent else None),
        Column(gettext_lazy("电话"), lambda u: u.phone),
    ),
    form_class=OrgUnitFilterForm,
    rows=_org_unit_rows,
    list_url="people:orgunit-list",
    export_url="people:orgunit-export",
    create_url="people:orgunit-create",
)


orgunit_list, orgunit_export = list_views(ORG_UNITS)


@scoped
def orgunit_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    unit = selectors.get_org_unit(scope, pk)
    context = {
        "unit": unit, "nav": "orgunits",
        # The parent may sit above the scope (a township office under the county bureau): name it, link only if visible.
        "parent_visible": selectors.is_visible(scope, unit.parent),
        "children": selectors.org_units(scope).filter(parent=unit),
        "members": paginate(request, selectors.users(scope).filter(org_unit=unit)),
        "history": audit_selectors.history_of(scope, unit),
    }
    return render(request, "people/orgunit_detail.html", context)


@scoped(manage=True)
def orgunit_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = OrgUnitForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        unit = run_service(form, services.create_org_unit, actor=request.user, **form.cleaned_data)
        if unit is not None:
            messages.success(request, _("已新建组织机构“%(name)s”。") % {"name": unit.name})
            return redirect("people:orgunit-detail", pk=unit.pk)
    return _form_page(request, form, _("新建组织机构"), "orgunits", reverse("people:orgunit-list"))


@scoped(manage=True)
def orgunit_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    unit = selectors.get_org_unit(scope, pk)
    form = OrgUnitForm(request.POST or None, instance=unit, scope=scope)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.update_org_unit, actor=request.user, unit=unit, **form.cleaned_data) is not None:
            messages.success(request, _("已保存修改。"))
            return redirect("people:orgunit-detail", pk=unit.pk)
    return _form_page(request, form, _("编辑组织机构：%(name)s") % {"name": unit.name}, "orgunits", _org_unit_url(unit))


def _form_page(request: HttpRequest, form: forms.Form, title: str, nav: str, cancel_url: str) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "web/form.html", {"form": form, "title": title, "nav": nav, "cancel_url": cancel_url},
                  status=status)


# --- users -----------------------------------------------------------------------------------------------


class UserFilterForm(ScopedFilterForm):
    role = forms.ChoiceField(label=gettext_lazy("角色"), required=False,
                             choices=[("", gettext_lazy("全部角色")), *Role.choices])
    active = forms.ChoiceField(label=gettext_lazy("状态"), required=False,
                               choices=[("", gettext_lazy("全部状态")), ("1", gettext_lazy("启用")),
                                        ("0", gettext_lazy("停用"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("用户名或姓名")


def _user_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[User]:
    queryset = selectors.users(scope).defer("scope_region__geom")
    if role := values.get("role"):
        queryset = queryset.filter(role=role)
    if active := values.get("active"):
        queryset = queryset.filter(is_active=active == "1")
    if township := values.get("township"):
        queryset = queryset.filter(scope_region__code__startswith=township.code)
    return text_filter(queryset, values.get("q"), "username", "full_name")


def _user_url(user: User) -> str:
    return reverse("people:user-detail", args=[user.pk])


USERS = Listing(
    key="users",
    title=gettext_lazy("用户"),
    filename=gettext_lazy("用户列表"),
    columns=(
        Column(gettext_lazy("用户名"), lambda u: u.username, link=_user_url),
        Column(gettext_lazy("姓名"), lambda u: u.full_name, link=_user_url, badge=True),
        Column(gettext_lazy("角色"), lambda u: u.get_role_display()),
        Column(gettext_lazy("所属单位"), lambda u: u.org_unit.name if u.org_unit else None),
        Column(gettext_lazy("数据范围"), lambda u: str(u.scope_region) if u.scope_region else None),
        Column(gettext_lazy("手机号"), lambda u: u.phone),
        Column(gettext_lazy("状态"), lambda u: _("启用") if u.is_active else _("停用")),
        Column(gettext_lazy("最近登录"), lambda u: u.last_login, html=False),
    ),
    form_class=UserFilterForm,
    rows=_user_rows,
    list_url="people:user-list",
    export_url="people:user-export",
    create_url="people:user-create",
)


user_list, user_export = list_views(USERS)


@scoped
def user_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    person = selectors.get_user(scope, pk)
    chief = selectors.field_chiefs(scope).filter(user=person).first()
    context = {
        "person": person, "nav": "users", "chief": chief,
        "org_unit_visible": selectors.is_visible(scope, person.org_unit),
        "history": audit_selectors.history_of(scope, person),
        "token": _token_facts(selectors.api_token(scope, person)),
    }
    return render(request, "people/user_detail.html", context)


@scoped(manage=True)
def user_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = UserCreateForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        person = run_service(form, services.create_user, actor=request.user, **form.service_values())
        if person is not None:
            messages.success(request, _("已新建用户“%(name)s”。") % {"name": person})
            return redirect("people:user-detail", pk=person.pk)
    return _form_page(request, form, _("新建用户"), "users", reverse("people:user-list"))


@scoped(manage=True)
def user_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    person = selectors.get_user(scope, pk)
    form = UserEditForm(request.POST or None, instance=person, scope=scope)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.update_user, actor=request.user, user=person, **form.cleaned_data) is not None:
            messages.success(request, _("已保存修改。"))
            return redirect("people:user-detail", pk=person.pk)
    return _form_page(request, form, _("编辑用户：%(name)s") % {"name": person}, "users", _user_url(person))


# --- field chiefs ----------------------------------------------------------------------------------------


class FieldChiefFilterForm(ScopedFilterForm):
    level = forms.TypedChoiceField(label=gettext_lazy("田长级别"), required=False, coerce=int, empty_value=None,
                                   choices=[("", gettext_lazy("全部级别")), *FieldChief.Level.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("姓名、职务或区划代码")


def _chief_rows(scope: RegionScope, values: dict[str, Any]) -> QuerySet[FieldChief]:
    queryset = selectors.field_chiefs(scope).defer("region__geom")
    if level := values.get("level"):
        queryset = queryset.filter(level=level)
    if township := values.get("township"):
        queryset = queryset.filter(region__code__startswith=township.code)
    return text_filter(queryset, values.get("q"), "user__full_name", "title", "region__name", "region__code")


def _chief_url(chief: FieldChief) -> str:
    return reverse("people:fieldchief-detail", args=[chief.pk])


FIELD_CHIEFS = Listing(
    key="fieldchiefs",
    title=gettext_lazy("田长"),
    filename=gettext_lazy("田长名册"),
    columns=(
        Column(gettext_lazy("姓名"), lambda c: str(c.user), link=_chief_url, badge=True),
        Column(gettext_lazy("田长级别"), lambda c: c.get_level_display()),
        Column(gettext_lazy("职务"), lambda c: c.title),
        Column(gettext_lazy("责任区域"), lambda c: c.region.name),
        Column(gettext_lazy("区划代码"), lambda c: c.region.code),
        Column(gettext_lazy("上级田长"), lambda c: str(c.superior.user) if c.superior else None),
        Column(gettext_lazy("网格数"), lambda c: len(c.grids.all()), numeric=True),
        Column(gettext_lazy("责任网格"), lambda c: "、".join(g.code for g in c.grids.all()), html=False),
    ),
    form_class=FieldChiefFilterForm,
    rows=_chief_rows,
    list_url="people:fieldchief-list",
    export_url="people:fieldchief-export",
    create_url="people:fieldchief-create",
)


fieldchief_list, fieldchief_export = list_views(FIELD_CHIEFS)


@scoped
def fieldchief_detail(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    chief = selectors.get_field_chief(scope, pk)
    context = {
        "chief": chief, "nav": "fieldchiefs",
        "superior_visible": selectors.is_visible(scope, chief.superior),
        "grids": selectors.grids(scope).filter(chiefs=chief),
        "subordinates": paginate(request, selectors.field_chiefs(scope).filter(superior=chief)),
        "history": audit_selectors.history_of(scope, chief),
    }
    return render(request, "people/fieldchief_detail.html", context)


@scoped(manage=True)
def fieldchief_create(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    form = FieldChiefForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        chief = run_service(form, services.appoint_field_chief, actor=request.user, **form.service_values())
        if chief is not None:
            messages.success(request, _("已任命田长：%(chief)s。") % {"chief": chief})
            return redirect("people:fieldchief-detail", pk=chief.pk)
    return _form_page(request, form, _("任命田长"), "fieldchiefs", reverse("people:fieldchief-list"))


@scoped(manage=True)
def fieldchief_edit(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    chief = selectors.get_field_chief(scope, pk)
    form = FieldChiefForm(request.POST or None, instance=chief, scope=scope)
    if request.method == "POST" and form.is_valid():
        if run_service(form, services.update_field_chief, actor=request.user, chief=chief,
                       **form.service_values()) is not None:
            messages.success(request, _("已保存修改。"))
            return redirect("people:fieldchief-detail", pk=chief.pk)
    return _form_page(request, form, _("编辑田长：%(chief)s") % {"chief": chief}, "fieldchiefs", _chief_url(chief))


# --- my account: the API token ------------------------------------------------------------------------------


def _token_facts(token: Any) -> dict[str, Any] | None:
    from landguard.shell.tokens import expires_at, is_expired

    if token is None:
        return None
    # Only the first characters: enough to recognise it in a script, not enough to use it.
    return {"created": token.created, "expires": expires_at(token), "expired": is_expired(token),
            "prefix": token.key[:6]}


@scoped
def account(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    """The signed-in user's own page: who they are and their API token, which they can revoke."""
    if request.method == "POST":
        if services.revoke_token(actor=request.user, user=request.user):
            messages.success(request, _("API 令牌已吊销，使用它的脚本和 GIS 客户端将无法再访问。"))
        else:
            messages.info(request, _("您当前没有 API 令牌。"))
        return redirect("people:account")
    context = {"nav": "account", "token": _token_facts(selectors.api_token(scope, request.user)),
               "lifetime_days": settings.TOKEN_LIFETIME_DAYS}
    return render(request, "people/account.html", context)


@require_POST
@scoped(manage=True)
def user_revoke_token(request: HttpRequest, scope: RegionScope, pk: int) -> HttpResponse:
    """An admin revokes the API token of a user inside their scope (a lost laptop, a leaver)."""
    person = selectors.get_user(scope, pk)
    if services.revoke_token(actor=request.user, user=person):
        messages.success(request, _("已吊销“%(name)s”的 API 令牌。") % {"name": person})
    else:
        messages.info(request, _("“%(name)s”当前没有 API 令牌。") % {"name": person})
    return redirect("people:user-detail", pk=person.pk)


# --- the dashboard's township table (people tile of shell.dashboard) as xlsx -----------------------------------

TOWNSHIP_COLUMNS = (
    (gettext_lazy("区划代码"), None), (gettext_lazy("乡镇（街道）"), None), (gettext_lazy("村（社区）数"), COUNT),
    (gettext_lazy("有村级田长的村数"), COUNT), (gettext_lazy("村级田长覆盖率（%）"), PERCENT),
    (gettext_lazy("网格数"), COUNT),
    (gettext_lazy("组织机构数"), COUNT), (gettext_lazy("用户数"), COUNT), (gettext_lazy("田长数"), COUNT),
    (gettext_lazy("面积（公顷）"), HECTARES), (gettext_lazy("合成演示数据"), None),
)


@scoped
def township_export(request: HttpRequest, scope: RegionScope) -> HttpResponse:
    rows = ([r.code, r.name, r.villages, r.covered_villages, r.coverage, r.grids, r.org_units, r.users, r.field_chiefs,
             None if r.area_m2 is None else hectares(r.area_m2), r.is_synthetic] for r in stats.township_table(scope))
    return xlsx_response(title=_("分乡镇统计"), scope_label=scope_label(scope),
                         columns=[ExportColumn(str(h), fmt) for h, fmt in TOWNSHIP_COLUMNS], rows=rows,
                         filename=_("分乡镇统计"))
