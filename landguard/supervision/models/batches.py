"""The results of a province batch (supervision/batches.py): a year's 卫片 patches classified county by county
against each county's current layers, by a background job running on Dask.

Written once per (job, county): the county row is the marker, created first in the transaction that inserts the
county's patch rows, and unique on (job, county) — so a county written by a run that is later retried is skipped,
and a second writer racing for it fails on the constraint and writes nothing. The patch's own figures (those of
its import) are left as they were: these rows are what the current survey says of it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from landguard.jobs.models import Job
from landguard.layers.models import LayerVersion
from landguard.supervision.models.patches import Patch


class ProvinceBatchCounty(models.Model):
    job = models.ForeignKey(Job, models.CASCADE, related_name="+", verbose_name=_("后台任务"))
    region_code = models.CharField(_("县（区）代码"), max_length=12)
    year = models.PositiveSmallIntegerField(_("年度"))
    dltb = models.ForeignKey(LayerVersion, models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("地类图斑图层版本"))
    basic_farmland = models.ForeignKey(LayerVersion, models.SET_NULL, null=True, blank=True, related_name="+",
                                       verbose_name=_("永久基本农田图层版本"))
    approved = models.ForeignKey(LayerVersion, models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("已批用地图层版本"))
    patch_count = models.PositiveIntegerField(_("图斑数"), default=0)
    farmland_count = models.PositiveIntegerField(_("占用耕地图斑数"), default=0)
    farmland_net_m2 = models.FloatField(_("占用耕地（平方米）"), default=0.0, help_text=_("净面积（扣除田坎）"))
    basic_farmland_count = models.PositiveIntegerField(_("占用永久基本农田图斑数"), null=True, blank=True)
    unapproved_count = models.PositiveIntegerField(_("未被已批用地覆盖图斑数"), null=True, blank=True)
    seconds = models.FloatField(_("计算用时（秒）"), default=0.0, help_text="the task's wall time in its worker")
    cpu_seconds = models.FloatField(_("CPU 用时（秒）"), default=0.0,
                                    help_text="the CPU time of the task's thread: beside `seconds`, how much of the "
                                    "wall time the worker actually had a core")
    written_at = models.DateTimeField(_("写入时间"))

    class Meta:
        ordering = ["job", "region_code"]
        verbose_name = _("分县分类结果")
        verbose_name_plural = _("分县分类结果")
        constraints = [models.UniqueConstraint(fields=["job", "region_code"], name="provincebatchcounty_once")]

    def __str__(self) -> str:
        return gettext("%(year)s 年度卫片分县分类结果（%(county)s）") % {"year": self.year, "county": self.region_code}


class ProvinceBatchPatch(models.Model):
    job = models.ForeignKey(Job, models.CASCADE, related_name="+", verbose_name=_("后台任务"))
    patch = models.ForeignKey(Patch, models.CASCADE, related_name="+", verbose_name=_("卫片图斑"))
    region_code = models.CharField(_("县（区）代码"), max_length=12, db_index=True)
    farmland_gross_m2 = models.FloatField(_("占用耕地毛面积（平方米）"))
    farmland_net_m2 = models.FloatField(_("占用耕地（平方米）"), help_text=_("净面积（扣除田坎）"))
    basic_farmland_m2 = models.FloatField(_("占用永久基本农田（平方米）"), null=True, blank=True)
    approved_m2 = models.FloatField(_("已批用地覆盖（平方米）"), null=True, blank=True)
    unapproved_m2 = models.FloatField(_("未被已批用地覆盖（平方米）"), null=True, blank=True)
    main_code = models.CharField(_("主要地类（三调）"), max_length=10, blank=True)

    class Meta:
        ordering = ["job", "patch"]
        verbose_name = _("图斑分类结果")
        verbose_name_plural = _("图斑分类结果")
        constraints = [models.UniqueConstraint(fields=["job", "patch"], name="provincebatchpatch_once")]

    def __str__(self) -> str:
        return gettext("卫片图斑 %(patch)s 的分县分类结果") % {"patch": self.patch}
