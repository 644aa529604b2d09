"""Forms of the citizen-matter pages. ID numbers are typed into password-free text inputs with autocomplete off and
never echoed back in an error message."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from landguard.approvals import selectors as approval_selectors
from landguard.approvals.models import Dossier
from landguard.citizens.documents import DOCUMENTS
from landguard.core import clock
from landguard.citizens.models import (
    Consultation,
    HomesteadApplication,
    HomesteadRight,
    Matter,
    Petition,
    Registration,
    Topic,
    WorkOrder,
)
from landguard.people import selectors as people_selectors
from landguard.projects import selectors as project_selectors
from landguard.regions import selectors as region_selectors
from landguard.regions.models import Level
from landguard.shell.listing import ScopedFilterForm
from landguard.shell.regions import directory

_ID_ATTRS = {"autocomplete": "off", "inputmode": "text", "maxlength": "18", "spellcheck": "false"}


def _regions(form: forms.Form, scope: Any, **level: Any) -> None:
    """The form's `region` picker: the scope's current regions at these levels, by code, shown by name."""
    field: Any = form.fields["region"]  # a ModelChoiceField, its label hook replaced per form
    field.queryset = region_selectors.regions(scope).filter(retired_in__isnull=True, **level).defer("geom").order_by(
        "code")
    field.label_from_instance = lambda r: r.name


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
    service_request: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("土地服务专员诉求"), queryset=None, required=False, help_text=_("企业经土地服务专员申请登记时选择"))
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, scope: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = directory().townships(scope)
        self.fields["region"].queryset = regions
        self.fields["region"].label_from_instance = lambda r: r.name
        self.fields["service_request"].queryset = project_selectors.service_requests(scope).order_by("-received_on")

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
                "documents_brought": d.get("documents_brought") or [], "note": d.get("note") or "",
                "service_request": d.get("service_request")}


class ConsentForm(forms.Form):
    consent = forms.BooleanField(label=_("申请人已书面授权查询其共享数据"), required=True)


class EmptyForm(forms.Form):
    pass


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class WorkOrderFilterForm(ScopedFilterForm):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *Matter.Status.choices])
    topic = forms.ChoiceField(label=_("主题"), required=False, choices=[("", _("全部主题")), *Topic.choices])
    supervised = forms.BooleanField(label=_("仅看督办"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("工单编号或事项")


class WorkOrderForm(forms.Form):
    order_no = forms.CharField(label=_("工单编号"), max_length=40)
    topic = forms.ChoiceField(label=_("主题"), choices=Topic.choices)
    summary = forms.CharField(label=_("诉求摘要"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
    region: forms.ModelChoiceField = forms.ModelChoiceField(label=_("办理行政区"), queryset=None, to_field_name="code")
    lead_unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("主办单位"), queryset=None)
    assist_units: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("协办单位"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 3}))
    designated = forms.BooleanField(label=_("争议后指定办理"), required=False,
                                    help_text=_("指定办理的工单，承办单位不得退回"))
    petition_no = forms.CharField(label=_("已进入信访程序的编号"), max_length=40, required=False,
                                  help_text=_("填写后工单记为不予办理（热线条例：已进入信访程序的事项不予受理）"))

    def __init__(self, *args: Any, scope: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _regions(self, scope, level__lte=Level.TOWNSHIP)
        units = people_selectors.org_units(scope).order_by("name")
        self.fields["lead_unit"].queryset = units
        self.fields["assist_units"].queryset = units

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lead = data.get("lead_unit")
        if lead is not None and lead in (data.get("assist_units") or []):
            self.add_error("assist_units", _("主办单位不能同时作为协办单位。"))
        return data


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 3}))


class CallbackForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("回访满意度"), choices=WorkOrder.Satisfaction.choices,
                                     widget=forms.RadioSelect)
    note = forms.CharField(label=_("回访说明"), max_length=200, required=False)


class PetitionFilterForm(ScopedFilterForm):
    stage = forms.ChoiceField(label=_("办理阶段"), required=False,
                              choices=[("", _("全部阶段")), *Petition.Stage.choices])
    pclass = forms.ChoiceField(label=_("信访类别"), required=False,
                               choices=[("", _("全部类别")), *Petition.PClass.choices])
    backlog = forms.BooleanField(label=_("仅看积案"), required=False)
    overdue = forms.BooleanField(label=_("仅看超期"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("编号、事项、地块或脱敏身份证号")


PETITION_CHANNELS = [(c.value, c.label) for c in (Matter.Channel.VISIT, Matter.Channel.LETTER, Matter.Channel.PHONE,
                                                  Matter.Channel.ONLINE, Matter.Channel.FAX)]


class PetitionForm(forms.Form):
    petition_no = forms.CharField(label=_("信访件编号"), max_length=40)
    pclass = forms.ChoiceField(label=_("信访类别"), choices=Petition.PClass.choices, initial=Petition.PClass.CLAIM)
    channel = forms.ChoiceField(label=_("信访形式"), choices=PETITION_CHANNELS)
    summary = forms.CharField(label=_("信访事项摘要"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
    region: forms.ModelChoiceField = forms.ModelChoiceField(label=_("办理行政区"), queryset=None, to_field_name="code")
    received_on = forms.DateField(label=_("登记日期"), widget=forms.DateInput(attrs={"type": "date"}))
    petitioner_id = forms.CharField(label=_("信访人身份证号"), max_length=24, required=False,
                                    widget=IdNumberInput(_ID_ATTRS), help_text=_("用于关联同一信访人的重复信访"))
    petitioner_name = forms.CharField(label=_("信访人姓名"), max_length=50, required=False)
    parcel_ref = forms.CharField(label=_("涉及地块"), max_length=40, required=False,
                                 help_text=_("不动产单元号、宗地号或图斑编号，用于关联重复信访"))
    repeats: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("重复信访的原件"), queryset=None, required=False,
        help_text=_("同一事实和理由的原件已复核终结的，本件记为不予受理"))

    def __init__(self, *args: Any, scope: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _regions(self, scope, level__lte=Level.TOWNSHIP)
        self.fields["repeats"].queryset = Petition.objects.filter(
            matter__in=Matter.objects.filter(scope.q("region_code"), kind=Matter.Kind.PETITION)).order_by(
            "-petition_no")
        self.fields["received_on"].initial = clock.today()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("petitioner_id") and not data.get("petitioner_name"):
            self.add_error("petitioner_name", _("填写身份证号时须同时填写姓名。"))
        return data


class PetitionAcceptForm(forms.Form):
    on = forms.DateField(label=_("受理日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class PetitionExtendForm(forms.Form):
    reason = forms.CharField(label=_("延期理由"), max_length=200)
    approved_by = forms.CharField(label=_("批准人"), max_length=50)


class PetitionReplyForm(forms.Form):
    opinion = forms.ChoiceField(label=_("处理意见"), choices=Petition.Opinion.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("意见书内容"), widget=forms.Textarea(attrs={"rows": 3}))


class PetitionReviewForm(forms.Form):
    hearing_days = forms.IntegerField(label=_("听证天数"), min_value=0, max_value=365, required=False,
                                      help_text=_("复核组织听证的，听证时间不计入复核期限"))


class PetitionBacklogForm(forms.Form):
    backlog = forms.ChoiceField(label=_("积案类别"), choices=Petition.Backlog.choices, required=False)
    lead_leader = forms.CharField(label=_("包案领导"), max_length=50, required=False)


class PetitionSettlementForm(forms.Form):
    settlement = forms.ChoiceField(label=_("息访情况"), choices=Petition.Settlement.choices, widget=forms.RadioSelect)


class BoardForm(forms.Form):
    start = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ConsultationFilterForm(ScopedFilterForm):
    topic = forms.ChoiceField(label=_("主题"), required=False, choices=[("", _("全部主题")), *Topic.choices])
    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=[("", _("全部渠道")), *Matter.Channel.choices])
    referral = forms.ChoiceField(label=_("转办"), required=False,
                                 choices=[("", _("全部")), *[c for c in Consultation.Referral.choices if c[0]]])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("咨询问题或答复人")


class ConsultationForm(forms.Form):
    region: forms.ModelChoiceField = forms.ModelChoiceField(label=_("办理行政区"), queryset=None, to_field_name="code")
    channel = forms.ChoiceField(label=_("渠道"), choices=Matter.Channel.choices, initial=Matter.Channel.WINDOW)
    topic = forms.ChoiceField(label=_("主题"), choices=Topic.choices)
    question = forms.CharField(label=_("咨询问题"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
    answered_by = forms.ChoiceField(label=_("答复人类别"), choices=Consultation.AnsweredBy.choices)
    answerer = forms.CharField(label=_("答复人"), max_length=50)
    answer = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 3}))
    referral = forms.ChoiceField(label=_("转办"), choices=Consultation.Referral.choices, required=False)
    minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=0, max_value=600, required=False)

    def __init__(self, *args: Any, scope: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _regions(self, scope, level__lte=Level.TOWNSHIP)


class HomesteadRightFilterForm(ScopedFilterForm):
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部状态")), *HomesteadRight.Status.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("集体经济组织、户、姓名或脱敏身份证号")


class HomesteadRightForm(forms.Form):
    region: forms.ModelChoiceField = forms.ModelChoiceField(label=_("所在村"), queryset=None, to_field_name="code")
    id_number = forms.CharField(label=_("资格权人身份证号"), max_length=24, widget=IdNumberInput(_ID_ATTRS),
                                help_text=_("身份证号即资格权编号；只保存检索码和密文，页面脱敏显示"))
    name = forms.CharField(label=_("资格权人姓名"), max_length=50)
    collective = forms.CharField(label=_("集体经济组织"), max_length=80)
    household = forms.CharField(label=_("户"), max_length=60, help_text=_("户主姓名或户号"))
    recognised_on = forms.DateField(label=_("认定日期"), widget=forms.DateInput(attrs={"type": "date"}))
    area_m2 = forms.DecimalField(label=_("资格权面积（平方米）"), min_value=0, max_digits=8, decimal_places=2)
    unit_no = forms.CharField(label=_("不动产单元号"), max_length=28, required=False)

    def __init__(self, *args: Any, scope: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _regions(self, scope, level=Level.VILLAGE)
        self.fields["recognised_on"].initial = clock.today()


class HomesteadFilterForm(ScopedFilterForm):
    stage = forms.ChoiceField(label=_("办理阶段"), required=False,
                              choices=[("", _("全部阶段")), *HomesteadApplication.Stage.choices])


class HomesteadApplicationForm(forms.Form):
    right: forms.ModelChoiceField = forms.ModelChoiceField(label=_("宅基地资格权"), queryset=None)
    land_type = forms.ChoiceField(label=_("用地类型"), choices=HomesteadApplication.LandType.choices)
    area_m2 = forms.DecimalField(label=_("申请面积（平方米）"), min_value=0, max_digits=8, decimal_places=2)
    location = forms.CharField(label=_("拟建位置"), max_length=120)

    def __init__(self, *args: Any, scope: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["right"].queryset = HomesteadRight.objects.filter(
            scope.q("region_code"), status=HomesteadRight.Status.VALID).select_related("person").order_by("household")


class HomesteadDiscussForm(forms.Form):
    discussed_on = forms.DateField(label=_("集体讨论日期"), widget=forms.DateInput(attrs={"type": "date"}))


class HomesteadDecideForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("审批结论"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                     choices=[("yes", _("批准")), ("no", _("不予批准"))])
    decision = forms.CharField(label=_("审批意见"), widget=forms.Textarea(attrs={"rows": 2}))


class SubjectForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=24, widget=IdNumberInput(_ID_ATTRS),
                                help_text=_("导出此人在您数据范围内的全部事项；查询记入操作记录"))


class HomesteadConversionForm(forms.Form):
    dossier: forms.ModelChoiceField = forms.ModelChoiceField(label=_("农用地转用报批卷宗"), queryset=None)

    def __init__(self, *args: Any, scope: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # scoped for the page's choices; a posted id outside the scope is refused by the service
        dossiers = approval_selectors.dossiers(scope) if scope is not None else Dossier.objects.all()
        self.fields["dossier"].queryset = dossiers.filter(status=Dossier.Status.APPROVED).order_by("-approved_on")
