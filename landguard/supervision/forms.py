"""Forms of the supervision pages. They validate input only; every write goes through the services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from landguard.core import clock
from landguard.core.datetimes import StorableDateTimeField
from landguard.formats.uploads import ENCODING_CHOICES
from landguard.regions.models import Level
from landguard.regions import selectors as region_selectors
from landguard.supervision.models import (
    JUDGEMENT_REASONS, Camera, Case, CasePause, Channel, ClockStart, Clue, Judgement, Patch, Severity, SourceKind,
    Task,
)
from landguard.shell.listing import ScopedFilterForm

COORD_HELP = _("CGCS2000 经纬度（与 WGS84 相差厘米级），如 115.4450")


class ClueFilterForm(ScopedFilterForm):
    kind = forms.ChoiceField(label=_("来源"), required=False, choices=[("", _("全部来源")), *SourceKind.choices])
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *Clue.Status.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("标题或坐落")


class TaskFilterForm(ScopedFilterForm):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *Task.Status.choices])
    outcome = forms.ChoiceField(label=_("核查结论"), required=False,
                                choices=[("", _("全部结论")), *Task.Outcome.choices])


class CaseFilterForm(ScopedFilterForm):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *Case.Status.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("立案号或当事人")


class CameraFilterForm(ScopedFilterForm):
    device_type = forms.TypedChoiceField(label=_("设备类型"), required=False, coerce=int, empty_value=None,
                                         choices=[("", _("全部类型")), *Camera.DeviceType.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("编号或名称")


class PatchFilterForm(ScopedFilterForm):
    judgement = forms.ChoiceField(label=_("判定"), required=False,
                                  choices=[("", _("全部")), ("none", _("未判定")), *Judgement.choices])
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    batch = forms.IntegerField(required=False, widget=forms.HiddenInput)  # the import job's link to its batch

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("图斑编号")


class PlainFilterForm(ScopedFilterForm):
    """Lists without own filters (delivery log): the township picker only."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("q")


class ClueEntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("来源"),
        choices=[(SourceKind.REPORT, SourceKind.REPORT.label), (SourceKind.HOTLINE, SourceKind.HOTLINE.label),
                                                      (SourceKind.PATROL, SourceKind.PATROL.label)])
    title = forms.CharField(label=_("标题"), max_length=200)
    description = forms.CharField(label=_("情况描述"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                  max_length=2000)
    lon = forms.FloatField(label=_("经度"), min_value=73, max_value=136, help_text=COORD_HELP)
    lat = forms.FloatField(label=_("纬度"), min_value=3, max_value=54)
    reporter_name = forms.CharField(label=_("举报人"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("举报人电话"), max_length=20, required=False)


class PublicReportForm(forms.Form):
    title = forms.CharField(label=_("反映事项"), max_length=100)
    description = forms.CharField(label=_("情况描述"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    lon = forms.FloatField(label=_("经度"), min_value=73, max_value=136, help_text=_("可在手机上点击“使用当前位置”"))
    lat = forms.FloatField(label=_("纬度"), min_value=3, max_value=54)
    reporter_name = forms.CharField(label=_("您的称呼（选填）"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("联系电话（选填）"), max_length=20, required=False)
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # left empty by people, filled by form robots


class TriageForm(forms.Form):
    decision = forms.ChoiceField(label=_("研判结论"),
                                 choices=[("prejudge", _("初判疑似违法，报所长决定")),
                                          ("valid", _("有效，派发核查")), ("false_alarm", _("误报"))],
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label=_("研判意见"), max_length=300, required=False,
                             help_text=_("误报须写明原因，如“农机正常耕作”“大棚维修”"))


class OpenCaseForm(forms.Form):
    number = forms.CharField(label=_("立案号"), max_length=60)
    party = forms.CharField(label=_("当事人"), max_length=100)
    illegal_area_m2 = forms.FloatField(label=_("违法占地面积（平方米）"), min_value=0, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class CaseStepForm(forms.Form):
    to = forms.ChoiceField(label=_("办理至"), choices=Case.Status.choices)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    review_opinion = forms.CharField(label=_("法制审核意见"), max_length=300, required=False)
    hearing_requested = forms.BooleanField(label=_("当事人申请听证"), required=False)
    confiscated_m2 = forms.FloatField(label=_("没收建筑物（平方米）"), min_value=0, required=False)
    demolished_m2 = forms.FloatField(label=_("拆除建筑物（平方米）"), min_value=0, required=False)
    fine_yuan = forms.DecimalField(label=_("罚款（元）"), min_value=0, max_digits=14, decimal_places=2, required=False)
    confiscated_income_yuan = forms.DecimalField(label=_("没收违法所得（元）"), min_value=0, max_digits=14,
                                                 decimal_places=2, required=False)
    restored_m2 = forms.FloatField(label=_("复耕面积（平方米）"), min_value=0, required=False)
    referrals = forms.IntegerField(label=_("移送纪检监察（人）"), min_value=0, required=False)
    referrals_done = forms.IntegerField(label=_("移送已落实（人）"), min_value=0, required=False)
    referral_note = forms.CharField(label=_("移送情况"), max_length=300, required=False)


class CasePauseForm(forms.Form):
    kind = forms.ChoiceField(label=_("不计入期间"), choices=CasePause.Kind.choices)
    reason = forms.CharField(label=_("中止理由"), max_length=300)


class CaseSketchForm(forms.Form):
    geojson = forms.CharField(label=_("占地范围（GeoJSON 面，CGCS2000 经纬度）"),
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("现场勾绘的违法占地范围；保存后按地类图斑计算其中耕地（扣除田坎）"))


class CaseResumeForm(forms.Form):
    note = forms.CharField(label=_("恢复说明"), max_length=300, required=False)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("核查结论"), choices=Task.Outcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("说明"), max_length=300, required=False,
                             help_text=_("合法须写明依据（如批准文号），误报须写明原因"))
    illegal_area_m2 = forms.FloatField(label=_("违法占地面积（平方米）"), min_value=0, required=False)
    stopped = forms.BooleanField(label=_("已当场制止"), required=False)


class QueuedForm(forms.Form):
    """What every field action may carry from the phone's queue (field.js): the idempotency key the phone made
    when the action was taken, and the phone's clock at that moment (FieldSubmission)."""

    key = forms.CharField(max_length=64, required=False)
    device_at = StorableDateTimeField(required=False)


class CheckInForm(forms.Form):
    lon = forms.FloatField(min_value=73, max_value=136)
    lat = forms.FloatField(min_value=3, max_value=54)
    accuracy = forms.FloatField(min_value=0, required=False)


class PhotoStartForm(forms.Form):
    kind = forms.ChoiceField(choices=[("site", "site"), ("before", "before"), ("after", "after")])
    name = forms.CharField(max_length=200, required=False)
    sha256 = forms.CharField(min_length=64, max_length=64)
    size = forms.IntegerField(min_value=1)
    taken_at = StorableDateTimeField()  # an offset PostgreSQL cannot store is a 400, not a 500
    lon = forms.FloatField(min_value=73, max_value=136, required=False)
    lat = forms.FloatField(min_value=3, max_value=54, required=False)


class JudgeForm(forms.Form):
    judgement = forms.ChoiceField(label=_("判定"), choices=Judgement.choices)
    judgement_reason = forms.ChoiceField(label=_("判定依据"),
                                         choices=[(str(Judgement(j).label), [(k, v) for k, v in reasons]) for j,
                                                  reasons in JUDGEMENT_REASONS.items()])
    rectification = forms.ChoiceField(label=_("整改状态"), choices=[("", "—"), *Patch.Rectification.choices],
                                      required=False)
    rectification_kind = forms.ChoiceField(label=_("整改方式"), choices=[("", "—"), *Patch.RectificationKind.choices],
                                           required=False)
    evidence = forms.CharField(label=_("举证材料说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                               max_length=2000)


class PatchImportForm(forms.Form):
    file = forms.FileField(label=_("图斑文件"),
        help_text=_("压缩的 Shapefile（.zip）、GeoPackage 或 GeoJSON；字段 JCBH、TBLX、QSX、HSX、DLBM、SFYN、SFHX、MJ。"
                                                          "提交后在后台导入，可在任务页查看进度和导入报告"))
    name = forms.CharField(label=_("批次名称"), max_length=100, help_text=_("如“2025年5月卫片图斑”"))
    month = forms.DateField(label=_("月份"), widget=forms.DateInput(attrs={"type": "month"}),
                            input_formats=["%Y-%m", "%Y-%m-%d"])
    county = forms.ModelChoiceField(label=_("所属县（区）"), queryset=None, to_field_name="code", empty_label=None)
    encoding = forms.ChoiceField(label=_("属性文本编码"), required=False, choices=ENCODING_CHOICES)

    def __init__(self, *args: Any, scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = region_selectors.regions(scope).filter(level=Level.COUNTY)
        self.fields["month"].initial = clock.today().strftime("%Y-%m")


class ProvinceBatchForm(forms.Form):
    """The year whose 卫片 patches the province batch classifies, among the years the scope has patches of."""

    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=(),
        help_text=_("数据范围内每个县（区）的该年度卫片图斑，按各县现行地类图斑、永久基本农田和已批用地图层重新分类，"
                    "各县并行计算；提交后在任务页查看进度和分县结果。图斑原有的导入分析结果不变"))

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["year"]).choices = [(y, str(y)) for y in years]


# --- settings pages (admins) ---------------------------------------------------------------------------------


def _regions_field(scope, *, label, help_text: str = "") -> forms.ModelChoiceField:
    """The county or a township inside the admin's scope: where a channel or a deadline rule applies."""
    field = forms.ModelChoiceField(label=label,
        queryset=region_selectors.regions(scope).filter(level__in=(Level.COUNTY, Level.TOWNSHIP))
                                   .order_by("code"), to_field_name="code", empty_label=None, help_text=help_text)
    field.label_from_instance = lambda r: f"{r.code} {r.name}"
    return field


class CameraForm(forms.Form):
    source = forms.ModelChoiceField(label=_("接入源"), queryset=None, empty_label=None)
    code = forms.CharField(label=_("设备编号"), max_length=60, help_text=_("与视频平台告警报文中的 camera_id 一致"))
    name = forms.CharField(label=_("名称"), max_length=100)
    device_type = forms.TypedChoiceField(label=_("设备类型"), coerce=int, choices=Camera.DeviceType.choices,
                                         initial=Camera.DeviceType.TOWER)
    lon = forms.FloatField(label=_("经度"), min_value=73, max_value=136,
                           help_text=_("在地图上点击选取，或直接填写") + "；" + str(COORD_HELP))
    lat = forms.FloatField(label=_("纬度"), min_value=3, max_value=54)
    height_m = forms.FloatField(label=_("架设高度（米）"), min_value=1, max_value=500)
    radius_m = forms.FloatField(label=_("监控半径（米）"), min_value=50, max_value=20_000,
                                help_text=_("保存后按此半径重新计算覆盖范围"))
    scan_cycle_minutes = forms.IntegerField(label=_("巡航周期（分钟）"), min_value=1, max_value=24 * 60, required=False,
                                            help_text=_("云台按预置位巡航一周、回到同一地块所需的时间；固定朝向的枪机不填"))
    is_active = forms.BooleanField(label=_("在线"), required=False, initial=True)

    def __init__(self, *args: Any, scope, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from landguard.supervision import selectors

        if editing:  # a camera stays with the platform that reports its alarms
            del self.fields["source"]
        else:
            self.fields["source"].queryset = selectors.sources(scope)


class SourceForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100, help_text=_("如“××县铁塔视频监控平台”"))
    county = forms.ModelChoiceField(label=_("所属县（区）"), queryset=None, to_field_name="code", empty_label=None)

    def __init__(self, *args: Any, scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = region_selectors.regions(scope).filter(level=Level.COUNTY)


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Channel.Kind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    url = forms.URLField(label=_("接口地址"), max_length=500, assume_scheme="https",
                         help_text=_("企业微信：https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…；钉钉：https://oapi.dingtalk.com/robot/send?access_token=…"))
    secret = forms.CharField(label=_("签名密钥或令牌"), max_length=200, required=False,
                             widget=forms.PasswordInput(render_value=False),
                             help_text=_("钉钉“加签”密钥；短信网关的 Bearer 令牌。修改时留空则保留原值"))
    clear_secret = forms.BooleanField(label=_("清除已保存的密钥"), required=False)
    phones = forms.CharField(label=_("手机号"), max_length=500, required=False,
                             help_text=_("短信接收人或群内 @ 的手机号，逗号分隔"))
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args: Any, scope, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"] = _regions_field(scope, label=_("适用区划"), help_text=_("该区划内的任务推送到此渠道"))
        if not editing:
            del self.fields["clear_secret"]

    def secret_value(self) -> str | None:
        """The secret to store: the one typed, "" when cleared, None to keep the stored one."""
        if self.cleaned_data.get("clear_secret"):
            return ""
        return self.cleaned_data["secret"] or None


class PolicyForm(forms.Form):
    kind = forms.ChoiceField(label=_("线索来源"), choices=[("", _("全部来源")), *SourceKind.choices], required=False)
    severity = forms.ChoiceField(label=_("严重程度"), choices=[("", _("全部")), *Severity.choices], required=False)
    report_minutes = forms.IntegerField(label=_("上报时限（分钟）"), min_value=1, max_value=7 * 24 * 60, initial=60)
    onsite_minutes = forms.IntegerField(label=_("到场制止时限（分钟）"), min_value=1, max_value=7 * 24 * 60, initial=60,
                                        help_text=_("自签收上报起算"))
    restore_minutes = forms.IntegerField(label=_("恢复原状时限（分钟）"), min_value=1, max_value=90 * 24 * 60,
                                         initial=24 * 60)
    clock_start = forms.ChoiceField(label=_("计时起点"), choices=ClockStart.choices, initial=ClockStart.DISPATCH,
                                    required=False,
                                    help_text=_("自发现（告警）时起算时，研判用时计入时限，研判过晚的任务派发时即已超时"))

    def __init__(self, *args: Any, scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"] = _regions_field(scope, label=_("适用区划"), help_text=_("乡镇的规则优先于县的规则"))
        self.order_fields(["region"])


class OfficialFarmlandForm(forms.Form):
    """The official 新增建设用地占用耕地 of a region and year (年度变更调查), in 亩 as the survey reports it."""

    region = forms.ChoiceField(label=_("区域"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    farmland_mu = forms.FloatField(label=_("新增建设用地占用耕地（亩）"), min_value=0)
    source = forms.CharField(label=_("数据来源"), max_length=200, help_text=_("如“2024 年度国土变更调查成果”"))

    def __init__(self, *args, regions: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = list(regions.items())
