"""Forms of the planning pages: the plan's indicators, the breakdown table (one row per township), the township's
layout done, the idle-land filter, entry and import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from landguard.core import clock
from landguard.core.scope import RegionScope
from landguard.planning import selectors
from landguard.planning.models import (CountyPlan, CurrentUse, IdleParcel, IdleStatus, Indicator, IndicatorKind,
                                       PlannedReuse)
from landguard.planning.services import Share, townships_of
from landguard.projects.forms import BOUNDARY_HELP, DRAW_HELP, BoundaryUploadMixin, DateInput, DrawnBoundaryWidget
from landguard.regions.models import Level, Region
from landguard.shell.listing import ScopedFilterForm


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        if not isinstance(field.widget, (forms.CheckboxInput, forms.ClearableFileInput, forms.HiddenInput)):
            field.widget.attrs.setdefault("class", "input")


AREA: dict[str, Any] = {"max_digits": 14, "decimal_places": 4, "min_value": 0}


class PlanForm(forms.Form):
    name = forms.CharField(label=_("规划名称"), max_length=120)
    document_no = forms.CharField(label=_("批复文号或来源文件"), max_length=160)
    base_year = forms.IntegerField(label=_("基期年"), min_value=2000, max_value=2100)
    target_year = forms.IntegerField(label=_("规划目标年"), min_value=2000, max_value=2100)
    dev_boundary_factor = forms.DecimalField(
        label=_("城镇开发边界扩展倍数"), required=False, max_digits=5, decimal_places=3, min_value=1, max_value=5,
        help_text=_("三区三线规则：不超过 2020 年城镇建设用地规模的 1.3 倍（待确认）"))

    def __init__(self, *args: Any, plan: CountyPlan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        values = {i.kind: i.county_value for i in plan.indicators.all()} if plan else {}
        for kind, label in IndicatorKind.choices:
            self.fields[kind] = forms.DecimalField(label=_("%(kind)s（亩）") % {"kind": label}, required=False,
                                                   initial=values.get(kind), **AREA)
        if plan:
            for key in ("name", "document_no", "base_year", "target_year", "dev_boundary_factor"):
                self.fields[key].initial = getattr(plan, key)
        _style(self)

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"name": data["name"], "document_no": data["document_no"], "base_year": data["base_year"],
                "target_year": data["target_year"], "dev_boundary_factor": data.get("dev_boundary_factor"),
                "values": {kind: data.get(kind) for kind in IndicatorKind.values}}


class BreakdownForm(forms.Form):
    """One value and one deadline per township of the county (fields target_<code>, deadline_<code>)."""

    note = forms.CharField(label=_("分解说明"), required=False, max_length=300)

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.townships = townships_of(indicator.plan.region)
        current = {b.township_id: b for b in indicator.breakdowns.all()}
        for t in self.townships:
            row = current.get(t.pk)
            self.fields[f"target_{t.code}"] = forms.DecimalField(label=t.name, required=False,
                                                                 initial=row.target if row else None, **AREA)
            self.fields[f"deadline_{t.code}"] = forms.DateField(
                label=_("%(name)s 期限") % {"name": t.name}, required=False, widget=DateInput(),
                initial=row.deadline if row else None)
        _style(self)

    def rows(self) -> list[tuple[Region, Any, Any]]:
        return [(t, self[f"target_{t.code}"], self[f"deadline_{t.code}"]) for t in self.townships]

    def shares(self) -> list[Share]:
        data = self.cleaned_data
        return [Share(t, data.get(f"target_{t.code}"), data.get(f"deadline_{t.code}")) for t in self.townships]


class LaidOutForm(forms.Form):
    on = forms.DateField(label=_("完成分解布局日期"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = clock.today()
        _style(self)


class TownshipIndicatorFilterForm(ScopedFilterForm):
    kind = forms.ChoiceField(label=_("指标"), required=False, choices=[("", _("全部指标")), *IndicatorKind.choices])
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部状态")), *selectors.Status.LABELS.items()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("乡镇名称")


class IdleFilterForm(ScopedFilterForm):
    village = forms.CharField(label=_("村（社区）"), required=False, max_length=50)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *IdleStatus.choices])
    planned_reuse = forms.ChoiceField(label=_("拟利用方向"), required=False,
                                      choices=[("", _("全部方向")), *PlannedReuse.choices])
    current_use = forms.ChoiceField(label=_("现状用途"), required=False,
                                    choices=[("", _("全部用途")), *CurrentUse.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("地块名称或村名")
        self.fields["village"].widget.input_type = "search"  # styled and filtered live like the search box
        self.fields["village"].widget.attrs.update(placeholder=_("村名或代码"), autocomplete="off")


class VillageField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.parent.name} {obj.name}" if obj.parent else obj.name


def _village_choices(scope: RegionScope) -> VillageField:
    queryset = scope.filter(Region.objects.filter(level=Level.VILLAGE, retired_in__isnull=True), "code").select_related(
        "parent").defer("geom", "parent__geom").order_by("code")
    return VillageField(label=_("村（社区）"), queryset=queryset)


class IdleParcelForm(BoundaryUploadMixin, forms.Form):
    name = forms.CharField(label=_("地块名称或位置"), max_length=120)
    current_use = forms.ChoiceField(label=_("现状用途"), choices=CurrentUse.choices)
    planned_reuse = forms.ChoiceField(label=_("拟利用方向"), choices=PlannedReuse.choices)
    status = forms.ChoiceField(label=_("状态"), choices=IdleStatus.choices)
    identified_on = forms.DateField(label=_("指认日期"), widget=DateInput())
    area_mu = forms.DecimalField(label=_("面积（亩）"), required=False, max_digits=14, decimal_places=4, min_value=0,
                                 help_text=_("仅有面积数字、没有范围时填写；绘制或上传范围时按 CGCS2000 椭球面积计算"))
    boundary_file = forms.FileField(label=_("地块范围文件"), required=False, help_text=BOUNDARY_HELP)
    boundary_drawn = forms.CharField(label=_("在地图上绘制"), required=False, widget=DrawnBoundaryWidget,
                                     help_text=DRAW_HELP)
    note = forms.CharField(label=_("备注"), required=False, max_length=300)

    def __init__(self, *args: Any, scope: RegionScope, parcel: IdleParcel | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parcel = parcel
        if parcel is None:
            self.fields = {"village": _village_choices(scope), **self.fields}
            self.fields["identified_on"].initial = clock.today()
        else:
            for key in ("name", "current_use", "planned_reuse", "status", "identified_on", "note"):
                self.fields[key].initial = getattr(parcel, key)
            if parcel.geom is not None:
                del self.fields["area_mu"]
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_one_boundary(required=False)
        if (not self.errors and self.parcel is None and self.boundary is None
                and data.get("area_mu") in (None, "")):
            self.add_error("area_mu", _("请绘制或上传地块范围，或填写面积（亩）。"))
        return data

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {k: data[k] for k in ("name", "current_use", "planned_reuse", "status", "identified_on", "note")}
        if self.parcel is None:
            values["village"] = data["village"]
        values.update(boundary=self.boundary, boundary_source="uploaded" if data.get("boundary_file") else "drawn",
                      area_mu=data.get("area_mu"))
        return values


class IdleImportForm(forms.Form):
    file = forms.FileField(label=_("闲散土地台账（.xlsx）"),
                           help_text=_("列：序号、乡镇（街道）、村（社区）、地块名称（位置）、面积（亩）、现状用途、拟利用方向、"
                                       "状态、指认日期、备注"))
