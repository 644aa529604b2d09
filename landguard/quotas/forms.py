"""Forms of the quota ledgers: the list filters and the manager forms (allocate, transfer, correct). Region
choices come from the regions selector with the user's scope; the views hand cleaned_data to services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from landguard.core import clock
from landguard.core.scope import RegionScope
from landguard.people.forms import RegionChoiceField
from landguard.quotas.models import Action, Kind, Source
from landguard.regions import selectors as region_selectors
from landguard.regions.models import Level, Region
from landguard.shell.listing import ScopedFilterForm

AMOUNT: dict[str, Any] = {"max_digits": 14, "decimal_places": 4, "min_value": 0}


class DateInput(forms.DateInput):
    input_type = "date"


def ledger_regions(scope: RegionScope) -> QuerySet[Region]:
    """The regions a ledger may be kept for inside the scope: current, county level or above."""
    return region_selectors.regions(scope).filter(level__lte=Level.COUNTY).defer("geom").order_by("code")


def _regions(form: forms.Form, name: str, scope: RegionScope) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = ledger_regions(scope)


class LedgerFilterForm(ScopedFilterForm):
    """Ledgers are kept at county level: the township picker of the base form has nothing to filter."""

    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("指标类型"), required=False, choices=[("", _("全部类型")), *Kind.choices])

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, scope=scope, **kwargs)
        self.fields.pop("township", None)
        self.fields["q"].widget.attrs["placeholder"] = _("行政区名称或代码")


class EntryFilterForm(LedgerFilterForm):
    action = forms.ChoiceField(label=_("业务类型"), required=False, choices=[("", _("全部业务")), *Action.choices])
    account = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        super().__init__(*args, scope=scope, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("文号、批次或行政区")


class AllocateForm(forms.Form):
    region = RegionChoiceField(label=_("行政区"), queryset=Region.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("指标类型"), choices=Kind.choices)
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices)
    amount = forms.DecimalField(label=_("指标数量"), help_text=_("亩；粮食产能为公斤"), **AMOUNT)
    document_no = forms.CharField(label=_("下达文号或项目编号"), max_length=120)
    effective_on = forms.DateField(label=_("下达日期"), widget=DateInput())
    expires_on = forms.DateField(label=_("有效期至"), required=False, widget=DateInput(),
                                 help_text=_("结转指标必填；周转指标为归还期限，不填则按下达日期后 3 年"))
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": clock.today().year, "effective_on": clock.today()})
        super().__init__(*args, **kwargs)
        _regions(self, "region", scope)


class TransferForm(forms.Form):
    source_region = RegionChoiceField(label=_("调出行政区"), queryset=Region.objects.none())
    target_region = RegionChoiceField(label=_("调入行政区"), queryset=Region.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("指标类型"), choices=Kind.choices)
    amount = forms.DecimalField(label=_("指标数量"), **AMOUNT)
    price_wan_yuan_per_mu = forms.DecimalField(label=_("调剂价格（万元/亩）"), required=False, max_digits=10,
                                               decimal_places=2, min_value=0)
    document_no = forms.CharField(label=_("调剂文号"), max_length=120)
    effective_on = forms.DateField(label=_("调剂日期"), widget=DateInput())

    def __init__(self, *args: Any, scope: RegionScope, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": clock.today().year, "effective_on": clock.today()})
        super().__init__(*args, **kwargs)
        _regions(self, "source_region", scope)
        _regions(self, "target_region", scope)


class CorrectForm(forms.Form):
    amount = forms.DecimalField(label=_("更正后的数量"), help_text=_("该分录应有的数量（不是差额）"), **AMOUNT)
    reason = forms.CharField(label=_("更正原因"), max_length=300)
