"""Forms of the 成片开发方案 pages: creating one from a drawn or uploaded 片区 boundary (the projects' boundary
reading), its figures, its yearly implementation plan (a formset), and the status actions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from landguard.approvals.models import DevelopmentPlan, DevelopmentPlanYear
from landguard.core import clock
from landguard.core.scope import RegionScope
from landguard.projects import selectors as project_selectors
from landguard.projects.forms import BOUNDARY_HELP, DRAW_HELP, BoundaryUploadMixin, DateInput, DrawnBoundaryWidget
from landguard.shell.listing import ScopedFilterForm


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if not isinstance(field.widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.ClearableFileInput)):
            field.widget.attrs.setdefault("class", "input")


def _year_choices() -> list[tuple[int, int]]:
    this = clock.today().year
    return [(y, y) for y in range(this + 1, this - 8, -1)]


FIGURES = ["plan_no", "published_total_ha", *DevelopmentPlan.PUBLIC_FIELDS, "expropriation_ha",
           *DevelopmentPlan.USE_FIELDS, "planned_project_count", "consent_body", "consent_yes", "consent_total",
           "note"]


class PlanFilterForm(ScopedFilterForm):
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部状态")), *DevelopmentPlan.Status.choices])
    year = forms.TypedChoiceField(label=_("方案年度"), required=False, coerce=int, empty_value=None,
                                  choices=[("", _("全部年度"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["year"]).choices = [("", _("全部年度")), *_year_choices()]
        self.fields["q"].widget.attrs["placeholder"] = _("名称、编号或文号")


class PlanForm(forms.ModelForm):
    """The figures of a plan being drafted, as the 方案 prints them (公顷, 4 dp); the 片区 total is the engine's."""

    projects: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("片区内项目"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 4}))

    class Meta:
        model = DevelopmentPlan
        fields = ["name", "year", *FIGURES]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"] = forms.TypedChoiceField(label=_("方案年度"), coerce=int, choices=_year_choices(),
                                                     initial=self.instance.year or None)
        for name in (*DevelopmentPlan.PUBLIC_FIELDS, *DevelopmentPlan.USE_FIELDS, "published_total_ha",
                     "expropriation_ha"):
            self.fields[name].validators.append(MinValueValidator(Decimal(0)))
            self.fields[name].widget.attrs.update({"min": "0", "step": "0.0001", "inputmode": "decimal"})
        projects = project_selectors.projects(scope).defer("boundary").order_by("name")
        cast(forms.ModelMultipleChoiceField, self.fields["projects"]).queryset = projects
        if self.instance.pk:
            self.fields["projects"].initial = list(self.instance.projects.all())
        _style(self)

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"projects": list(data["projects"]), "name": data["name"], "year": data["year"],
                **{name: data[name] for name in FIGURES}}


class PlanCreateForm(BoundaryUploadMixin, PlanForm):
    boundary_file = forms.FileField(label=_("片区范围文件"), required=False, help_text=BOUNDARY_HELP)
    boundary_drawn = forms.CharField(label=_("在地图上绘制"), required=False, widget=DrawnBoundaryWidget,
                                     help_text=DRAW_HELP)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_one_boundary(required=True)
        return data

    def service_values(self) -> dict[str, Any]:
        return {**super().service_values(), "boundary": self.boundary, "source": self.boundary_source}


class YearForm(forms.ModelForm):
    class Meta:
        model = DevelopmentPlanYear
        fields = ["year", "planned_ha", "planned_projects", "actual_ha", "actual_projects"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:  # an empty extra row stays unchanged (the model's 0 defaults are not typed)
            for name in ("planned_ha", "planned_projects"):
                self.initial.pop(name, None)
                self.fields[name].initial = None
        year = cast(forms.IntegerField, self.fields["year"])
        year.min_value, year.max_value = 2000, 2100
        for name in ("planned_ha", "actual_ha"):
            self.fields[name].validators.append(MinValueValidator(Decimal(0)))
        _style(self)


class BaseYearFormSet(forms.BaseModelFormSet):
    def rows(self) -> list[tuple[int, Decimal, int, Decimal | None, int | None]]:
        out = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or data.get("year") is None:
                continue
            out.append((data["year"], data.get("planned_ha") or Decimal(0), data.get("planned_projects") or 0,
                        data.get("actual_ha"), data.get("actual_projects")))
        return out


YearFormSet = forms.modelformset_factory(DevelopmentPlanYear, form=YearForm, formset=BaseYearFormSet, extra=3,
                                         can_delete=True)


class PlanSubmitForm(forms.Form):
    on = forms.DateField(label=_("报批日期"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class PlanApproveForm(forms.Form):
    approval_no = forms.CharField(label=_("批复文号"), max_length=60)
    approved_on = forms.DateField(label=_("批复日期"), widget=DateInput())
    approved_by = forms.CharField(label=_("批准机关"), max_length=60, required=False,
                                  help_text=_("省级人民政府或国务院"))
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class PlanRefuseForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("原因"), max_length=300)


for _form in (PlanSubmitForm, PlanApproveForm, PlanRefuseForm):
    for _field in _form.base_fields.values():
        _field.widget.attrs.setdefault("class", "input")
