"""Dossier forms: creating one from a drawn or uploaded boundary (the projects' boundary reading, one rule), its
figures, its quota lines, and the status actions (上报, 批复, 退回, 撤回, 不予批准)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from landguard.approvals import parts as package
from landguard.approvals.models import Dossier
from landguard.approvals.quota_groups import DOSSIER_KINDS, kind_choices
from landguard.approvals.spatial import CollectiveLand
from landguard.core import clock
from landguard.core.scope import RegionScope
from landguard.projects import selectors as project_selectors
from landguard.projects.forms import BOUNDARY_HELP, DRAW_HELP, BoundaryUploadMixin, DateInput, DrawnBoundaryWidget
from landguard.shell.listing import ScopedFilterForm


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        if not isinstance(field.widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.ClearableFileInput)):
            field.widget.attrs.setdefault("class", "input")


def _ha(m2: float) -> Decimal:
    return round(Decimal(m2) / 10_000, 4)


def _year_choices() -> list[tuple[int, int]]:
    this = clock.today().year
    return [(y, y) for y in range(this + 1, this - 8, -1)]


class DossierFilterForm(ScopedFilterForm):
    kind = forms.ChoiceField(label=_("报批类型"), required=False, choices=[("", _("全部类型")), *Dossier.Kind.choices])
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *Dossier.Status.choices])
    year = forms.TypedChoiceField(label=_("报批年度"), required=False, coerce=int, empty_value=None,
                                  choices=[("", _("全部年度"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("全部年度")), *_year_choices()]
        self.fields["q"].widget.attrs["placeholder"] = _("名称或文号")


class DossierCreateForm(BoundaryUploadMixin, forms.Form):
    name = forms.CharField(label=_("批次/项目名称"), max_length=120)
    kind = forms.ChoiceField(label=_("报批类型"), choices=Dossier.Kind.choices)
    year = forms.TypedChoiceField(label=_("报批年度"), coerce=int)
    projects = forms.ModelMultipleChoiceField(label=_("服务的重点项目"), queryset=None, required=False,
                                              widget=forms.SelectMultiple(attrs={"size": 4}))
    boundary_file = forms.FileField(label=_("用地范围文件"), required=False, help_text=BOUNDARY_HELP)
    boundary_drawn = forms.CharField(label=_("在地图上绘制"), required=False, widget=DrawnBoundaryWidget,
                                     help_text=DRAW_HELP)

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["year"].choices = _year_choices()
        self.fields["year"].initial = clock.today().year
        self.fields["projects"].queryset = project_selectors.projects(scope).defer("boundary").order_by("name")
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.check_one_boundary(required=True)
        return data

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"name": data["name"], "kind": data["kind"], "year": data["year"], "boundary": self.boundary,
                "source": self.boundary_source, "projects": list(data["projects"])}


class DossierForm(forms.ModelForm):
    """The figures of a dossier being assembled; the areas are the engine's and are not edited here."""

    expropriation_ha = forms.DecimalField(label=_("征收面积（公顷）"), min_value=0, max_digits=12, decimal_places=4,
                                          required=False)
    expropriation_farmland_ha = forms.DecimalField(label=_("其中征收耕地（公顷）"), min_value=0, max_digits=12,
                                                   decimal_places=4, required=False)
    parts_done = forms.MultipleChoiceField(label=_("已编制的报批材料"), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    projects = forms.ModelMultipleChoiceField(label=_("服务的重点项目"), queryset=None, required=False,
                                              widget=forms.SelectMultiple(attrs={"size": 4}))

    class Meta:
        model = Dossier
        fields = ["name", "kind", "pre_review_no", "national_key_project", "supplement_source", "replenish_area_mu",
                  "replenish_grade", "replenish_in_database", "compensation_wan_yuan", "households", "service_request",
                  "note"]

    def __init__(self, *args: Any, scope: RegionScope, collective: CollectiveLand | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dossier: Dossier = self.instance
        self.fields["parts_done"].choices = [(p.key, p.label) for p in package.package_parts(dossier.region_code)]
        self.fields["parts_done"].initial = dossier.parts_done
        self.fields["expropriation_ha"].initial = _ha(dossier.expropriation_m2)
        self.fields["expropriation_farmland_ha"].initial = _ha(dossier.expropriation_farmland_m2)
        self.prefilled = False
        if collective is not None:
            self._prefill(dossier, collective)
        self.fields["projects"].queryset = project_selectors.projects(scope).defer("boundary").order_by("name")
        self.fields["projects"].initial = list(dossier.projects.all())
        self.fields["service_request"].queryset = project_selectors.service_requests(scope).order_by("-received_on")
        _style(self)

    def _prefill(self, dossier: Dossier, collective: CollectiveLand) -> None:
        """The 征收 areas start from the engine's collective land while none has been entered; each field says
        where its figure came from."""
        self.prefilled = not dossier.expropriation_m2 and not dossier.expropriation_farmland_m2
        if self.prefilled:
            self.fields["expropriation_ha"].initial = _ha(collective.area_m2)
            if collective.farmland_m2 is not None:
                self.fields["expropriation_farmland_ha"].initial = _ha(collective.farmland_m2)
        source = _("按 %(basis)s 的权属性质（QSXZ 30–34、40 为集体）测算") % {"basis": collective.basis or "—"}
        state = _("已预填，可修改") if self.prefilled else _("可与已填写的数值对照")
        self.fields["expropriation_ha"].help_text = _("集体土地 %(ha)s 公顷，%(source)s；%(state)s") % {
            "ha": _ha(collective.area_m2), "source": source, "state": state}
        if collective.farmland_m2 is not None:
            self.fields["expropriation_farmland_ha"].help_text = _("集体耕地 %(ha)s 公顷，%(source)s；%(state)s") % {
                "ha": _ha(collective.farmland_m2), "source": source, "state": state}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        total = data.get("expropriation_ha") or Decimal(0)
        farmland = data.get("expropriation_farmland_ha") or Decimal(0)
        if farmland > total:
            self.add_error("expropriation_farmland_ha", _("征收耕地面积不能大于征收面积。"))
        return data

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data[name] for name in self.Meta.fields}
        values["expropriation_m2"] = float(data.get("expropriation_ha") or 0) * 10_000
        values["expropriation_farmland_m2"] = float(data.get("expropriation_farmland_ha") or 0) * 10_000
        values["parts_done"] = list(data["parts_done"])
        return {"projects": list(data["projects"]), **values}


class QuotaLinesForm(forms.Form):
    """One amount per quota kind the dossier may use (亩, or 公斤 for 粮食产能), for the dossier's year."""

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        current = {line.kind: line.amount for line in dossier.quotas.all()}
        for kind, label in kind_choices(DOSSIER_KINDS):
            self.fields[kind] = forms.DecimalField(label=label, required=False, min_value=0, max_digits=14,
                                                   decimal_places=4, initial=current.get(kind))
        _style(self)

    def lines(self) -> list[tuple[str, int, Decimal]]:
        return [(kind, self.dossier.year, value) for kind, value in self.cleaned_data.items() if value]


class SubmitForm(forms.Form):
    on = forms.DateField(label=_("上报日期"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class ApproveForm(forms.Form):
    approval_no = forms.CharField(label=_("批复文号"), max_length=60, help_text=_("如：鲁政土字〔2021〕123号"))
    approved_on = forms.DateField(label=_("批复日期"), widget=DateInput())
    approved_by = forms.CharField(label=_("批准机关"), max_length=60, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class ReasonForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("原因"), max_length=300)


for _form in (SubmitForm, ApproveForm, ReasonForm):
    for _field in _form.base_fields.values():
        _field.widget.attrs.setdefault("class", "input")
