"""Plan indicators down to townships (规划指标分解) and the rural idle-land ledger (闲散土地台账).

A county's 国土空间规划 (`CountyPlan`) holds one `Indicator` per kind with the county's value in 亩; the county splits
each to its townships (`Breakdown`: the township's 分解值 and the deadline by which the township finishes its own
breakdown and layout, 具体分解和布局). Every change of a township's value or deadline is appended to
`BreakdownChange`, which is never changed or deleted (`save` and the queryset refuse it; migration 0002's triggers
refuse UPDATE and DELETE in the database). The current value of each township (`Measurement`, 现状值) is what the
overlay engine measures on the county's official layers (services.measure), stored with when and from which layers.

`IdleParcel` is a parcel of idle rural land identified on site (闲散土地 指认) in one village: its area is the
ellipsoidal area of a drawn or uploaded geometry, or an entered figure when only a figure exists (`area_source`
says which).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.gis.db import models as gis
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from landguard.regions.models import Region


class IndicatorKind(models.TextChoices):
    FARMLAND = "farmland", _("耕地保有量")
    BASIC_FARMLAND = "basic_farmland", _("永久基本农田保护面积")
    ECO_REDLINE = "eco_redline", _("生态保护红线面积")
    DEV_BOUNDARY = "dev_boundary", _("城镇开发边界面积")
    CONSTRUCTION = "construction", _("建设用地总规模")
    NEW_CONSTRUCTION = "new_construction", _("新增建设用地规模")


# 约束性 indicators met by holding at least the target (不低于); the others are caps (不超过).
FLOOR_KINDS = frozenset({IndicatorKind.FARMLAND, IndicatorKind.BASIC_FARMLAND, IndicatorKind.ECO_REDLINE})


class CountyPlan(models.Model):
    """A county's 国土空间总体规划 as far as its indicators go: one per county."""

    region = models.OneToOneField(Region, models.PROTECT, related_name="+", verbose_name=_("县级行政区"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    name = models.CharField(_("规划名称"), max_length=120)
    document_no = models.CharField(_("批复文号或来源文件"), max_length=160)
    base_year = models.PositiveSmallIntegerField(_("基期年"))
    target_year = models.PositiveSmallIntegerField(_("规划目标年"))
    dev_boundary_factor = models.DecimalField(_("城镇开发边界扩展倍数"), max_digits=5, decimal_places=3, null=True,
                                              blank=True)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["region_code"]
        verbose_name = _("国土空间规划指标")
        verbose_name_plural = _("国土空间规划指标")

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    plan = models.ForeignKey(CountyPlan, models.CASCADE, related_name="indicators", verbose_name=_("规划"))
    kind = models.CharField(_("指标"), max_length=20, choices=IndicatorKind.choices)
    county_value = models.DecimalField(_("县级指标（亩）"), max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = _("规划指标")
        verbose_name_plural = _("规划指标")
        constraints = [models.UniqueConstraint(fields=["plan", "kind"], name="planning_indicator_unique")]

    def __str__(self) -> str:
        return f"{self.plan.name} {self.get_kind_display()}"

    @property
    def is_floor(self) -> bool:
        return self.kind in FLOOR_KINDS


class Breakdown(models.Model):
    """One township's share of an indicator (分解值) and its deadline for the township's own breakdown and layout."""

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="breakdowns", verbose_name=_("规划指标"))
    township = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("乡镇（街道）"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    target = models.DecimalField(_("分解值（亩）"), max_digits=14, decimal_places=4)
    deadline = models.DateField(_("分解布局期限"))
    laid_out_on = models.DateField(_("完成分解布局日期"), null=True, blank=True)

    class Meta:
        ordering = ["indicator", "region_code"]
        verbose_name = _("指标分解")
        verbose_name_plural = _("指标分解")
        constraints = [models.UniqueConstraint(fields=["indicator", "township"], name="planning_breakdown_unique")]

    def __str__(self) -> str:
        return f"{self.township.name} {self.indicator.get_kind_display()}"


class AppendOnly(Exception):
    """An attempt to change or delete a breakdown change."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("breakdown changes are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("breakdown changes are append-only")


class BreakdownChange(models.Model):
    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="changes", verbose_name=_("规划指标"))
    township = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("乡镇（街道）"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    old_target = models.DecimalField(_("原分解值（亩）"), max_digits=14, decimal_places=4, null=True, blank=True)
    new_target = models.DecimalField(_("新分解值（亩）"), max_digits=14, decimal_places=4)
    old_deadline = models.DateField(_("原期限"), null=True, blank=True)
    new_deadline = models.DateField(_("新期限"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("经办人"))
    changed_at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("指标分解变更")
        verbose_name_plural = _("指标分解变更")

    def __str__(self) -> str:
        return f"{self.township.name} {self.indicator.get_kind_display()} {self.new_target}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("breakdown changes are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("breakdown changes are append-only")


class Measurement(models.Model):
    """现状值: what the engine measured for one township and indicator kind on the county's official layers."""

    plan = models.ForeignKey(CountyPlan, models.CASCADE, related_name="measurements", verbose_name=_("规划"))
    township = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("乡镇（街道）"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    kind = models.CharField(_("指标"), max_length=20, choices=IndicatorKind.choices)
    area_m2 = models.FloatField(_("现状面积（平方米）"))
    basis = models.CharField(_("测算依据"), max_length=300, blank=True)
    measured_at = models.DateTimeField(_("测算时间"), default=timezone.now)

    class Meta:
        ordering = ["plan", "region_code", "kind"]
        verbose_name = _("指标现状值")
        verbose_name_plural = _("指标现状值")
        constraints = [models.UniqueConstraint(fields=["plan", "township", "kind"], name="planning_measure_unique")]

    def __str__(self) -> str:
        return f"{self.township.name} {self.get_kind_display()}"


# --- rural idle land (闲散土地) ---------------------------------------------------------------------------


class CurrentUse(models.TextChoices):  # 待确认: the bureau's own list (domain-land.md §D, I)
    VACANT = "vacant", _("空闲地")
    HOMESTEAD = "homestead", _("废弃（闲置）宅基地")
    POND = "pond", _("废弃坑塘")
    MINING = "mining", _("废弃工矿用地")
    CORNER = "corner", _("边角地")
    OTHER = "other", _("其他")


class PlannedReuse(models.TextChoices):  # 待确认
    FARMLAND = "farmland", _("复垦为耕地")
    LINKAGE = "linkage", _("增减挂钩复垦")
    CONSTRUCTION = "construction", _("村庄建设")
    FACILITY = "facility", _("设施农业")
    ECOLOGY = "ecology", _("生态修复或绿化")
    OTHER = "other", _("其他")


class IdleStatus(models.TextChoices):
    IDENTIFIED = "identified", _("已指认")
    IN_PROGRESS = "in_progress", _("整治中")
    REUSED = "reused", _("已盘活")


class AreaSource(models.TextChoices):
    DRAWN = "drawn", _("地图绘制")
    UPLOADED = "uploaded", _("上传范围")
    ENTERED = "entered", _("填报面积")


class IdleParcel(models.Model):
    village = models.ForeignKey(Region, models.PROTECT, related_name="+", verbose_name=_("村（社区）"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True)
    name = models.CharField(_("地块名称或位置"), max_length=120)
    area_m2 = models.FloatField(_("面积（平方米）"))
    area_source = models.CharField(_("面积来源"), max_length=10, choices=AreaSource.choices)
    geom = gis.MultiPolygonField(_("范围"), srid=4490, null=True, blank=True)
    current_use = models.CharField(_("现状用途"), max_length=12, choices=CurrentUse.choices)
    planned_reuse = models.CharField(_("拟利用方向"), max_length=12, choices=PlannedReuse.choices)
    status = models.CharField(_("状态"), max_length=12, choices=IdleStatus.choices, default=IdleStatus.IDENTIFIED)
    identified_on = models.DateField(_("指认日期"))
    note = models.CharField(_("备注"), max_length=300, blank=True)
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["region_code", "name", "id"]
        verbose_name = _("闲散土地")
        verbose_name_plural = _("闲散土地")

    def __str__(self) -> str:
        return f"{self.village.name} {self.name}"

    @property
    def township_code(self) -> str:
        return self.region_code[:9]


ZERO = Decimal(0)
