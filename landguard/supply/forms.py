"""Supply forms: recording a supply (the parcel drawn or uploaded as a dossier's boundary is, projects' one rule),
its payments and milestones, the 两清 items' cause/disposal and procedure steps, and the list filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from landguard.core import clock
from landguard.core.scope import RegionScope
from landguard.people import selectors as people_selectors
from landguard.projects import selectors as project_selectors
from landguard.projects.forms import BOUNDARY_HELP, DRAW_HELP, BoundaryUploadMixin, DateInput, DrawnBoundaryWidget
from landguard.shell.listing import ScopedFilterForm
from landguard.supply.models import Cause, Disposal, ItemKind, LandUse, SubCause, SupplyRecord, TwoClearItem


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        if not isinstance(field.widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.ClearableFileInput)):
            field.widget.attrs.setdefault("class", "input")


def _years() -> list[tuple[int, int]]:
    this = clock.today().year
    return [(y, y) for y in range(this, this - 10, -1)]


class SupplyFilterForm(ScopedFilterForm):
    kind = forms.ChoiceField(label=_("供地方式"), required=False,
                             choices=[("", _("全部方式")), *SupplyRecord.Kind.choices])
    use = forms.ChoiceField(label=_("土地用途"), required=False, choices=[("", _("全部用途")), *LandUse.choices])
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部状态")), *SupplyRecord.Status.choices])
    year = forms.TypedChoiceField(label=_("供地年度"), required=False, coerce=int, empty_value=None,
                                  choices=[("", _("全部年度"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("全部年度")), *_years()]
        self.fields["q"].widget.attrs["placeholder"] = _("宗地号、电子监管号、合同号或用地单位")


class ItemFilterForm(ScopedFilterForm):
    kind = forms.ChoiceField(label=_("事项类型"), required=False, choices=[("", _("全部类型")), *ItemKind.choices])
    cause = forms.ChoiceField(label=_("原因类别"), required=False, choices=[("", _("全部原因")), *Cause.choices])
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("未办结")), ("all", _("全部")), *TwoClearItem.Status.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("宗地号或用地单位")


def parse_plan(text: str) -> list[tuple[dt.date, Decimal]]:
    """“2024-03-20 500” per line (date, 万元); ValidationError naming the line."""
    plan = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.replace("，", " ").replace(",", " ").strip()
        if not line:
            continue
        parts = line.split()
        try:
            plan.append((dt.date.fromisoformat(parts[0]), Decimal(parts[1])))
        except (IndexError, ValueError, InvalidOperation):
            raise ValidationError(_("第 %(n)s 行“%(line)s”应为“应缴日期 金额”，如 2024-03-20 500") % {
                "n": number, "line": line}) from None
    return plan


class SupplyCreateForm(BoundaryUploadMixin, forms.Form):
    parcel_no = forms.CharField(label=_("宗地号"), max_length=40)
    supervision_no = forms.CharField(label=_("电子监管号"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("供地方式"), choices=SupplyRecord.Kind.choices)
    method = forms.ChoiceField(label=_("出让方式"), required=False,
                               choices=[("", _("（划拨不填）")), *SupplyRecord.Method.choices])
    ground = forms.ChoiceField(label=_("划拨依据（土地管理法第五十四条）"), required=False,
                               choices=[("", _("（出让不填）")), *SupplyRecord.Ground.choices])
    use = forms.ChoiceField(label=_("土地用途"), choices=LandUse.choices)
    term_years = forms.IntegerField(label=_("出让年限"), required=False, min_value=1, max_value=70)
    contract_no = forms.CharField(label=_("出让合同号/划拨决定书号"), max_length=60)
    land_user = forms.CharField(label=_("用地单位"), max_length=120)
    location = forms.CharField(label=_("土地坐落"), max_length=120, required=False)
    project = forms.ModelChoiceField(label=_("关联项目"), queryset=None, required=False)
    service_request = forms.ModelChoiceField(label=_("土地服务专员诉求"), queryset=None, required=False)
    price_wan_yuan = forms.DecimalField(label=_("成交价（万元）"), min_value=0, max_digits=14, decimal_places=2,
                                        required=False)
    signed_on = forms.DateField(label=_("合同签订/决定日期"), widget=DateInput())
    agreed_delivery_on = forms.DateField(label=_("约定交地日期"), required=False, widget=DateInput())
    agreed_start_on = forms.DateField(label=_("约定开工日期"), required=False, widget=DateInput())
    agreed_completion_on = forms.DateField(label=_("约定竣工日期"), required=False, widget=DateInput())
    plan = forms.CharField(label=_("分期缴款计划"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("每行“应缴日期 金额（万元）”；不填则按合同签订后60日内一次缴清"))
    boundary_file = forms.FileField(label=_("宗地范围文件"), required=False, help_text=BOUNDARY_HELP)
    boundary_drawn = forms.CharField(label=_("在地图上绘制"), required=False, widget=DrawnBoundaryWidget,
                                     help_text=DRAW_HELP)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = project_selectors.projects(scope).defer("boundary").order_by("name")
        self.fields["service_request"].queryset = project_selectors.service_requests(scope).order_by("-received_on")
        self.fields["signed_on"].initial = clock.today()
        _style(self)

    def clean_plan(self) -> list[tuple[dt.date, Decimal]]:
        return parse_plan(self.cleaned_data.get("plan", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_one_boundary(required=True)
        return data

    def service_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"kind": d["kind"], "method": d["method"], "ground": d["ground"], "use": d["use"],
                "term_years": d["term_years"], "parcel_no": d["parcel_no"], "supervision_no": d["supervision_no"],
                "contract_no": d["contract_no"], "land_user": d["land_user"], "location": d["location"],
                "project": d["project"], "service_request": d["service_request"],
                "price_wan_yuan": d["price_wan_yuan"] or Decimal(0), "signed_on": d["signed_on"],
                "agreed_delivery_on": d["agreed_delivery_on"], "agreed_start_on": d["agreed_start_on"],
                "agreed_completion_on": d["agreed_completion_on"], "instalments": d["plan"] or None,
                "boundary": self.boundary, "note": d["note"]}


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("缴款日期"), widget=DateInput())
    amount_wan_yuan = forms.DecimalField(label=_("缴款金额（万元）"), max_digits=14, decimal_places=2, min_value=0.01)
    receipt_no = forms.CharField(label=_("票据号"), max_length=60, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class MilestoneForm(forms.Form):
    action = forms.ChoiceField(label=_("事项"), choices=[("deliver", _("实际交地")), ("start", _("实际开工")),
                                                       ("complete", _("实际竣工")), ("recover", _("收回土地"))])
    on = forms.DateField(label=_("日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ItemStepForm(forms.Form):
    action = forms.ChoiceField(label=_("办理步骤"), choices=[
        ("notice", _("送达调查通知书")), ("statement", _("收到陈述说明")), ("determine", _("作出认定书")),
        ("decide", _("作出处置决定书")), ("close", _("办结"))])
    on = forms.DateField(label=_("日期"), widget=DateInput())
    document_no = forms.CharField(label=_("文书编号"), max_length=60, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ItemForm(forms.Form):
    cause = forms.ChoiceField(label=_("原因类别"), choices=Cause.choices)
    sub_cause = forms.ChoiceField(label=_("具体原因"), choices=SubCause.choices)
    disposal = forms.ChoiceField(label=_("处置方式"), required=False, choices=[("", "—"), *Disposal.choices])
    owner_user = forms.ModelChoiceField(label=_("责任人"), queryset=None, required=False)
    proposed_fee_wan_yuan = forms.DecimalField(label=_("拟征闲置费（万元）"), required=False, min_value=0,
                                               max_digits=14, decimal_places=2)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = people_selectors.users(scope).filter(is_active=True).order_by("username")
        _style(self)
