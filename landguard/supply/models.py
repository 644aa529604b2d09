"""Land supply (供地台账, domain-land.md §B): a supply record (出让 or 划拨) with its parcel cut from approved dossiers
(one SupplyPiece per dossier, each with its official ellipsoidal area), contract dates and their actuals, the
instalment plan and the payments (append-only), the dates the sweep watches (SupplyWatch, claimed once) and the items
it raises on the 两清 board (TwoClearItem) with their procedure history.

Amounts are in 万元 as the bureaus write them; areas in m² (core.geodesy), shown in 公顷 and 亩."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from landguard.core.geodesy import mu
from landguard.core.history import StatusChange


class LandUse(models.TextChoices):
    RESIDENTIAL = "residential", _("居住用地")
    INDUSTRIAL = "industrial", _("工业用地")
    PUBLIC = "public", _("教育科技文化卫生体育用地")
    COMMERCIAL = "commercial", _("商业旅游娱乐用地")
    MIXED = "mixed", _("综合或其他用地")


class SupplyRecord(models.Model):
    class Kind(models.TextChoices):
        TRANSFER = "transfer", _("出让")
        ALLOCATION = "allocation", _("划拨")

    class Method(models.TextChoices):
        TENDER = "tender", _("招标")
        AUCTION = "auction", _("拍卖")
        LISTING = "listing", _("挂牌")
        AGREEMENT = "agreement", _("协议")

    class Ground(models.TextChoices):  # 土地管理法 第54条
        STATE_ORGAN = "state_organ", _("国家机关用地和军事用地")
        INFRASTRUCTURE = "infrastructure", _("城市基础设施用地和公益事业用地")
        KEY_PROJECT = "key_project", _("国家重点扶持的能源、交通、水利等基础设施用地")
        OTHER_LAW = "other_law", _("法律、行政法规规定的其他用地")

    class Status(models.TextChoices):
        SUPPLIED = "supplied", _("已供地")
        DELIVERED = "delivered", _("已交地")
        STARTED = "started", _("已开工")
        RECOVERED = "recovered", _("已收回")
        COMPLETED = "completed", _("已竣工")  # last: the happy path's end

    kind = models.CharField(_("供地方式"), max_length=12, choices=Kind.choices)
    method = models.CharField(_("出让方式"), max_length=12, choices=Method.choices, blank=True)
    ground = models.CharField(_("划拨依据"), max_length=20, choices=Ground.choices, blank=True)
    use = models.CharField(_("土地用途"), max_length=12, choices=LandUse.choices)
    term_years = models.PositiveSmallIntegerField(_("出让年限"), null=True, blank=True)
    parcel_no = models.CharField(_("宗地号"), max_length=40, unique=True)
    supervision_no = models.CharField(_("电子监管号"), max_length=40, blank=True, db_index=True)
    contract_no = models.CharField(_("出让合同号/划拨决定书号"), max_length=60, blank=True, db_index=True)
    location = models.CharField(_("土地坐落"), max_length=120, blank=True)
    land_user = models.CharField(_("用地单位"), max_length=120)
    project = models.ForeignKey("projects.Project", models.PROTECT, null=True, blank=True, related_name="supplies",
                                verbose_name=_("关联项目"))
    service_request = models.ForeignKey("projects.ServiceRequest", models.PROTECT, null=True, blank=True,
                                        related_name="supplies", verbose_name=_("土地服务专员诉求"))
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("所在乡镇"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    geometry = models.MultiPolygonField(_("宗地范围"), srid=4490)
    area_m2 = models.FloatField(_("宗地面积（平方米）"), default=0)
    price_wan_yuan = models.DecimalField(_("成交价（万元）"), max_digits=14, decimal_places=2, default=Decimal(0))
    fee_due_wan_yuan = models.DecimalField(_("出让金应缴（万元）"), max_digits=14, decimal_places=2, default=Decimal(0))
    signed_on = models.DateField(_("合同签订/决定日期"))
    agreed_delivery_on = models.DateField(_("约定交地日期"), null=True, blank=True)
    agreed_start_on = models.DateField(_("约定开工日期"), null=True, blank=True)
    agreed_completion_on = models.DateField(_("约定竣工日期"), null=True, blank=True)
    delivered_on = models.DateField(_("实际交地日期"), null=True, blank=True)
    started_on = models.DateField(_("实际开工日期"), null=True, blank=True)
    completed_on = models.DateField(_("实际竣工日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SUPPLIED,
                              db_index=True)
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["-signed_on", "parcel_no"]
        verbose_name = _("供地记录")
        verbose_name_plural = _("供地记录")

    def __str__(self) -> str:
        return f"{self.parcel_no} {self.land_user}（{self.get_kind_display()}）"

    @property
    def area_mu(self) -> float:
        return mu(self.area_m2)

    @property
    def is_live(self) -> bool:
        return self.status != self.Status.RECOVERED


class SupplyPiece(models.Model):
    """The part of a supply parcel inside one approved dossier, with its official area: 供地率 per dossier reads
    these rather than intersecting geometries on every page."""

    supply = models.ForeignKey(SupplyRecord, models.CASCADE, related_name="pieces", verbose_name=_("供地记录"))
    dossier = models.ForeignKey("approvals.Dossier", models.PROTECT, related_name="supply_pieces",
                                verbose_name=_("报批卷宗"))
    geometry = models.MultiPolygonField(_("地块范围"), srid=4490)
    area_m2 = models.FloatField(_("面积（平方米）"))

    class Meta:
        ordering = ["supply", "dossier"]
        verbose_name = _("供地地块")
        verbose_name_plural = _("供地地块")
        constraints = [models.UniqueConstraint(fields=["supply", "dossier"], name="supplypiece_unique_dossier")]

    def __str__(self) -> str:
        return f"{self.supply.parcel_no} · {self.dossier.name}"


class Instalment(models.Model):
    """One term of the payment plan (期次, 应缴日, 金额)."""

    supply = models.ForeignKey(SupplyRecord, models.CASCADE, related_name="instalments", verbose_name=_("供地记录"))
    number = models.PositiveSmallIntegerField(_("期次"))
    due_on = models.DateField(_("应缴日期"))
    amount_wan_yuan = models.DecimalField(_("应缴金额（万元）"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["supply", "number"]
        verbose_name = _("分期缴款计划")
        verbose_name_plural = _("分期缴款计划")
        constraints = [models.UniqueConstraint(fields=["supply", "number"], name="instalment_unique_number")]

    def __str__(self) -> str:
        return f"{self.supply.parcel_no} 第{self.number}期 {self.amount_wan_yuan} 万元"


class Payment(models.Model):
    """A payment received (append-only: a mistake is corrected by a negative row referring to it)."""

    supply = models.ForeignKey(SupplyRecord, models.CASCADE, related_name="payments", verbose_name=_("供地记录"))
    paid_on = models.DateField(_("缴款日期"))
    amount_wan_yuan = models.DecimalField(_("缴款金额（万元）"), max_digits=14, decimal_places=2)
    receipt_no = models.CharField(_("票据号"), max_length=60, blank=True)
    corrects = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("更正的缴款"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["supply", "paid_on", "id"]
        verbose_name = _("缴款记录")
        verbose_name_plural = _("缴款记录")

    def __str__(self) -> str:
        return f"{self.supply.parcel_no} {self.paid_on} {self.amount_wan_yuan} 万元"


class SupplyStatusChange(StatusChange):
    """Append-only history of a supply record's status."""

    supply = models.ForeignKey(SupplyRecord, models.CASCADE, related_name="history", verbose_name=_("供地记录"))
    from_status = models.CharField(_("原状态"), max_length=12, choices=SupplyRecord.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=SupplyRecord.Status.choices)

    class Meta:
        ordering = ["supply", "at", "id"]
        verbose_name = _("供地状态记录")
        verbose_name_plural = _("供地状态记录")

    def __str__(self) -> str:
        return f"{self.supply.parcel_no}：{self.transition()}"


class ItemKind(models.TextChoices):
    DELIVERY_LATE = "delivery_late", _("交地逾期")
    IDLE = "idle", _("闲置满一年")
    RECOVER = "recover", _("闲置满两年")
    COMPLETION_LATE = "completion_late", _("竣工逾期")
    INSTALMENT_DUE = "instalment_due", _("应缴提醒")
    ARREARS = "arrears", _("欠缴出让金")


class SupplyWatch(models.Model):
    """One contract date the sweep watches: claimed once (claimed_at set by a conditional UPDATE), then either an
    item raised or nothing (the date was met). Rows not yet claimed are rewritten when the dates change."""

    supply = models.ForeignKey(SupplyRecord, models.CASCADE, related_name="watches", verbose_name=_("供地记录"))
    kind = models.CharField(_("事项类型"), max_length=20, choices=ItemKind.choices)
    key = models.CharField(_("键"), max_length=40)  # kind, or kind:instalment number
    instalment = models.ForeignKey(Instalment, models.CASCADE, null=True, blank=True, related_name="+",
                                   verbose_name=_("分期"))
    due_on = models.DateField(_("到期日期"), db_index=True)
    claimed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    claimed_by = models.CharField(_("处理进程"), max_length=80, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("合同日期监测")
        verbose_name_plural = _("合同日期监测")
        constraints = [models.UniqueConstraint(fields=["supply", "key"], name="supplywatch_unique_key")]

    def __str__(self) -> str:
        return f"{self.supply.parcel_no} {self.get_kind_display()} {self.due_on}"


class Cause(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业原因")
    GOVERNMENT = "government", _("政府原因")


class SubCause(models.TextChoices):
    # 政府原因 (53号令 as remembered, domain-land.md §B.2 I)
    GOV_DELIVERY = "gov_delivery", _("未按约定交付土地")
    GOV_PLAN = "gov_plan", _("规划调整")
    GOV_POLICY = "gov_policy", _("国家政策调整")
    GOV_PETITION = "gov_petition", _("信访或矛盾纠纷")
    GOV_MILITARY = "gov_military", _("军事管制或文物保护")
    GOV_OTHER = "gov_other", _("其他政府行为")
    # 企业原因
    ENT_FUNDS = "ent_funds", _("资金不足")
    ENT_UNSTARTED = "ent_unstarted", _("企业自身原因未动工")
    ENT_ARREARS = "ent_arrears", _("未按期缴纳出让金")
    ENT_SLOW = "ent_slow", _("建设进度滞后")
    ENT_OTHER = "ent_other", _("其他企业原因")


GOVERNMENT_SUBCAUSES = frozenset(c for c in SubCause.values if c.startswith("gov_"))


class Disposal(models.TextChoices):
    EXTEND = "extend", _("延期开工")
    CHANGE_USE = "change_use", _("调整用途或规划条件")
    TEMPORARY = "temporary", _("临时使用")
    PAID_RECOVERY = "paid_recovery", _("协议有偿收回")
    EXCHANGE = "exchange", _("置换")
    FREE_RECOVERY = "free_recovery", _("无偿收回")
    IDLE_FEE = "idle_fee", _("征缴闲置费")
    COLLECT = "collect", _("催缴欠款")


class TwoClearItem(models.Model):
    """An item on the 两清 board (出让金清欠 + 闲置土地清理), raised once by the sweep for one watched date."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处置")
        NOTICED = "noticed", _("已发调查通知书")
        STATED = "stated", _("已陈述")
        DETERMINED = "determined", _("已认定")
        DECIDED = "decided", _("已决定")
        CLOSED = "closed", _("已办结")  # last: the happy path's end

    supply = models.ForeignKey(SupplyRecord, models.PROTECT, related_name="items", verbose_name=_("供地记录"))
    watch = models.OneToOneField(SupplyWatch, models.PROTECT, related_name="item", verbose_name=_("合同日期监测"))
    kind = models.CharField(_("事项类型"), max_length=20, choices=ItemKind.choices, db_index=True)
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    raised_on = models.DateField(_("列入日期"))
    due_on = models.DateField(_("到期日期"))
    cause = models.CharField(_("原因类别"), max_length=12, choices=Cause.choices)
    sub_cause = models.CharField(_("具体原因"), max_length=16, choices=SubCause.choices)
    owner_region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+",
                                     verbose_name=_("责任乡镇"))
    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("责任人"))
    disposal = models.CharField(_("处置方式"), max_length=16, choices=Disposal.choices, blank=True)
    proposed_fee_wan_yuan = models.DecimalField(_("拟征闲置费（万元）"), max_digits=14, decimal_places=2, null=True,
                                                blank=True)
    arrears_wan_yuan = models.DecimalField(_("欠缴金额（万元）"), max_digits=14, decimal_places=2, null=True,
                                           blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    stage_due_on = models.DateField(_("本环节期限"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["-raised_on", "-id"]
        verbose_name = _("两清事项")
        verbose_name_plural = _("两清事项")

    def __str__(self) -> str:
        return f"{self.supply.parcel_no} {self.get_kind_display()}"

    @property
    def counts_against_township(self) -> bool:
        """A government-side fault (交地 late and the like) goes into the township's annual assessment."""
        return self.cause == Cause.GOVERNMENT


class TwoClearItemChange(StatusChange):
    """Append-only history of an item's procedure (调查通知书 → 陈述 → 认定书 → 决定书 → 办结)."""

    item = models.ForeignKey(TwoClearItem, models.CASCADE, related_name="history", verbose_name=_("两清事项"))
    from_status = models.CharField(_("原状态"), max_length=12, choices=TwoClearItem.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=TwoClearItem.Status.choices)
    document_no = models.CharField(_("文书编号"), max_length=60, blank=True)

    class Meta:
        ordering = ["item", "at", "id"]
        verbose_name = _("两清事项办理记录")
        verbose_name_plural = _("两清事项办理记录")

    def __str__(self) -> str:
        return f"{self.item}：{self.transition()}"
