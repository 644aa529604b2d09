"""The battle map's service to enterprises and its recognition: enterprises' requests handled by land service
commissioners, the responsible leaders' visits (上门服务) and the monthly red flag (流动红旗)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ServiceRequest(models.Model):
    """An enterprise's request handled by a land service commissioner (土地服务专员): "enter one door, find one
    person" — quota, expropriation, land transfer, registration."""

    class Kind(models.TextChoices):
        QUOTA = "quota", _("用地指标")
        EXPROPRIATION = "expropriation", _("土地征收")
        TRANSFER = "transfer", _("土地出让")
        REGISTRATION = "registration", _("不动产登记")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("办理中")
        RESOLVED = "resolved", _("已办结")

    enterprise = models.CharField(_("企业"), max_length=120)
    contact = models.CharField(_("联系人及电话"), max_length=80, blank=True)
    kind = models.CharField(_("诉求类型"), max_length=16, choices=Kind.choices)
    request = models.TextField(_("诉求内容"))
    project = models.ForeignKey("projects.Project", models.PROTECT, null=True, blank=True,
                                related_name="service_requests", verbose_name=_("关联项目"))
    steps = models.ManyToManyField("projects.Step", blank=True, related_name="service_requests",
                                   verbose_name=_("关联环节"))
    commissioner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                     verbose_name=_("土地服务专员"))
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("行政区"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    received_on = models.DateField(_("受理日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    outcome = models.TextField(_("办理结果"), blank=True)
    days_saved = models.PositiveIntegerField(_("节省天数"), null=True, blank=True)
    resolved_on = models.DateField(_("办结日期"), null=True, blank=True)

    class Meta:
        ordering = ["status", "-received_on", "id"]
        verbose_name = _("企业服务诉求")
        verbose_name_plural = _("企业服务诉求")

    def __str__(self) -> str:
        return f"{self.enterprise}：{self.get_kind_display()}"


class ServiceVisit(models.Model):
    """上门服务 (湖北): a responsible leader's visit to a key project's enterprise or site, so "every 包保领导 at least
    once before the year ends" is a query over these rows (selectors.visit_coverage), with a reminder on the
    leaders' homes from a configurable day of the year."""

    project = models.ForeignKey("projects.Project", models.PROTECT, related_name="visits", verbose_name=_("重点项目"))
    leader = models.CharField(_("走访领导"), max_length=50, help_text=_("与项目的包保领导同名时计入其走访"))
    visited_on = models.DateField(_("走访日期"))
    enterprise = models.CharField(_("走访企业/地点"), max_length=120, blank=True)
    content = models.TextField(_("了解的问题和诉求"))
    outcome = models.TextField(_("协调解决情况"), blank=True)
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("上门服务记录")
        verbose_name_plural = _("上门服务记录")

    def __str__(self) -> str:
        return _("%(leader)s %(day)s 走访%(project)s") % {"leader": self.leader, "day": f"{self.visited_on:%Y-%m-%d}",
                                                       "project": self.project.name}


class RedFlag(models.Model):
    """流动红旗: the month's leading service group, awarded once per month for a scope's root region (the county) by
    its leaders from the ranking (reports.ranking), with the figures it was awarded on kept as they stood — so "12 面
    红旗 since 2021" is a count, and a later change to a step does not rewrite a past award."""

    month = models.DateField(_("月份"), help_text=_("当月 1 日"))
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("评比范围"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    group = models.ForeignKey("projects.ServiceGroup", models.PROTECT, related_name="red_flags",
                              verbose_name=_("服务组"))
    closed = models.PositiveIntegerField(_("办结环节"), default=0)
    ahead = models.PositiveIntegerField(_("提前"), default=0)
    on_time = models.PositiveIntegerField(_("按期"), default=0)
    rate = models.DecimalField(_("按期率（%）"), max_digits=5, decimal_places=1, null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("授予人"))
    awarded_at = models.DateTimeField(_("授予时间"), default=timezone.now)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["-month", "region_code"]
        verbose_name = _("流动红旗")
        verbose_name_plural = _("流动红旗")
        constraints = [models.UniqueConstraint(fields=["region_code", "month"], name="redflag_once_per_month")]

    def __str__(self) -> str:
        return _("%(month)s 流动红旗：%(group)s") % {"month": f"{self.month:%Y-%m}", "group": self.group.name}
