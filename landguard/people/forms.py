"""Forms for org units, users and field chiefs. Every choice list (regions, org units, users, superiors, grids)
comes from a selector with the manager's scope, so a form can neither show nor accept anything outside it.
Forms only validate: the views hand cleaned_data to landguard.people.services, which write the audit trail."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from landguard.core.scope import RegionScope
from landguard.people import selectors
from landguard.people.models import FieldChief, OrgUnit, User
from landguard.regions import selectors as region_selectors
from landguard.regions.models import Level, Region


class RegionChoiceField(forms.ModelChoiceField):
    """Regions indented by level, so the list reads as a tree: 冠县 / 　清泉街道 / 　　XX村."""

    def label_from_instance(self, obj: Region) -> str:
        return f"{'　' * max(0, obj.level - Level.COUNTY)}{obj.name}（{obj.code}）"


class ScopedModelForm(forms.ModelForm):
    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        for field in self.fields.values():
            if isinstance(field.widget, (forms.Select, forms.TextInput, forms.EmailInput, forms.PasswordInput)):
                field.widget.attrs.setdefault("class", "input")

    def region_field(self, name: str, max_level: int) -> None:
        current = self.fields[name]
        self.fields[name] = RegionChoiceField(
            queryset=region_selectors.regions(self.scope).filter(level__lte=max_level).defer("geom").order_by("code"),
            label=current.label, required=current.required, help_text=current.help_text, empty_label=_("请选择行政区"))
        self.fields[name].widget.attrs["class"] = "input"


class OrgUnitForm(ScopedModelForm):
    class Meta:
        model = OrgUnit
        fields = ["name", "kind", "region", "parent", "phone"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region_field("region", Level.TOWNSHIP)
        parents = selectors.org_units(self.scope)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("（无上级单位）")


class UserCreateForm(ScopedModelForm):
    password1 = forms.CharField(label=_("初始密码"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("至少 8 位，不能是常见密码。"))
    password2 = forms.CharField(label=_("确认密码"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "role", "org_unit", "scope_region"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = selectors.org_units(self.scope)
        self.fields["org_unit"].empty_label = _("（无）")
        self.region_field("scope_region", Level.VILLAGE)
        self.fields["scope_region"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif first:
            try:
                password_validation.validate_password(first, self.instance)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data

    def service_values(self) -> dict[str, Any]:
        values = {k: v for k, v in self.cleaned_data.items() if k not in {"password1", "password2"}}
        return {**values, "password": self.cleaned_data["password1"]}


class UserEditForm(ScopedModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "role", "org_unit", "scope_region", "is_active"]
        labels = {"is_active": _("启用")}
        help_texts = {"is_active": _("停用的账号不能登录，历史记录保留。")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = selectors.org_units(self.scope)
        self.fields["org_unit"].empty_label = _("（无）")
        self.region_field("scope_region", Level.VILLAGE)
        self.fields["scope_region"].required = True


class ChiefChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: FieldChief) -> str:
        return f"{obj.get_level_display()} · {obj.user} · {obj.region.name}"


class FieldChiefForm(ScopedModelForm):
    """Appoint or edit a 田长. Grids can be picked among those of the chosen region (after choosing it and
    saving once, on a new appointment)."""

    class Meta:
        model = FieldChief
        fields = ["user", "level", "region", "superior", "title", "grids"]
        widgets = {"grids": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["user"]
        else:
            self.fields["user"].queryset = selectors.users(self.scope).filter(field_chief__isnull=True, is_active=True)
            self.fields["user"].help_text = _("仅列出数据范围内尚未担任田长的用户。")
        self.region_field("region", Level.VILLAGE)
        superiors = selectors.field_chiefs(self.scope).exclude(level=FieldChief.Level.GRID).prefetch_related(None)
        if self.instance.pk:
            superiors = superiors.exclude(pk=self.instance.pk)
        self.fields["superior"] = ChiefChoiceField(queryset=superiors, required=False, label=_("上级田长"),
                                                   empty_label=_("（无上级田长）"))
        self.fields["superior"].widget.attrs["class"] = "input"
        region = self._chosen_region()
        grids = selectors.grids(self.scope)
        self.fields["grids"].queryset = grids.filter(village__code__startswith=region.code) if region else grids.none()
        self.fields["grids"].required = False
        self.fields["grids"].help_text = (_("责任区域内的网格。") if region
                                          else _("请先选择责任区域并保存，再编辑以指定网格。"))

    def _chosen_region(self) -> Region | None:
        if self.is_bound:
            key = self.data.get(self.add_prefix("region"))
            if key and str(key).isdigit():
                return region_selectors.regions(self.scope).filter(pk=key).first()
            return None
        return self.instance.region if self.instance.pk else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        level, superior = data.get("level"), data.get("superior")
        if level and superior and superior.level >= level:
            self.add_error("superior", _("上级田长的级别必须高于本级。"))
        return data

    def service_values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
