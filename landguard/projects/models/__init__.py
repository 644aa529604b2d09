"""Key-project land guarantee (挂图作战): projects, their procedure chains, 容缺 items, the problem ledger,
responsibility lists (targets), enterprise service requests, and the working-day calendar all deadlines use.

Every row that belongs to a place carries `region_code` (the scope key, landguard.core.scope). A project
that spans regions keeps one ProjectPart per township it covers, with that part's official area; a
project is visible to anyone whose scope holds its region or one of its parts.

State lives in explicit transition tables (landguard.projects.workflow) and every change of state appends
a history row (StepStatusChange, ProblemStatusChange) besides the audit entry; rows are never rewritten.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from landguard.core import clock
from landguard.core.history import StatusChange
from landguard.core.workdays import LimitUnit

# --- the working-day calendar --------------------------------------------------------------------------


class CalendarDay(models.Model):
    """An exception to "Monday–Friday work, weekends rest": a public holiday, or an adjusted working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=40, help_text=_("如：春节、国庆节调休"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{self.get_kind_display()}）"


class CalendarYear(models.Model):
    """A year whose schedule has been entered, with its source: the State Council notice (国务院办公厅关于…年部分
    节假日安排的通知) by title and date, and whether the rows were checked against its text day by day. A year
    without a row is unknown: its working days are counted as weekends only, and pages warn about it."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    source_title = models.CharField(_("依据通知"), max_length=200)
    source_date = models.DateField(_("通知日期"))
    verified = models.BooleanField(_("已核对"), default=False, help_text=_("已与通知原文逐日核对"))
    verified_at = models.DateTimeField(_("核对时间"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("核对人"))

    class Meta:
        ordering = ["year"]
        verbose_name = _("节假日年度")
        verbose_name_plural = _("节假日年度")

    def __str__(self) -> str:
        return _("%(year)s 年节假日安排") % {"year": self.year}


class LimitUnitChoices(models.TextChoices):
    WORKING = LimitUnit.WORKING.value, _("工作日")
    CALENDAR = LimitUnit.CALENDAR.value, _("自然日")


class StepLimitUnitChoices(models.TextChoices):
    """A step's time limit may also be in hours (德州: 开工服务“一小时内”): elapsed time from the moment it starts;
    a minimum period (LimitUnitChoices) stays in days."""

    WORKING = LimitUnit.WORKING.value, _("工作日")
    CALENDAR = LimitUnit.CALENDAR.value, _("自然日")
    HOURS = LimitUnit.HOURS.value, _("小时")


class LimitFrom(models.TextChoices):
    """The day a step's time limit (办理时限) counts from: its own start, or the day the last of its predecessors
    closed (征收土地公告: within 15 working days of receiving the approval, however late the step is started)."""

    START = "start", _("本环节开始之日")
    PREDECESSORS = "predecessors", _("前置环节办结之日")


class StepRules(models.Model):
    """What a template step and a project step share beyond the time limit: a stable key other apps name it by,
    a minimum period (最短期限: a notice posted at least N days) with its own unit, where the limit counts from,
    and the condition under which a conditional step applies (empty: it always applies)."""

    key = models.SlugField(_("环节标识"), max_length=40, blank=True,
                           help_text=_("英文小写、数字、下划线，同一流程内唯一；其他模块据此定位环节"))
    min_period = models.PositiveSmallIntegerField(_("最短期限"), default=0,
                                                  help_text=_("开始办理后至少经过的天数，0 为不限"))
    min_period_unit = models.CharField(_("最短期限单位"), max_length=10, choices=LimitUnitChoices.choices,
                                       default=LimitUnit.WORKING)
    limit_from = models.CharField(_("时限起算"), max_length=12, choices=LimitFrom.choices, default=LimitFrom.START)
    applies_when = models.CharField(_("适用条件"), max_length=200, blank=True,
                                    help_text=_("填写后为视情况办理的环节：不符合条件时可说明理由标记为不适用"))

    class Meta:
        abstract = True


# Copied from a template step to each project's step when the project is created.
STEP_RULE_FIELDS = ("key", "min_period", "min_period_unit", "limit_from", "applies_when")


# --- organisation of the work ----------------------------------------------------------------------------


class ServiceGroup(models.Model):
    """A service group (服务组/专班), paired one-to-one with a project headquarters (作战指挥部): the "13"
    of 德州's "1+1+13"."""

    name = models.CharField(_("服务组"), max_length=80)
    headquarters = models.CharField(_("作战指挥部"), max_length=80)
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("所属行政区"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    leader = models.CharField(_("组长"), max_length=50, blank=True)
    liaison = models.CharField(_("联络员"), max_length=50, blank=True)
    org_unit = models.ForeignKey("people.OrgUnit", models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("对应机构"))
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("服务组")
        verbose_name_plural = _("服务组")
        constraints = [models.UniqueConstraint(fields=["region_code", "name"], name="servicegroup_unique_name")]

    def __str__(self) -> str:
        return self.name


# --- procedure templates ---------------------------------------------------------------------------------


class ProcedureTemplate(models.Model):
    """A procedure chain new projects start from. The default (domain.md §5) is seeded by migration; a
    bureau may add its own (region set), whose steps it edits."""

    name = models.CharField(_("名称"), max_length=80)
    region = models.ForeignKey("regions.Region", models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("所属行政区"), help_text=_("空：全国通用"))
    region_code = models.CharField(_("行政区代码"), max_length=12, blank=True, db_index=True)
    is_default = models.BooleanField(_("默认"), default=False)
    description = models.TextField(_("说明"), blank=True)
    # A built-in chain's key (土地征收: "land_expropriation"), kept by the copies made for a region with its
    # province's values, so code finds them whatever their name; empty for a bureau's own templates.
    key = models.SlugField(_("模板标识"), max_length=40, blank=True)

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("审批流程模板")
        verbose_name_plural = _("审批流程模板")
        constraints = [models.UniqueConstraint(fields=["region_code", "key"], condition=~models.Q(key=""),
                                               name="proceduretemplate_unique_key")]

    def __str__(self) -> str:
        return self.name


class TemplateStep(StepRules):
    template = models.ForeignKey(ProcedureTemplate, models.CASCADE, related_name="steps", verbose_name=_("模板"))
    order = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("环节"), max_length=60)
    responsible_unit = models.CharField(_("责任单位"), max_length=80, blank=True)
    limit_days = models.PositiveSmallIntegerField(_("办理时限"))
    limit_unit = models.CharField(_("时限单位"), max_length=10, choices=StepLimitUnitChoices.choices,
                                  default=LimitUnit.WORKING)
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="+",
                                        verbose_name=_("前置环节"))
    counts_for_targets = models.BooleanField(_("计入用地保障任务"), default=False,
                                             help_text=_("此环节办结即计为完成一件用地保障任务（责任清单进度）"))

    class Meta:
        ordering = ["template", "order"]
        verbose_name = _("模板环节")
        verbose_name_plural = _("模板环节")
        constraints = [models.UniqueConstraint(fields=["template", "order"], name="templatestep_unique_order"),
                       models.UniqueConstraint(fields=["template", "key"], condition=~models.Q(key=""),
                                               name="templatestep_unique_key")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


# --- projects --------------------------------------------------------------------------------------------


class Project(models.Model):
    class Level(models.TextChoices):
        NATIONAL = "national", _("国家重点项目")
        PROVINCIAL = "provincial", _("省重点项目")
        MUNICIPAL = "municipal", _("市重点项目")
        COUNTY = "county", _("县重点项目")

    class Status(models.TextChoices):
        ACTIVE = "active", _("推进中")
        DONE = "done", _("已办结")

    class BoundarySource(models.TextChoices):
        NONE = "", _("未提供")
        EXCHANGE = "exchange", _("坐标交换文件")
        UPLOAD = "upload", _("上传图层文件")
        DRAWN = "drawn", _("地图绘制")

    name = models.CharField(_("项目名称"), max_length=120)
    level = models.CharField(_("项目级别"), max_length=12, choices=Level.choices)
    service_group = models.ForeignKey(ServiceGroup, models.PROTECT, null=True, blank=True, related_name="projects",
                                      verbose_name=_("服务组"))
    service_team = models.CharField(_("服务专班"), max_length=80, blank=True, help_text=_("未编入服务组时填写"))
    owner = models.CharField(_("建设单位"), max_length=120, blank=True)
    investment_wan = models.DecimalField(_("总投资（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    planned_start = models.DateField(_("计划开工日期"), null=True, blank=True)
    land_demand_ha = models.DecimalField(_("用地需求（公顷）"), max_digits=12, decimal_places=4, null=True, blank=True)
    leader = models.CharField(_("包保领导"), max_length=50, blank=True)
    plan = models.TextField(_("服务方案"), blank=True)
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("所在行政区"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    boundary = models.MultiPolygonField(_("用地范围"), srid=4490, null=True, blank=True)
    boundary_source = models.CharField(_("范围来源"), max_length=10, choices=BoundarySource.choices, blank=True,
                                       default="")
    area_m2 = models.FloatField(_("椭球面积（平方米）"), null=True, blank=True)
    template = models.ForeignKey(ProcedureTemplate, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("审批流程模板"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("创建人"))
    # On the business clock (core.clock): the weekly report counts the projects registered by its report day.
    created_at = models.DateTimeField(_("创建时间"), default=clock.now)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("重点项目")
        verbose_name_plural = _("重点项目")

    def __str__(self) -> str:
        return self.name

    @property
    def headquarters(self) -> str:
        return self.service_group.headquarters if self.service_group else ""

    @property
    def team(self) -> str:
        return self.service_group.name if self.service_group else self.service_team

    @property
    def is_key_project(self) -> bool:
        """省重点 and above: the responsibility lists count them apart (省重点项目 columns)."""
        return self.level in (self.Level.NATIONAL, self.Level.PROVINCIAL)


class ProjectPart(models.Model):
    """The part of a project's boundary inside one township, with its official area: each region submits its
    own land papers for its part (a 飞地 project submits city by city)."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="parts", verbose_name=_("项目"))
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("行政区"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    geom = models.MultiPolygonField(_("范围"), srid=4490)
    area_m2 = models.FloatField(_("椭球面积（平方米）"))

    class Meta:
        ordering = ["project", "region_code"]
        verbose_name = _("项目分区")
        verbose_name_plural = _("项目分区")

    def __str__(self) -> str:
        return f"{self.project} · {self.region.name}"


class Step(StepRules):
    """One procedure step of a project. `due_on` is its current deadline: the planned finish while it waits,
    the time limit counted from its actual start (or its predecessors' close, `limit_from`) once it runs
    (services keep it up to date). A conditional step (`applies_when`) may be closed as 不适用 instead;
    `actual_finish` is then the day it was so marked."""

    class Status(models.TextChoices):
        PENDING = "pending", _("未开始")
        IN_PROGRESS = "in_progress", _("办理中")
        SKIPPED = "skipped", _("不适用")
        DONE = "done", _("已办结")

    # Closed either way: successors may start, and the project is done when every step is closed.
    CLOSED = (Status.DONE, Status.SKIPPED)

    class Timeliness(models.TextChoices):
        AHEAD = "ahead", _("提前")
        ON_TIME = "on_time", _("按期")
        LATE = "late", _("超期")

    project = models.ForeignKey(Project, models.CASCADE, related_name="steps", verbose_name=_("项目"))
    order = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("环节"), max_length=60)
    responsible_unit = models.CharField(_("责任单位"), max_length=80, blank=True)
    limit_days = models.PositiveSmallIntegerField(_("办理时限"))
    limit_unit = models.CharField(_("时限单位"), max_length=10, choices=StepLimitUnitChoices.choices,
                                  default=LimitUnit.WORKING)
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependents",
                                        verbose_name=_("前置环节"))
    counts_for_targets = models.BooleanField(_("计入用地保障任务"), default=False)
    planned_start = models.DateField(_("计划开始"), null=True, blank=True)
    planned_finish = models.DateField(_("计划办结"), null=True, blank=True)
    actual_start = models.DateField(_("实际开始"), null=True, blank=True)
    actual_finish = models.DateField(_("实际办结"), null=True, blank=True)
    due_on = models.DateField(_("办结期限"), null=True, blank=True, db_index=True)
    # The moments behind the dates, when known (an action taken now, or given with its time): an hours limit
    # runs from `started_at` to `due_at`; a day limit only shows them and the time taken.
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("办结时限"), null=True, blank=True,
                                  help_text=_("按小时计的时限届满的时刻"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    timeliness = models.CharField(_("办结情况"), max_length=8, choices=Timeliness.choices, blank=True)
    cycle_working_days = models.PositiveIntegerField(_("办理用时（工作日）"), null=True, blank=True)
    cycle_calendar_days = models.PositiveIntegerField(_("办理用时（自然日）"), null=True, blank=True)
    cycle_minutes = models.PositiveIntegerField(_("办理用时（分钟）"), null=True, blank=True)

    class Meta:
        ordering = ["project", "order"]
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        constraints = [models.UniqueConstraint(fields=["project", "order"], name="step_unique_order"),
                       models.UniqueConstraint(fields=["project", "key"], condition=~models.Q(key=""),
                                               name="step_unique_key")]

    def __str__(self) -> str:
        return f"{self.project.name} · {self.name}"

    @property
    def in_hours(self) -> bool:
        return self.limit_unit == LimitUnit.HOURS


class StepStatusChange(StatusChange):
    """Append-only history of a step's status."""

    step = models.ForeignKey(Step, models.CASCADE, related_name="history", verbose_name=_("环节"))
    from_status = models.CharField(_("原状态"), max_length=12, choices=Step.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Step.Status.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    note_msgid = models.CharField(_("说明原文"), max_length=300, null=True, blank=True)  # landguard.audit.notes
    note_params = models.JSONField(_("说明参数"), null=True, blank=True)

    class Meta:
        ordering = ["step", "at", "id"]
        verbose_name = _("环节状态记录")
        verbose_name_plural = _("环节状态记录")

    def __str__(self) -> str:
        before = self.get_from_status_display() or "—"
        return f"{self.step}：{before} → {self.get_to_status_display()}（{self.on:%Y-%m-%d}）"


class DeferredItem(models.Model):
    """A 容缺 item: material missing when the step was accepted, promised by a date; the step cannot close
    while one is open."""

    class Status(models.TextChoices):
        OPEN = "open", _("待补齐")
        CLEARED = "cleared", _("已补齐")

    step = models.ForeignKey(Step, models.CASCADE, related_name="deferred_items", verbose_name=_("环节"))
    material = models.CharField(_("容缺材料"), max_length=120)
    promised_on = models.DateField(_("承诺补齐日期"))
    owner = models.CharField(_("责任人"), max_length=60)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    cleared_on = models.DateField(_("补齐日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["step", "promised_on", "id"]
        verbose_name = _("容缺材料")
        verbose_name_plural = _("容缺材料")

    def __str__(self) -> str:
        return self.material


# --- the problem ledger ----------------------------------------------------------------------------------


class Problem(models.Model):
    class Category(models.TextChoices):
        PLANNING = "planning", _("规划")
        QUOTA = "quota", _("指标")
        MINERALS = "minerals", _("压覆矿产")
        ILLEGAL_USE = "illegal_use", _("违法用地")
        FARMLAND_BALANCE = "farmland_balance", _("耕地占补")
        BASIC_FARMLAND = "basic_farmland", _("永农补划")
        FOREST = "forest", _("林地")
        COMPENSATION = "compensation", _("征地补偿")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待解决")
        ESCALATED = "escalated", _("已提请领导小组")
        RESOLVED = "resolved", _("已解决待销号")
        CLOSED = "closed", _("已销号")

    project = models.ForeignKey(Project, models.PROTECT, null=True, blank=True, related_name="problems",
                                verbose_name=_("项目"))
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("行政区"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    category = models.CharField(_("问题类别"), max_length=20, choices=Category.choices)
    description = models.TextField(_("问题描述"))
    division = models.CharField(_("责任科室"), max_length=60)
    deadline = models.DateField(_("解决时限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    raised_on = models.DateField(_("提出日期"))
    escalated_on = models.DateField(_("提请日期"), null=True, blank=True)
    resolution = models.TextField(_("解决情况"), blank=True)
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("登记人"))

    class Meta:
        ordering = ["status", "deadline", "id"]
        verbose_name = _("问题")
        verbose_name_plural = _("问题台账")

    def __str__(self) -> str:
        return f"{self.get_category_display()}：{self.description[:30]}"


class ProblemStatusChange(StatusChange):
    """Append-only history of a problem's status."""

    problem = models.ForeignKey(Problem, models.CASCADE, related_name="history", verbose_name=_("问题"))
    from_status = models.CharField(_("原状态"), max_length=10, choices=Problem.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=Problem.Status.choices)

    class Meta:
        ordering = ["problem", "at", "id"]
        verbose_name = _("问题状态记录")
        verbose_name_plural = _("问题状态记录")

    def __str__(self) -> str:
        before = self.get_from_status_display() or "—"
        return f"{self.problem}：{before} → {self.get_to_status_display()}（{self.on:%Y-%m-%d}）"


# --- responsibility lists (targets) ---------------------------------------------------------------------


class TargetList(models.Model):
    """A responsibility list (责任清单): per-region land-guarantee targets for a period, against a floor and a
    stretch total (湖北: 35 万亩 floor, 40 万亩 stretch). Imported from xlsx; totals are the sums of its rows."""

    name = models.CharField(_("名称"), max_length=120)
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("下达单位所在行政区"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    floor_wan_mu = models.DecimalField(_("保底目标（万亩）"), max_digits=10, decimal_places=4, null=True, blank=True)
    stretch_wan_mu = models.DecimalField(_("力争目标（万亩）"), max_digits=10, decimal_places=4, null=True, blank=True)
    total_cases = models.PositiveIntegerField(_("合计件数"), default=0)
    total_wan_mu = models.DecimalField(_("合计面积（万亩）"), max_digits=10, decimal_places=4, default=Decimal("0"))
    source_name = models.CharField(_("来源文件"), max_length=200, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("导入人"))
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    # What the import noticed without refusing the file (a printed total off by rounding: both figures named).
    import_warnings = models.JSONField(_("导入提示"), default=list, blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["-period_end", "name"]
        verbose_name = _("责任清单")
        verbose_name_plural = _("责任清单")

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    target_list = models.ForeignKey(TargetList, models.CASCADE, related_name="targets", verbose_name=_("责任清单"))
    row = models.PositiveIntegerField(_("行号"))
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("地区"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    leader = models.CharField(_("责任领导"), max_length=50, blank=True)
    division = models.CharField(_("责任处室"), max_length=60, blank=True)
    liaison = models.CharField(_("联络员"), max_length=50, blank=True)
    task_cases = models.PositiveIntegerField(_("用地任务件数"), default=0)
    task_wan_mu = models.DecimalField(_("用地任务面积（万亩）"), max_digits=10, decimal_places=4, default=Decimal("0"))
    key_cases = models.PositiveIntegerField(_("省重点项目件数"), default=0)
    key_wan_mu = models.DecimalField(_("省重点项目面积（万亩）"), max_digits=10, decimal_places=4, default=Decimal("0"))
    total_cases = models.PositiveIntegerField(_("合计件数"), default=0)
    total_wan_mu = models.DecimalField(_("合计面积（万亩）"), max_digits=10, decimal_places=4, default=Decimal("0"))

    class Meta:
        ordering = ["target_list", "row"]
        verbose_name = _("责任目标")
        verbose_name_plural = _("责任目标")

    def __str__(self) -> str:
        return f"{self.target_list} · {self.region.name}"


# --- scheduled dispatch ----------------------------------------------------------------------------------


class Dispatch(models.Model):
    """One scheduled report for one leadership group (领导小组): the daily digest of a day's changes or the
    weekly report of a report day, generated and delivered by `manage.py send_dispatch`. Rows are created
    once per (kind, group, period) — the unique constraint — and claimed with a conditional UPDATE
    (landguard.projects.report_delivery), so however many loops run, each is generated and announced once."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("每日动态")
        WEEKLY = "weekly", _("周报")

    class Status(models.TextChoices):
        DUE = "due", _("待生成")
        SENDING = "sending", _("生成中")
        SENT = "sent", _("已送达")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    period = models.DateField(_("报告日期"), help_text=_("每日动态：所记录的日期；周报：报告日"))
    group = models.ForeignKey("people.OrgUnit", models.PROTECT, related_name="+", verbose_name=_("领导小组"))
    region_code = models.CharField(_("数据范围"), max_length=12, db_index=True)
    due_at = models.DateTimeField(_("计划送达时间"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.DUE, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    worker = models.CharField(_("处理进程"), max_length=60, blank=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    error = models.CharField(_("最近错误"), max_length=300, blank=True)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    docx = models.FileField(_("Word 文件"), upload_to="projects/dispatch/%Y/", blank=True)
    xlsx = models.FileField(_("Excel 文件"), upload_to="projects/dispatch/%Y/", blank=True)

    class Meta:
        ordering = ["-period", "kind", "region_code"]
        verbose_name = _("调度报告")
        verbose_name_plural = _("调度报告")
        constraints = [models.UniqueConstraint(fields=["kind", "period", "group"], name="dispatch_once_per_period")]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.period:%Y-%m-%d}"


# Re-exported: the models of the service to enterprises live in their own module (models/service.py).
from landguard.projects.models.service import RedFlag, ServiceRequest, ServiceVisit  # noqa: E402

__all__ = ["RedFlag", "ServiceRequest", "ServiceVisit"]
