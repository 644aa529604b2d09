"""Forms of the citizen-matter pages. ID numbers are typed into password-free text inputs with autocomplete off and
never echoed back in an error message."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from landguard.citizens.documents import DOCUMENTS
from landguard.citizens.models import Matter, Registration
from landguard.shell.listing import ScopedFilterForm
from landguard.shell.regions import directory

_ID_ATTRS = {"autocomplete": "off", "inputmode": "text", "maxlength": "18", "spellcheck": "false"}


class IdNumberInput(forms.TextInput):
    """An ID number field that is never written back into a page (a form shown again with errors starts it empty),
    so the number does not end up in an HTML response, a browser cache or a screenshot."""

    def format_value(self, value: Any) -> str | None:
        return None


class RegistrationFilterForm(ScopedFilterForm):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *Matter.Status.choices])
    reg_kind = forms.ChoiceField(label=_("登记类型"), required=False,
                                 choices=[("", _("全部类型")), *Registration.RegKind.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("事项、单元号或脱敏身份证号")


class RegistrationForm(forms.Form):
    region: forms.ModelChoiceField = forms.ModelChoiceField(label=_("办理行政区"), queryset=None, to_field_name="code")
    reg_kind = forms.ChoiceField(label=_("登记类型"), choices=Registration.RegKind.choices,
                                 initial=Registration.RegKind.TRANSFER)
    transfer_kind = forms.ChoiceField(label=_("转移类型"), required=False,
                                      choices=[("", "—"), *Registration.TransferKind.choices])
    unit_no = forms.CharField(label=_("不动产单元号"), max_length=40,
                              help_text=_("28位：6位区划+6位地籍区/子区+7位宗地号+9位定着物号"))
    contract_no = forms.CharField(label=_("网签合同编号"), max_length=40, required=False)
    holder_id = forms.CharField(label=_("权利人（买方）身份证号"), max_length=24, widget=IdNumberInput(_ID_ATTRS))
    holder_name = forms.CharField(label=_("权利人姓名"), max_length=50)
    obligor_id = forms.CharField(label=_("义务人（卖方）身份证号"), max_length=24, required=False,
                                 widget=IdNumberInput(_ID_ATTRS))
    obligor_name = forms.CharField(label=_("义务人姓名"), max_length=50, required=False)
    channel = forms.ChoiceField(label=_("渠道"), choices=Matter.Channel.choices, initial=Matter.Channel.WINDOW)
    documents_brought = forms.MultipleChoiceField(
        label=_("申请人已提交的材料"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(k, v[0]) for k, v in DOCUMENTS.items()],
        help_text=_("一证办证：未勾选的材料通过共享接口查询，无需申请人提供"))
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, scope: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = directory().townships(scope)
        self.fields["region"].queryset = regions
        self.fields["region"].label_from_instance = lambda r: r.name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("obligor_id")) != bool(data.get("obligor_name")):
            self.add_error("obligor_name", _("义务人身份证号与姓名须同时填写。"))
        return data

    def service_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        obligors = [(d["obligor_id"], d["obligor_name"])] if d.get("obligor_id") else []
        return {"region": d["region"], "reg_kind": d["reg_kind"], "transfer_kind": d.get("transfer_kind") or "",
                "unit_no": d["unit_no"], "contract_no": d.get("contract_no") or "",
                "holders": [(d["holder_id"], d["holder_name"])], "obligors": obligors, "channel": d["channel"],
                "documents_brought": d.get("documents_brought") or [], "note": d.get("note") or ""}


class ConsentForm(forms.Form):
    consent = forms.BooleanField(label=_("申请人已书面授权查询其共享数据"), required=True)


class EmptyForm(forms.Form):
    pass


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
