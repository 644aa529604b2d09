"""Approval dossiers (报批): one record per 批次 / 单独选址 / 市县批准的具体项目, with its parcels' official areas
from the spatial engine, the two approvals it needs (农用地转用, 征收) and who grants them, the quota it uses by
source, its 补充耕地 indicators, its 征收 figures, the parts of its package (一书四方案) and an append-only
status history.

Areas are CGCS2000 ellipsoidal areas in m² (core.geodesy), computed by the engine from the official survey layers
when the boundary is set and stored, so the 报批台账 and the yearly totals read columns rather than re-running an
overlay; `areas_basis` names the survey layer versions they came from.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from landguard.approvals.authority import Authority, DossierKind
from landguard.approvals.quota_groups import kind_choices
from landguard.core.geodesy import mu
from landguard.core.history import StatusChange


class Dossier(models.Model):
    Kind = DossierKind

    class Status(models.TextChoices):
        DRAFT = "draft", _("组卷中")
        SUBMITTED = "submitted", _("已上报")
        REFUSED = "refused", _("不予批准")
        WITHDRAWN = "withdrawn", _("已撤回")
        APPROVED = "approved", _("已批复")  # last: the happy path's end

    class BoundarySource(models.TextChoices):
        EXCHANGE = "exchange", _("坐标交换文件")
        UPLOAD = "upload", _("上传图层文件")
        DRAWN = "drawn", _("地图绘制")

    name = models.CharField(_("批次/项目名称"), max_length=120)
    kind = models.CharField(_("报批类型"), max_length=20, choices=DossierKind.choices)
    year = models.PositiveSmallIntegerField(_("报批年度"))
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("报批行政区"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    projects = models.ManyToManyField("projects.Project", blank=True, related_name="dossiers",
                                      verbose_name=_("服务的重点项目"))
    # The enterprise request a land service commissioner handled this dossier under (shell.service_links).
    service_request = models.ForeignKey("projects.ServiceRequest", models.PROTECT, null=True, blank=True,
                                        related_name="dossiers", verbose_name=_("土地服务专员诉求"))

    boundary = models.MultiPolygonField(_("用地范围"), srid=4490)
    boundary_source = models.CharField(_("范围来源"), max_length=10, choices=BoundarySource.choices)
    parcel_count = models.PositiveIntegerField(_("地块数"), default=1)
    # Official areas (m²) from the engine; see the module docstring.
    total_m2 = models.FloatField(_("用地总面积（平方米）"), default=0)
    agricultural_m2 = models.FloatField(_("农用地（平方米）"), default=0)
    farmland_m2 = models.FloatField(_("其中耕地（平方米）"), default=0)
    paddy_m2 = models.FloatField(_("其中水田（平方米）"), default=0)
    irrigated_m2 = models.FloatField(_("其中水浇地（平方米）"), default=0)
    dry_m2 = models.FloatField(_("其中旱地（平方米）"), default=0)
    basic_farmland_m2 = models.FloatField(_("其中永久基本农田（平方米）"), default=0)
    construction_m2 = models.FloatField(_("建设用地（平方米）"), default=0)
    unused_m2 = models.FloatField(_("未利用地（平方米）"), default=0)
    state_m2 = models.FloatField(_("国有土地（平方米）"), default=0)
    collective_m2 = models.FloatField(_("集体土地（平方米）"), default=0)
    areas_basis = models.CharField(_("面积依据"), max_length=300, blank=True)
    areas_at = models.DateTimeField(_("面积计算时间"), null=True, blank=True)

    pre_review_no = models.CharField(_("用地预审文号"), max_length=60, blank=True)
    parts_done = models.JSONField(_("已编制的报批材料"), default=list, blank=True)
    supplement_source = models.CharField(_("补充耕地指标来源"), max_length=200, blank=True,
                                         help_text=_("补充耕地项目编号或指标交易文号"))
    replenish_area_mu = models.DecimalField(_("永久基本农田补划面积（亩）"), max_digits=14, decimal_places=4, null=True,
                                            blank=True)
    replenish_grade = models.CharField(_("补划耕地质量等别"), max_length=20, blank=True)
    replenish_in_database = models.BooleanField(_("补划地块已入库"), default=False)
    expropriation_m2 = models.FloatField(_("征收面积（平方米）"), default=0)
    expropriation_farmland_m2 = models.FloatField(_("其中征收耕地（平方米）"), default=0)
    compensation_wan_yuan = models.DecimalField(_("征地补偿费用（万元）"), max_digits=14, decimal_places=2, null=True,
                                                blank=True)
    households = models.PositiveIntegerField(_("涉及户数"), null=True, blank=True)
    national_key_project = models.BooleanField(_("国家重大项目"), default=False,
                                               help_text=_("能源、交通、水利、军事等确实难以避让永久基本农田或生态保护红线的国家重点项目"))

    submitted_on = models.DateField(_("上报日期"), null=True, blank=True)
    conversion_authority = models.CharField(_("农转用批准机关"), max_length=20, choices=Authority.choices, blank=True)
    expropriation_authority = models.CharField(_("征收批准机关"), max_length=20, choices=Authority.choices,
                                               blank=True)
    approval_no = models.CharField(_("批复文号"), max_length=60, blank=True)
    approval_issuer = models.CharField(_("批复机关代字"), max_length=30, blank=True)
    approval_year = models.PositiveSmallIntegerField(_("批复文号年份"), null=True, blank=True)
    approval_sequence = models.PositiveIntegerField(_("批复文号序号"), null=True, blank=True)
    approved_on = models.DateField(_("批复日期"), null=True, blank=True, db_index=True)
    approved_by = models.CharField(_("批准机关"), max_length=60, blank=True)
    note = models.TextField(_("备注"), blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["-year", "region_code", "name"]
        verbose_name = _("报批卷宗")
        verbose_name_plural = _("报批卷宗")

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}，{self.year}）"

    @property
    def holder_key(self) -> str:
        """How the quota ledgers name this dossier (landguard.quotas never imports approvals)."""
        return f"approvals.dossier:{self.pk}"

    @property
    def new_construction_m2(self) -> float:
        """新增建设用地: the 农用地 and 未利用地 the dossier turns into construction land."""
        return self.agricultural_m2 + self.unused_m2

    @property
    def total_mu(self) -> float:
        return mu(self.total_m2)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SUBMITTED)


class DossierQuota(models.Model):
    """The quota a dossier uses, by source (计划指标 本年 / 结转 / 奖励, 增减挂钩) and its 补充耕地 indicators
    (耕地数量 / 水田规模 亩, 粮食产能 公斤: the 占补 ledgers' kinds): reserved in the ledgers when the dossier is
    submitted, settled on approval, released on withdrawal or refusal."""

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="quotas", verbose_name=_("报批卷宗"))
    kind = models.CharField(_("指标类型"), max_length=30)
    year = models.PositiveSmallIntegerField(_("指标年度"))
    amount = models.DecimalField(_("数量"), max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["dossier", "kind", "year"]
        verbose_name = _("使用指标")
        verbose_name_plural = _("使用指标")
        constraints = [models.UniqueConstraint(fields=["dossier", "kind", "year"], name="dossierquota_unique_kind")]

    def __str__(self) -> str:
        return f"{self.dossier.name}：{self.year} {dict(kind_choices([self.kind]))[self.kind]} {self.amount}"


class DossierStatusChange(StatusChange):
    """Append-only history of a dossier's status."""

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="history", verbose_name=_("报批卷宗"))
    from_status = models.CharField(_("原状态"), max_length=12, choices=Dossier.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Dossier.Status.choices)

    class Meta:
        ordering = ["dossier", "at", "id"]
        verbose_name = _("报批状态记录")
        verbose_name_plural = _("报批状态记录")

    def __str__(self) -> str:
        return f"{self.dossier.name}：{self.transition()}"


# --- 土地征收成片开发方案 (domain-land.md §A.5, domain.md §6) ------------------------------------------------------
# Figures as the 方案 prints them are hectares to 4 dp (Decimal); the 片区 total is measured by the engine (m²).


class DevelopmentPlan(models.Model):
    """A 土地征收成片开发方案 of a county: its 片区 (boundary), the 公益性用地 by class, the land to expropriate and
    its uses, the projects, the village-assembly consent and the approval; the yearly implementation plan is
    DevelopmentPlanYear, the status history DevelopmentPlanStatusChange. The checks are approvals.plans."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("编制中")
        SUBMITTED = "submitted", _("已报批")
        REFUSED = "refused", _("不予批准")
        APPROVED = "approved", _("已批准")  # last: the happy path's end

    class ConsentBody(models.TextChoices):
        ASSEMBLY = "assembly", _("村民会议")
        REPRESENTATIVES = "representatives", _("村民代表会议")

    name = models.CharField(_("方案名称"), max_length=120)
    plan_no = models.CharField(_("方案编号"), max_length=60, blank=True)
    year = models.PositiveSmallIntegerField(_("方案年度"))
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("行政区"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    boundary = models.MultiPolygonField(_("片区范围"), srid=4490)
    boundary_source = models.CharField(_("范围来源"), max_length=10, choices=Dossier.BoundarySource.choices)
    total_m2 = models.FloatField(_("片区总面积（平方米）"), default=0)
    areas_basis = models.CharField(_("面积依据"), max_length=300, blank=True)
    areas_at = models.DateTimeField(_("面积计算时间"), null=True, blank=True)
    published_total_ha = models.DecimalField(
        _("方案公布的片区总面积（公顷）"), max_digits=14, decimal_places=4, null=True, blank=True)
    public_road_ha = models.DecimalField(
        _("公益性用地：道路（公顷）"), max_digits=14, decimal_places=4, null=True, blank=True)
    public_green_ha = models.DecimalField(
        _("公益性用地：绿地（公顷）"), max_digits=14, decimal_places=4, null=True, blank=True)
    public_service_ha = models.DecimalField(
        _("公益性用地：公共服务设施（公顷）"), max_digits=14, decimal_places=4, null=True, blank=True)
    public_infrastructure_ha = models.DecimalField(
        _("公益性用地：基础设施（公顷）"), max_digits=14, decimal_places=4, null=True, blank=True)
    expropriation_ha = models.DecimalField(
        _("拟征收面积（公顷）"), max_digits=14, decimal_places=4, null=True, blank=True)
    use_industrial_ha = models.DecimalField(
        _("工矿用地（公顷）"), max_digits=14, decimal_places=4, null=True, blank=True)
    use_residential_ha = models.DecimalField(
        _("居住用地（公顷）"), max_digits=14, decimal_places=4, null=True, blank=True)
    use_commercial_ha = models.DecimalField(
        _("商业服务业用地（公顷）"), max_digits=14, decimal_places=4, null=True, blank=True)
    use_storage_ha = models.DecimalField(
        _("仓储用地（公顷）"), max_digits=14, decimal_places=4, null=True, blank=True)
    use_other_ha = models.DecimalField(
        _("其他用地（公顷）"), max_digits=14, decimal_places=4, null=True, blank=True)
    projects = models.ManyToManyField("projects.Project", blank=True, related_name="development_plans",
                                      verbose_name=_("片区内项目"))
    planned_project_count = models.PositiveIntegerField(_("计划项目数"), null=True, blank=True)
    consent_body = models.CharField(_("表决形式"), max_length=20, choices=ConsentBody.choices, blank=True)
    consent_yes = models.PositiveIntegerField(_("同意人数"), null=True, blank=True)
    consent_total = models.PositiveIntegerField(_("应到人数"), null=True, blank=True)
    submitted_on = models.DateField(_("报批日期"), null=True, blank=True)
    approved_by = models.CharField(_("批准机关"), max_length=60, blank=True)
    approval_no = models.CharField(_("批复文号"), max_length=60, blank=True)
    approved_on = models.DateField(_("批复日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["-year", "region_code", "name"]
        verbose_name = _("成片开发方案")
        verbose_name_plural = _("成片开发方案")

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"

    PUBLIC_FIELDS = ("public_road_ha", "public_green_ha", "public_service_ha", "public_infrastructure_ha")
    USE_FIELDS = ("use_industrial_ha", "use_residential_ha", "use_commercial_ha", "use_storage_ha", "use_other_ha")


class DevelopmentPlanYear(models.Model):
    """One year of a plan's 年度实施计划: planned and actual area and project count (实施率 = actual ÷ planned)."""

    plan = models.ForeignKey(DevelopmentPlan, models.CASCADE, related_name="years", verbose_name=_("成片开发方案"))
    year = models.PositiveSmallIntegerField(_("实施年度"))
    planned_ha = models.DecimalField(_("计划实施面积（公顷）"), max_digits=14, decimal_places=4, default=0)
    planned_projects = models.PositiveIntegerField(_("计划项目数"), default=0)
    actual_ha = models.DecimalField(
        _("实际实施面积（公顷）"), max_digits=14, decimal_places=4, null=True, blank=True)
    actual_projects = models.PositiveIntegerField(_("实际项目数"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "year"]
        verbose_name = _("年度实施计划")
        verbose_name_plural = _("年度实施计划")
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="developmentplanyear_unique_year")]

    def __str__(self) -> str:
        return f"{self.plan.name}：{self.year}"


class DevelopmentPlanStatusChange(StatusChange):
    """Append-only history of a plan's status."""

    plan = models.ForeignKey(DevelopmentPlan, models.CASCADE, related_name="history", verbose_name=_("成片开发方案"))
    from_status = models.CharField(_("原状态"), max_length=12, choices=DevelopmentPlan.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=DevelopmentPlan.Status.choices)

    class Meta:
        ordering = ["plan", "at", "id"]
        verbose_name = _("方案状态记录")
        verbose_name_plural = _("方案状态记录")

    def __str__(self) -> str:
        return f"{self.plan.name}：{self.transition()}"


class DossierOverlayCounty(models.Model):
    """One county's part of a batch overlay of approved dossiers (approvals/batches.py), written once per (job,
    county): the marker created first in the transaction that inserts the county's dossier rows, unique, so a
    retried job skips the county and a second writer racing for it writes nothing.

    Its own row rather than supervision's ProvinceBatchCounty made general: that row carries a 卫片 year, the layer
    versions of a county's patch classification and patch counts, none of which a dossier overlay has (each dossier
    is measured on the layers of the counties it overlaps, named on its own row), and approvals may not depend on
    supervision. What both share — (job, county) unique, written first — is the rule in jobs/cluster.py."""

    job = models.ForeignKey("jobs.Job", models.CASCADE, related_name="+", verbose_name=_("后台任务"))
    region_code = models.CharField(_("县（区）代码"), max_length=12)
    dossier_count = models.PositiveIntegerField(_("卷宗数"), default=0)
    farmland_count = models.PositiveIntegerField(_("占用耕地卷宗数"), default=0)
    basic_farmland_count = models.PositiveIntegerField(_("占用永久基本农田卷宗数"), default=0)
    failed_count = models.PositiveIntegerField(_("未能叠加卷宗数"), default=0)
    seconds = models.FloatField(_("计算用时（秒）"), default=0.0, help_text="the task's wall time in its worker")
    written_at = models.DateTimeField(_("写入时间"))

    class Meta:
        ordering = ["job", "region_code"]
        verbose_name = _("分县叠加复核结果")
        verbose_name_plural = _("分县叠加复核结果")
        constraints = [models.UniqueConstraint(fields=["job", "region_code"], name="dossieroverlaycounty_once")]

    def __str__(self) -> str:
        return gettext("已批用地分县叠加复核结果（%(county)s）") % {"county": self.region_code}


class DossierOverlayResult(models.Model):
    """What the current survey says of an approved dossier, from a batch overlay: the same measurement as the
    dossier's own areas (approvals.spatial.measure), on the layers current when the job ran. The dossier's stored
    areas (those of its approval) are left as they were."""

    job = models.ForeignKey("jobs.Job", models.CASCADE, related_name="+", verbose_name=_("后台任务"))
    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="overlay_results", verbose_name=_("报批卷宗"))
    region_code = models.CharField(_("县（区）代码"), max_length=12, db_index=True)
    total_m2 = models.FloatField(_("用地总面积（平方米）"), default=0)
    agricultural_m2 = models.FloatField(_("农用地（平方米）"), default=0)
    farmland_gross_m2 = models.FloatField(_("占用耕地毛面积（平方米）"), default=0)
    farmland_net_m2 = models.FloatField(_("占用耕地（平方米）"), default=0, help_text=_("净面积（扣除田坎）"))
    basic_farmland_m2 = models.FloatField(_("其中永久基本农田（平方米）"), default=0)
    construction_m2 = models.FloatField(_("建设用地（平方米）"), default=0)
    unused_m2 = models.FloatField(_("未利用地（平方米）"), default=0)
    uncovered_m2 = models.FloatField(_("无地类图斑覆盖（平方米）"), default=0)
    # The overlay's verdict flags (engine.kinds.Verdict values: 占用永久基本农田, 未被已批用地覆盖 …) and those it
    # could not evaluate for want of a layer — as the overlay result gives them.
    verdicts = models.JSONField(_("叠加结论"), default=list, blank=True)
    not_evaluated = models.JSONField(_("未评价结论"), default=list, blank=True)
    basis = models.CharField(_("面积依据"), max_length=300, blank=True)
    problem = models.CharField(_("未能叠加的原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["job", "dossier"]
        verbose_name = _("卷宗叠加复核结果")
        verbose_name_plural = _("卷宗叠加复核结果")
        constraints = [models.UniqueConstraint(fields=["job", "dossier"], name="dossieroverlayresult_once")]

    def __str__(self) -> str:
        return gettext("%(dossier)s 的叠加复核结果") % {"dossier": self.dossier}
