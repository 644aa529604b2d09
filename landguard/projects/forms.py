"""Forms of the battle map. Every choice list comes from a selector with the user's scope; forms only
validate, views hand cleaned_data to landguard.projects.services (or imports)."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import shapely
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from landguard.core import clock
from landguard.core.scope import RegionScope
from landguard.formats.base import LayerReadError
from landguard.formats.uploads import check_upload_size
from landguard.people import selectors as people_selectors
from landguard.people.forms import RegionChoiceField
from landguard.projects import boundaries, selectors
from landguard.projects.imports import LEDGER_COLUMNS
from landguard.projects.models import (
    CalendarDay,
    DeferredItem,
    Dispatch,
    LimitFrom,
    LimitUnitChoices,
    StepLimitUnitChoices,
    Problem,
    Project,
    ServiceRequest,
    Step,
)
from landguard.projects.services import StepSpec, hectares_from_mu
from landguard.regions import selectors as region_selectors
from landguard.regions.models import Level
from landguard.shell.listing import ScopedFilterForm

BOUNDARY_SUFFIXES = (".txt", ".zip", ".geojson", ".json", ".kml", ".kmz", ".gpkg", ".xlsx", ".csv")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        if not isinstance(field.widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.ClearableFileInput)):
            field.widget.attrs.setdefault("class", "input")


def _region_field(scope: RegionScope, *, required: bool, label: Any, help_text: Any = "") -> RegionChoiceField:
    return RegionChoiceField(
        queryset=region_selectors.regions(scope).filter(level__lte=Level.TOWNSHIP).defer("geom").order_by("code"),
                             required=required, label=label, help_text=help_text, empty_label=_("请选择行政区"))


def stored_upload(upload: Any) -> Path:
    """An uploaded file on disk under its own name (the readers pick the format by suffix)."""
    folder = Path(tempfile.mkdtemp(prefix="landguard-project-"))
    path = folder / Path(upload.name).name
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=120)
    level = forms.ChoiceField(label=_("项目级别"), choices=Project.Level.choices)
    service_group = forms.ModelChoiceField(label=_("服务组"), queryset=None, required=False,
                                           empty_label=_("（未编入服务组）"))
    service_team = forms.CharField(label=_("服务专班"), max_length=80, required=False,
                                   help_text=_("未编入服务组时填写"))
    owner = forms.CharField(label=_("建设单位"), max_length=120, required=False)
    investment_wan = forms.DecimalField(label=_("总投资（万元）"), max_digits=14, decimal_places=2, min_value=0,
                                        required=False)
    planned_start = forms.DateField(label=_("计划开工日期"), required=False, widget=DateInput())
    land_demand_mu = forms.DecimalField(label=_("用地需求（亩）"), max_digits=14, decimal_places=2, min_value=0,
                                        required=False,
                                        help_text=_("1 公顷 = 15 亩；按公顷保存（4 位小数）"))
    leader = forms.CharField(label=_("包保领导"), max_length=50, required=False)
    plan = forms.CharField(label=_("服务方案"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["service_group"].queryset = selectors.service_groups(scope)
        _style(self)

    def project_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["land_demand_ha"] = hectares_from_mu(data.pop("land_demand_mu", None))
        return {k: v for k, v in data.items() if k in ("name", "level", "service_group", "service_team", "owner",
                                                       "investment_wan", "planned_start", "land_demand_ha", "leader",
                                                       "plan")}


BOUNDARY_HELP = _("坐标交换文件（.txt）、Shapefile（.zip）、GeoJSON、KML、GeoPackage 或坐标表（.xlsx/.csv），CGCS2000")


# Longitude and latitude that can belong to China (CGCS2000 degrees): a drawn ring outside is not a boundary.
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)


class DrawnBoundaryWidget(forms.HiddenInput):
    """The drawn polygon's GeoJSON in a hidden input, with the map and the drawing toolbar around it
    (static/web/draw.js); the page supplies the map configuration."""

    template_name = "projects/_draw_widget.html"


def drawn_geometry(text: str) -> shapely.Geometry:
    """The polygon drawn on the map (GeoJSON geometry, CGCS2000 longitude/latitude), or ValidationError."""
    try:
        data = json.loads(text)
        geometry = shapely.from_geojson(json.dumps(data.get("geometry", data) if isinstance(data, dict) else data))
    except (ValueError, TypeError, shapely.errors.GEOSException):
        raise ValidationError(_("绘制的范围无法识别，请重新绘制。")) from None
    if shapely.get_type_id(geometry) not in (3, 6) or shapely.is_empty(geometry):
        raise ValidationError(_("绘制的范围必须是面（多边形），至少 3 个顶点。"))
    x0, y0, x1, y1 = shapely.bounds(geometry).tolist()
    if x0 < CHINA_BOUNDS[0] or y0 < CHINA_BOUNDS[1] or x1 > CHINA_BOUNDS[2] or y1 > CHINA_BOUNDS[3]:
        raise ValidationError(_("绘制的范围不在我国境内（应为 CGCS2000 经纬度）。"))
    return boundaries.checked_boundary(geometry)


class BoundaryUploadMixin:
    """Reads the boundary while validating — an uploaded file or a polygon drawn on the map, not both:
    self.boundary (shapely, EPSG:4490), its source kind and the reader's warnings; a file that cannot be
    read, or a drawing that is not a valid polygon, is a field error naming the problem. Both then go
    through the same boundary service (split by township, official areas)."""

    boundary: Any = None
    boundary_source = ""
    boundary_warnings: list[str] = []

    def clean_boundary_drawn(self) -> str:
        text = self.cleaned_data.get("boundary_drawn", "").strip()  # type: ignore[attr-defined]
        if text:
            self.boundary, self.boundary_source = drawn_geometry(text), Project.BoundarySource.DRAWN
        return text

    def check_one_boundary(self, *, required: bool) -> None:
        data = self.cleaned_data  # type: ignore[attr-defined]
        if data.get("boundary_file") and data.get("boundary_drawn"):
            self.add_error("boundary_drawn", _("请只选择一种方式：上传文件或在地图上绘制。"))  # type: ignore[attr-defined]
        elif required and self.boundary is None and not self.errors:  # type: ignore[attr-defined]
            self.add_error("boundary_drawn", _("请上传用地范围文件，或在地图上绘制范围。"))  # type: ignore[attr-defined]

    def clean_boundary_file(self) -> Any:
        upload = self.cleaned_data.get("boundary_file")  # type: ignore[attr-defined]
        if upload is None:
            return None
        if Path(upload.name).suffix.lower() not in BOUNDARY_SUFFIXES:
            raise ValidationError(_("不支持的文件类型，请上传：%(types)s") % {"types": "、".join(BOUNDARY_SUFFIXES)})
        try:
            check_upload_size(upload.name, size=upload.size)  # the same limit and message as every upload
        except LayerReadError as exc:
            raise ValidationError(str(exc)) from None
        path = stored_upload(upload)
        try:
            self.boundary, self.boundary_source, self.boundary_warnings = boundaries.read_boundary(path)
        finally:
            path.unlink(missing_ok=True)
            path.parent.rmdir()
        return upload


DRAW_HELP = _("点“绘制范围”后在地图上依次点击（手机上轻点）各顶点，双击或点“完成”闭合；与上传文件二选一")


class ProjectCreateForm(BoundaryUploadMixin, ProjectForm):
    region = forms.Field(required=False)  # replaced in __init__
    boundary_file = forms.FileField(label=_("用地范围文件"), required=False, help_text=BOUNDARY_HELP)
    boundary_drawn = forms.CharField(label=_("在地图上绘制"), required=False, widget=DrawnBoundaryWidget,
                                     help_text=DRAW_HELP)
    template = forms.ModelChoiceField(label=_("审批流程模板"), queryset=None, required=False, empty_label=_("默认流程"))
    start_on = forms.DateField(label=_("登记日期"), required=False, widget=DateInput(), initial=clock.today,
                               help_text=_("各环节计划自此日起排期；默认今天"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"] = _region_field(self.scope, required=False, label=_("所在行政区"),
                                              help_text=_("上传用地范围时按范围自动确定"))
        self.fields["template"].queryset = selectors.templates(self.scope)
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.check_one_boundary(required=False)
        if not self.errors and self.boundary is None and data.get("region") is None:
            self.add_error("region", _("请选择项目所在行政区，或上传用地范围。"))
        start_on = data.get("start_on")
        if start_on and start_on > clock.today() + dt.timedelta(days=366):
            self.add_error("start_on", _("登记日期不能晚于一年以后。"))
        return data

    def service_values(self) -> dict[str, Any]:
        return {**self.project_values(), "region": self.cleaned_data.get("region"), "boundary": self.boundary,
                "boundary_source": self.boundary_source, "template": self.cleaned_data.get("template"),
                "start_on": self.cleaned_data.get("start_on")}


class BoundaryForm(BoundaryUploadMixin, forms.Form):
    boundary_file = forms.FileField(label=_("用地范围文件"), required=False, help_text=BOUNDARY_HELP)
    boundary_drawn = forms.CharField(label=_("在地图上绘制"), required=False, widget=DrawnBoundaryWidget,
                                     help_text=DRAW_HELP)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.check_one_boundary(required=True)
        return data


class StepDateForm(forms.Form):
    on = forms.DateField(label=_("日期"), required=False, widget=DateInput())
    # The moment, when it was not now (a start recorded afterwards); a step limited in hours is judged by it.
    at = forms.DateTimeField(label=_("时间"), required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class StepEditForm(forms.Form):
    responsible_unit = forms.CharField(label=_("责任单位"), max_length=80, required=False)
    limit_days = forms.IntegerField(label=_("办理时限"), min_value=0, max_value=999)
    limit_unit = forms.ChoiceField(label=_("时限单位"), choices=StepLimitUnitChoices.choices)
    planned_start = forms.DateField(label=_("计划开始"), required=False, widget=DateInput())
    planned_finish = forms.DateField(label=_("计划办结"), required=False, widget=DateInput(),
                                     help_text=_("留空则按计划开始与办理时限计算"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class StepDependenciesForm(forms.Form):
    depends_on = forms.ModelMultipleChoiceField(label=_("前置环节"), queryset=None, required=False,
                                                widget=forms.CheckboxSelectMultiple,
                                                help_text=_("所选环节全部办结后本环节才能开始；不选则与其他环节并行"))

    def __init__(self, *args: Any, step: Step, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["depends_on"].queryset = step.project.steps.exclude(pk=step.pk).order_by("order")
        self.fields["depends_on"].label_from_instance = lambda s: f"{s.order}. {s.name}"


class DeferredItemForm(forms.ModelForm):
    class Meta:
        model = DeferredItem
        fields = ["material", "promised_on", "owner"]
        widgets = {"promised_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ProblemForm(forms.Form):
    project = forms.ModelChoiceField(label=_("项目"), queryset=None, required=False,
                                     empty_label=_("（不针对具体项目）"))
    category = forms.ChoiceField(label=_("问题类别"), choices=Problem.Category.choices)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}))
    division = forms.CharField(label=_("责任科室"), max_length=60)
    deadline = forms.DateField(label=_("解决时限"), widget=DateInput())

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = selectors.projects(scope).defer("boundary")
        self.fields["region"] = _region_field(scope, required=False, label=_("行政区"),
                                              help_text=_("不针对具体项目时必填"))
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("project") and not data.get("region"):
            self.add_error("region", _("请选择项目或行政区。"))
        return data


class ProblemActionForm(forms.Form):
    text = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ServiceRequestForm(forms.Form):
    enterprise = forms.CharField(label=_("企业"), max_length=120)
    contact = forms.CharField(label=_("联系人及电话"), max_length=80, required=False)
    kind = forms.ChoiceField(label=_("诉求类型"), choices=ServiceRequest.Kind.choices)
    request = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 3}))
    project = forms.ModelChoiceField(label=_("关联项目"), queryset=None, required=False, empty_label=_("（无）"))
    commissioner = forms.ModelChoiceField(label=_("土地服务专员"), queryset=None)
    received_on = forms.DateField(label=_("受理日期"), widget=DateInput())

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = selectors.projects(scope).defer("boundary")
        self.fields["commissioner"].queryset = people_selectors.users(scope).filter(is_active=True)
        self.fields["region"] = _region_field(scope, required=False, label=_("行政区"), help_text=_("无关联项目时必填"))
        self.fields["received_on"].initial = clock.today()
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("project") and not data.get("region"):
            self.add_error("region", _("请选择关联项目或行政区。"))
        return data


class VisitForm(forms.Form):
    project = forms.ModelChoiceField(label=_("重点项目"), queryset=None)
    leader = forms.CharField(label=_("走访领导"), max_length=50, help_text=_("与项目的包保领导同名时计入其走访"))
    visited_on = forms.DateField(label=_("走访日期"), widget=DateInput())
    enterprise = forms.CharField(label=_("走访企业/地点"), max_length=120, required=False,
                                 help_text=_("默认为项目的建设单位"))
    content = forms.CharField(label=_("了解的问题和诉求"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(label=_("协调解决情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = selectors.projects(scope).defer("boundary").order_by("name")
        self.fields["project"].label_from_instance = lambda p: f"{p.name}（{p.leader}）" if p.leader else p.name
        self.fields["visited_on"].initial = clock.today()
        _style(self)


class VisitFilterForm(ScopedFilterForm):
    year = forms.IntegerField(label=_("年份"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("领导、项目或企业")


class ServiceRequestResolveForm(forms.Form):
    outcome = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 3}))
    days_saved = forms.IntegerField(label=_("节省天数"), min_value=0, max_value=3650, required=False,
                                    help_text=_("与常规办理相比节省的天数"))
    steps = forms.ModelMultipleChoiceField(label=_("关联环节"), queryset=None, required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, item: ServiceRequest, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        steps = selectors.steps(scope)
        self.fields["steps"].queryset = steps.filter(project=item.project) if item.project_id else steps.none()
        self.fields["steps"].label_from_instance = lambda s: s.name
        _style(self)


class ServiceGroupForm(forms.Form):
    name = forms.CharField(label=_("服务组"), max_length=80)
    headquarters = forms.CharField(label=_("作战指挥部"), max_length=80)
    leader = forms.CharField(label=_("组长"), max_length=50, required=False)
    liaison = forms.CharField(label=_("联络员"), max_length=50, required=False)

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"] = _region_field(scope, required=True, label=_("所属行政区"))
        _style(self)


class TargetImportForm(forms.Form):
    file = forms.FileField(label=_("责任清单（.xlsx）"),
                           help_text=_("列：地区、责任领导、责任处室、用地任务件数、用地任务面积（万亩）、省重点项目件数、"
                                       "省重点项目面积（万亩）、合计件数、合计面积（万亩）；可有合计行。省、市下发的原表可直接导入"
                                       "（“宗数”“拟用地面积”“用地总量”等表头、“恩施州”等简称均可识别；合计与各项之和的差异在四舍五入"
                                       "范围内时只作提示）"))
    name = forms.CharField(label=_("名称"), max_length=120)
    period_start = forms.DateField(label=_("起始日期"), widget=DateInput())
    period_end = forms.DateField(label=_("截止日期"), widget=DateInput())
    floor_wan_mu = forms.DecimalField(label=_("保底目标（万亩）"), max_digits=10, decimal_places=4,
                                      min_value=Decimal(0), required=False)
    stretch_wan_mu = forms.DecimalField(label=_("力争目标（万亩）"), max_digits=10, decimal_places=4,
                                        min_value=Decimal(0), required=False)

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"] = _region_field(scope, required=True, label=_("下达单位所在行政区"),
                                              help_text=_("清单各行的地区须在此行政区之下"))
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        floor, stretch = data.get("floor_wan_mu"), data.get("stretch_wan_mu")
        if floor is not None and stretch is not None and stretch < floor:
            self.add_error("stretch_wan_mu", _("力争目标不能低于保底目标。"))
        return data


class LedgerImportForm(forms.Form):
    file = forms.FileField(label=_("项目台账（.xlsx）"),
                           help_text=_("第一行为表头；列名与下列字段一致时自动对应，不一致时在下方填写原表列名"))
    dry_run = forms.BooleanField(label=_("仅校验，不导入"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for column in LEDGER_COLUMNS:
            self.fields[f"map_{column.key}"] = forms.CharField(
                label=column.header + (" *" if column.required else ""), max_length=60, required=False,
                help_text=_("原表列名（留空自动识别）"))
        _style(self)

    def mapping(self) -> dict[str, str]:
        return {c.key: self.cleaned_data.get(f"map_{c.key}", "") for c in LEDGER_COLUMNS}


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=80)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, scope: RegionScope, national: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        help_text = _("留空为全国通用（仅系统管理员）") if national else ""
        self.fields["region"] = _region_field(scope, required=not national, label=_("适用行政区"), help_text=help_text)
        _style(self)


def _numbers(text: str) -> tuple[int, ...]:
    parts = [p for p in text.replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if p]
    if not all(p.isdigit() for p in parts):
        raise ValidationError(_("请填写前置环节的序号，用逗号或顿号分隔，如：1、2"))
    return tuple(sorted({int(p) for p in parts}))


class TemplateStepForm(forms.Form):
    order = forms.IntegerField(label=_("序号"), min_value=1, max_value=99)
    name = forms.CharField(label=_("环节"), max_length=60)
    responsible_unit = forms.CharField(label=_("责任单位"), max_length=80, required=False)
    limit_days = forms.IntegerField(label=_("办理时限"), min_value=0, max_value=999)
    limit_unit = forms.ChoiceField(label=_("时限单位"), choices=StepLimitUnitChoices.choices)
    limit_from = forms.ChoiceField(label=_("时限起算"), choices=LimitFrom.choices, initial=LimitFrom.START,
                                   required=False)
    min_period = forms.IntegerField(label=_("最短期限"), min_value=0, max_value=999, initial=0, required=False,
                                    help_text=_("开始办理后至少经过的天数，0 为不限"))
    min_period_unit = forms.ChoiceField(label=_("最短期限单位"), choices=LimitUnitChoices.choices,
                                        initial=LimitUnitChoices.WORKING, required=False)
    depends_on = forms.CharField(label=_("前置环节序号"), max_length=60, required=False)
    applies_when = forms.CharField(label=_("适用条件"), max_length=200, required=False,
                                   help_text=_("填写后为视情况办理的环节，不符合条件时可标记为不适用"))
    key = forms.SlugField(label=_("环节标识"), max_length=40, required=False)
    counts_for_targets = forms.BooleanField(label=_("计入任务"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
        for name in ("order", "limit_days", "min_period"):
            self.fields[name].widget.attrs["class"] = "input narrow"

    def clean_min_period(self) -> int:
        return self.cleaned_data.get("min_period") or 0

    def clean_min_period_unit(self) -> str:
        return self.cleaned_data.get("min_period_unit") or LimitUnitChoices.WORKING

    def clean_limit_from(self) -> str:
        return self.cleaned_data.get("limit_from") or LimitFrom.START

    def clean_depends_on(self) -> tuple[int, ...]:
        return _numbers(self.cleaned_data.get("depends_on", ""))

    def spec(self) -> StepSpec:
        return StepSpec(**{k: v for k, v in self.cleaned_data.items() if k != "DELETE"})


class BaseTemplateStepFormSet(forms.BaseFormSet):
    def specs(self) -> list[StepSpec]:
        """The filled rows, by number (blank extra rows and rows marked for deletion left out)."""
        rows = [f for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        return sorted((f.spec() for f in rows), key=lambda s: s.order)


TemplateStepFormSet = forms.formset_factory(TemplateStepForm, formset=BaseTemplateStepFormSet, extra=3, can_delete=True,
                                            max_num=60, validate_max=True)


def step_initial(specs: list[StepSpec]) -> list[dict[str, Any]]:
    return [{"order": s.order, "name": s.name, "responsible_unit": s.responsible_unit, "limit_days": s.limit_days,
             "limit_unit": s.limit_unit, "depends_on": "、".join(map(str, s.depends_on)),
             "counts_for_targets": s.counts_for_targets, "key": s.key, "min_period": s.min_period,
             "min_period_unit": s.min_period_unit, "limit_from": s.limit_from, "applies_when": s.applies_when}
            for s in specs]


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name", "note"]
        widgets = {"date": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


# --- list filters --------------------------------------------------------------------------------------


class ProjectFilterForm(ScopedFilterForm):
    level = forms.ChoiceField(label=_("项目级别"), required=False,
                              choices=[("", _("全部级别")), *Project.Level.choices])
    headquarters = forms.ChoiceField(label=_("作战指挥部"), required=False)
    service_group = forms.ModelChoiceField(label=_("服务组"), queryset=None, required=False,
                                           empty_label=_("全部服务组"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = selectors.service_groups(self.scope)
        self.fields["service_group"].queryset = groups
        names = sorted(set(groups.values_list("headquarters", flat=True)))
        self.fields["headquarters"].choices = [("", _("全部指挥部")), *[(n, n) for n in names]]
        self.fields["q"].widget.attrs["placeholder"] = _("项目名称或建设单位")


class ProblemFilterForm(ScopedFilterForm):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *Problem.Status.choices])
    category = forms.ChoiceField(label=_("问题类别"), required=False,
                                 choices=[("", _("全部类别")), *Problem.Category.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("问题描述、项目或责任科室")


class RequestFilterForm(ScopedFilterForm):
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部状态")), *ServiceRequest.Status.choices])
    kind = forms.ChoiceField(label=_("诉求类型"), required=False,
                             choices=[("", _("全部类型")), *ServiceRequest.Kind.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("企业或诉求内容")


class PlainFilterForm(ScopedFilterForm):
    """Text search only: for lists that do not belong to a township (calendar, target lists, groups)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("township", None)
        self.fields["q"].widget.attrs["placeholder"] = _("名称")


class DayFilterForm(PlainFilterForm):
    day = forms.DateField(label=_("日期"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("q")


class MonthFilterForm(PlainFilterForm):
    month = forms.DateField(label=_("月份"), required=False, input_formats=["%Y-%m"],
                            widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}))
    since = forms.IntegerField(label=_("累计起始年份"), required=False, min_value=2000, max_value=2100,
                               help_text=_("累计办结环节与流动红旗自该年 1 月 1 日起统计"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("q")


class RedFlagForm(forms.Form):
    month = forms.DateField(label=_("月份"), input_formats=["%Y-%m"],
                            widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class DispatchFilterForm(PlainFilterForm):
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *Dispatch.Kind.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("q")


class YearFilterForm(PlainFilterForm):
    year = forms.IntegerField(label=_("年份"), required=False, min_value=2000, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("q")
