"""Citizen matters (便民服务): one spine — `Matter` — for every kind of request a citizen or enterprise brings (today:
不动产登记 applications; consultations, 12345 orders and 信访 cases join it as kinds), with its applicant, region,
received / accepted / limit / target / closed times on the working-day calendar and an append-only status history.

People are `Person` rows keyed by the keyed HMAC of their ID number (landguard.citizens.idnumbers): the number is
kept only as AES-GCM ciphertext and shown masked. Every document fetched for a matter from a data-sharing provider is
a `DataRequest` (provider, purpose, subject, operator, consent, status, the comparison result and a keyed hash of
the answer) — never the raw personal record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Person(models.Model):
    """A citizen, found by the keyed HMAC of their ID number; the number itself only encrypted."""

    id_lookup = models.CharField(_("身份证号检索码"), max_length=64, unique=True)
    id_cipher = models.TextField(_("身份证号密文"))
    id_masked = models.CharField(_("身份证号"), max_length=18, db_index=True)
    name = models.CharField(_("姓名"), max_length=50)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("办事人")
        verbose_name_plural = _("办事人")
        permissions = [("view_full_id", _("查看完整身份证号"))]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）"


class Matter(models.Model):
    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("不动产登记")
        WORK_ORDER = "work_order", _("12345工单")
        PETITION = "petition", _("信访事项")
        CONSULTATION = "consultation", _("咨询")
        HOMESTEAD = "homestead", _("宅基地申请")

    class Channel(models.TextChoices):
        WINDOW = "window", _("窗口")
        ONLINE = "online", _("网上申请")
        PHONE = "phone", _("电话")
        HOTLINE = "hotline", _("12345热线")
        MESSAGE = "message", _("留言")
        VISIT = "visit", _("来访")
        LETTER = "letter", _("书信")
        FAX = "fax", _("传真")

    class Status(models.TextChoices):
        RECEIVED = "received", _("已接件")
        NOTIFIED = "notified", _("已一次性告知")
        ACCEPTED = "accepted", _("已受理")
        ANSWERED = "answered", _("已答复待回访")
        RETURNED = "returned", _("已退回")
        REFUSED = "refused", _("不予办理")
        WITHDRAWN = "withdrawn", _("已撤回")
        DONE = "done", _("已办结")

    kind = models.CharField(_("事项类型"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, default=Channel.WINDOW)
    applicant = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="matters",
                                  verbose_name=_("申请人"))
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("办理行政区"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    title = models.CharField(_("事项"), max_length=200)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.RECEIVED,
                              db_index=True)
    received_at = models.DateTimeField(_("接件时间"), default=timezone.now)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    limit_on = models.DateField(_("法定办结期限"), null=True, blank=True)
    target_on = models.DateField(_("承诺办结日期"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("经办人"))
    note = models.TextField(_("备注"), blank=True)
    # The enterprise request a land service commissioner handled this registration under (shell.service_links).
    service_request = models.ForeignKey("projects.ServiceRequest", models.PROTECT, null=True, blank=True,
                                        related_name="matters", verbose_name=_("土地服务专员诉求"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("便民服务事项")
        verbose_name_plural = _("便民服务事项")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.NOTIFIED, self.Status.ACCEPTED,
                               self.Status.ANSWERED)


class MatterStatusChange(models.Model):
    """Append-only: one row per status change of a matter (its timeline)."""

    matter = models.ForeignKey(Matter, models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=12, choices=Matter.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Matter.Status.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")

    def __str__(self) -> str:
        return f"{self.matter}: {self.get_to_status_display()}"


class Registration(models.Model):
    """The 不动产登记 part of a matter (登记类型 per 实施细则 国土资源部令第63号, domain-land.md §C.1)."""

    class RegKind(models.TextChoices):
        FIRST = "first", _("首次登记")
        TRANSFER = "transfer", _("转移登记")
        CHANGE = "change", _("变更登记")
        MORTGAGE = "mortgage", _("抵押登记")
        CANCEL = "cancel", _("注销登记")
        CORRECTION = "correction", _("更正登记")
        OBJECTION = "objection", _("异议登记")
        ADVANCE = "advance", _("预告登记")
        SEIZURE = "seizure", _("查封登记")

    class TransferKind(models.TextChoices):
        NEW_HOME = "new_home", _("新建商品房")
        RESALE = "resale", _("二手房")

    matter = models.OneToOneField(Matter, models.CASCADE, primary_key=True, related_name="registration")
    reg_kind = models.CharField(_("登记类型"), max_length=12, choices=RegKind.choices)
    transfer_kind = models.CharField(_("转移类型"), max_length=10, choices=TransferKind.choices, blank=True)
    unit_no = models.CharField(_("不动产单元号"), max_length=28, db_index=True)
    contract_no = models.CharField(_("网签合同编号"), max_length=40, blank=True)
    documents_brought = models.JSONField(_("申请人提交的材料"), default=list, blank=True)
    notice = models.JSONField(_("一次性告知的材料"), default=list, blank=True)
    unit_warnings = models.JSONField(_("单元号提示"), default=list, blank=True)

    class Meta:
        verbose_name = _("不动产登记申请")
        verbose_name_plural = _("不动产登记申请")

    def __str__(self) -> str:
        return str(self.matter)


class Party(models.Model):
    class Role(models.TextChoices):
        HOLDER = "holder", _("权利人")
        OBLIGOR = "obligor", _("义务人")

    matter = models.ForeignKey(Matter, models.CASCADE, related_name="parties", verbose_name=_("事项"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="parties", verbose_name=_("当事人"))
    role = models.CharField(_("当事人类型"), max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["matter", "role", "id"]
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        constraints = [models.UniqueConstraint(fields=["matter", "person", "role"], name="citizens_party_unique")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.person}"


class DataRequest(models.Model):
    """One look-up of a shared-data provider for a matter (一证办证): who asked, why, about whom, with which consent,
    and what came back — the comparison result and a keyed hash of the answer, never the answer itself."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待申请")
        REQUESTED = "requested", _("已申请")
        ANSWERED = "answered", _("已反馈")
        FAILED = "failed", _("失败")

    matter = models.ForeignKey(Matter, models.CASCADE, related_name="data_requests", verbose_name=_("事项"))
    document = models.CharField(_("材料"), max_length=20)
    provider = models.CharField(_("提供方"), max_length=40)
    purpose = models.CharField(_("用途"), max_length=200)
    subject = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("查询对象"))
    reference = models.CharField(_("查询依据"), max_length=60, blank=True, help_text=_("合同编号或不动产单元号"))
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("经办人"))
    consent = models.BooleanField(_("已取得授权"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    ticket = models.CharField(_("受理编号"), max_length=120, blank=True)
    matched = models.BooleanField(_("比对结果"), null=True, blank=True)
    result = models.JSONField(_("比对结论"), default=dict, blank=True)
    result_hash = models.CharField(_("反馈摘要"), max_length=64, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    next_poll_at = models.DateTimeField(_("下次轮询"), null=True, blank=True, db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["matter", "requested_at", "id"]
        verbose_name = _("共享数据查询")
        verbose_name_plural = _("共享数据查询")

    def __str__(self) -> str:
        return f"{self.document_label}（{self.get_status_display()}）"

    @property
    def provider_label(self) -> str:
        """The provider as people call it: the demo, or the interface's host."""
        if self.provider == "demo":
            return str(_("演示提供方"))
        return str(_("共享接口 %(host)s") % {"host": self.provider.split(":", 1)[-1]})

    @property
    def document_label(self) -> str:
        from landguard.citizens.documents import document_label
        return document_label(self.document)


class Topic(models.TextChoices):
    """What citizens ask the registration centre about (冠县's 法治工作室 list): shared by consultations and 12345."""

    INHERITANCE = "inheritance", _("继承")
    GIFT = "gift", _("赠与")
    SEIZURE = "seizure", _("查封")
    DIVORCE = "divorce", _("离婚财产分配")
    HOMESTEAD = "homestead", _("宅基地")
    ENTERPRISE = "enterprise", _("企业名下房屋登记")
    OTHER = "other", _("其他")


class WorkOrder(models.Model):
    """A 12345 hotline work order (domain-land.md §C.3): 签收 within hours, 办结 within working days (both per city,
    tunables), a 主办 unit and 协办 units, 退回 only on request and never for a designated unit, a mandatory 回访 whose
    不满意 sends it back for 再办, and one 督办 when it runs late (the claim-once sweep)."""

    Topic = Topic

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    matter = models.OneToOneField(Matter, models.CASCADE, primary_key=True, related_name="work_order")
    order_no = models.CharField(_("工单编号"), max_length=40, unique=True)
    topic = models.CharField(_("主题"), max_length=12, choices=Topic.choices)
    lead_unit = models.ForeignKey("people.OrgUnit", models.PROTECT, related_name="+", verbose_name=_("主办单位"))
    assist_units = models.ManyToManyField("people.OrgUnit", blank=True, related_name="+", verbose_name=_("协办单位"))
    designated = models.BooleanField(_("争议后指定办理"), default=False)
    sign_by = models.DateTimeField(_("签收时限"))
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    answer = models.TextField(_("答复内容"), blank=True)
    visits = models.JSONField(_("回访记录"), default=list, blank=True)
    redo_count = models.PositiveSmallIntegerField(_("再办次数"), default=0)
    supervised_at = models.DateTimeField(_("督办时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("12345工单")
        verbose_name_plural = _("12345工单")

    def __str__(self) -> str:
        return f"{self.order_no} {self.matter}"


class Petition(models.Model):
    """A 信访 case (信访工作条例 2022, domain-land.md §C.4) on the matter spine: its class, the stage it is in and that
    stage's own deadline (受理告知 15 日, 办理 60 日 + ≤ 30 日 with an approved extension, 复查 and 复核 each requested
    within 30 日 of the answer before and decided within 30 日, 复核's 听证 days not counted), the 处理意见, 领导包案,
    积案 marking by the three classes, 息访 status, and the earlier case it repeats (复核 closes a case: the same facts
    are then not accepted again)."""

    class PClass(models.TextChoices):
        SUGGESTION = "suggestion", _("建议意见类")
        ACCUSATION = "accusation", _("检举控告类")
        CLAIM = "claim", _("申诉求决类")

    class Stage(models.TextChoices):
        REGISTERED = "registered", _("登记")
        HANDLING = "handling", _("办理")
        ANSWERED = "answered", _("已出具处理意见")
        REVIEW = "review", _("复查")
        REVIEWED = "reviewed", _("已复查")
        RECHECK = "recheck", _("复核")
        CLOSED = "closed", _("终结")
        NOT_ACCEPTED = "not_accepted", _("不予受理")

    class Opinion(models.TextChoices):
        SUPPORT = "support", _("支持")
        EXPLAIN = "explain", _("解释说明")
        REJECT = "reject", _("不予支持")

    class Backlog(models.TextChoices):
        NONE = "", _("非积案")
        LONG_RUNNING = "long_running", _("疑难复杂、久拖未决或复查复核后仍未息访")
        ESCALATING = "escalating", _("有进京赴省苗头")
        REPEATED = "repeated", _("敏感时期重复访、缠访")

    class Settlement(models.TextChoices):
        OPEN = "open", _("未息访")
        SIGNED = "signed", _("已签息访单")
        DE_FACTO = "de_facto", _("事实息访")

    matter = models.OneToOneField(Matter, models.CASCADE, primary_key=True, related_name="petition")
    petition_no = models.CharField(_("信访件编号"), max_length=40, unique=True)
    pclass = models.CharField(_("信访类别"), max_length=12, choices=PClass.choices)
    stage = models.CharField(_("办理阶段"), max_length=12, choices=Stage.choices, default=Stage.REGISTERED,
                             db_index=True)
    due_on = models.DateField(_("本阶段期限"), null=True, blank=True)
    parcel_ref = models.CharField(_("涉及地块"), max_length=40, blank=True, db_index=True,
                                  help_text=_("不动产单元号、宗地号或图斑编号，用于关联重复信访"))
    extended = models.BooleanField(_("已延期"), default=False)
    extension_reason = models.CharField(_("延期理由"), max_length=200, blank=True)
    extension_approved_by = models.CharField(_("延期批准人"), max_length=50, blank=True)
    opinion = models.CharField(_("处理意见"), max_length=8, choices=Opinion.choices, blank=True)
    answer = models.TextField(_("处理意见书内容"), blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    hearing_days = models.PositiveSmallIntegerField(_("听证天数"), default=0, help_text=_("复核听证时间不计入期限"))
    lead_leader = models.CharField(_("包案领导"), max_length=50, blank=True)
    backlog = models.CharField(_("积案类别"), max_length=14, choices=Backlog.choices, blank=True, default="")
    settlement = models.CharField(_("息访情况"), max_length=10, choices=Settlement.choices, default=Settlement.OPEN)
    repeats = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="repeated_by",
                                verbose_name=_("重复信访的原件"))

    class Meta:
        verbose_name = _("信访件")
        verbose_name_plural = _("信访件")

    def __str__(self) -> str:
        return f"{self.petition_no} {self.matter}"


class Consultation(models.Model):
    """A question answered by the registration centre's 法治工作室 (staff or a lawyer), on any channel, with where it
    was sent on (registration, notarisation, 信访) — so "2,000+ consultations on 继承, 赠与 …" is a count."""

    class AnsweredBy(models.TextChoices):
        STAFF = "staff", _("工作人员")
        LAWYER = "lawyer", _("律师")

    class Referral(models.TextChoices):
        NONE = "", _("当场答复")
        REGISTRATION = "registration", _("转登记受理")
        NOTARY = "notary", _("转公证")
        PETITION = "petition", _("转信访")

    matter = models.OneToOneField(Matter, models.CASCADE, primary_key=True, related_name="consultation")
    topic = models.CharField(_("主题"), max_length=12, choices=Topic.choices)
    answered_by = models.CharField(_("答复人类别"), max_length=8, choices=AnsweredBy.choices)
    answerer = models.CharField(_("答复人"), max_length=50)
    answer = models.TextField(_("答复内容"))
    referral = models.CharField(_("转办"), max_length=12, choices=Referral.choices, blank=True, default="")
    minutes = models.PositiveSmallIntegerField(_("时长（分钟）"), null=True, blank=True)

    class Meta:
        verbose_name = _("咨询记录")
        verbose_name_plural = _("咨询记录")

    def __str__(self) -> str:
        return f"{self.get_topic_display()}：{self.matter}"


class HomesteadRight(models.Model):
    """宅基地资格权 (domain-land.md §C.5): the ID number is its only number (济阳), so one right per person — found by
    the number's keyed hash, the number itself only encrypted (Person). Its area is the 资格权面积 "法定数字化"; it is
    used by an approved homestead application, or withdrawn or transferred for payment."""

    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        USED = "used", _("已使用")
        WITHDRAWN = "withdrawn", _("已退出")
        TRANSFERRED = "transferred", _("已有偿转让")

    person = models.OneToOneField(Person, models.PROTECT, related_name="homestead_right", verbose_name=_("资格权人"))
    collective = models.CharField(_("集体经济组织"), max_length=80)
    household = models.CharField(_("户"), max_length=60, help_text=_("户主姓名或户号"))
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("所在村"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    recognised_on = models.DateField(_("认定日期"))
    area_m2 = models.DecimalField(_("资格权面积（平方米）"), max_digits=8, decimal_places=2)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.VALID, db_index=True)
    unit_no = models.CharField(_("不动产单元号"), max_length=28, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["region_code", "household"]
        verbose_name = _("宅基地资格权")
        verbose_name_plural = _("宅基地资格权")

    def __str__(self) -> str:
        return f"{self.person}（{self.collective}·{self.household}）"


class HomesteadApplication(models.Model):
    """A household's 宅基地 application on the matter spine (实施条例 第34条): to the collective, discussed and publicly
    noticed, then approved by the township; 一户一宅 and the provincial area cap checked; the 农用地 involved goes
    through 农用地转用 (土地管理法 第44条) in the approvals app."""

    class Stage(models.TextChoices):
        APPLIED = "applied", _("已申请")
        NOTICED = "noticed", _("公示中")
        APPROVED = "approved", _("乡镇已批准")
        REFUSED = "refused", _("不予批准")

    class LandType(models.TextChoices):
        CULTIVATED = "cultivated", _("占用耕地")
        OTHER = "other", _("其他土地")
        MOUNTAIN = "mountain", _("山区利用荒地")

    matter = models.OneToOneField(Matter, models.CASCADE, primary_key=True, related_name="homestead")
    right = models.ForeignKey(HomesteadRight, models.PROTECT, related_name="applications",
                              verbose_name=_("宅基地资格权"))
    stage = models.CharField(_("办理阶段"), max_length=10, choices=Stage.choices, default=Stage.APPLIED)
    land_type = models.CharField(_("用地类型"), max_length=10, choices=LandType.choices)
    area_m2 = models.DecimalField(_("申请面积（平方米）"), max_digits=8, decimal_places=2)
    location = models.CharField(_("拟建位置"), max_length=120)
    discussed_on = models.DateField(_("集体讨论日期"), null=True, blank=True)
    notice_from = models.DateField(_("公示开始"), null=True, blank=True)
    notice_until = models.DateField(_("公示结束"), null=True, blank=True)
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    decision = models.TextField(_("审批意见"), blank=True)
    # 占用农用地 goes through 农用地转用 first (土地管理法 第44条): the approvals app's dossier that converted it.
    conversion = models.ForeignKey("approvals.Dossier", models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("农用地转用报批卷宗"))

    class Meta:
        verbose_name = _("宅基地申请")
        verbose_name_plural = _("宅基地申请")

    def __str__(self) -> str:
        return f"{self.right.household}：{self.location}"
