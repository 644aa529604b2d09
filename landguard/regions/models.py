"""Administrative divisions (行政区划) with official codes, boundaries and code history.

A region's code says its level by length: 2 province, 4 city, 6 county, 9 township, 12 village.
Codes are hierarchical, so "is inside my scope" is a code-prefix test (see landguard.core.scope).
When an edition renames or recodes a division, the old row is kept, marked retired and pointed at its
successor; records that refer to the old row stay valid and scopes follow the chain (services.py).
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省级")
    CITY = 2, _("市级")
    COUNTY = 3, _("县级")
    TOWNSHIP = 4, _("乡级")
    VILLAGE = 5, _("村级")


CODE_LENGTH_LEVEL = {2: Level.PROVINCE, 4: Level.CITY, 6: Level.COUNTY, 9: Level.TOWNSHIP, 12: Level.VILLAGE}
LEVEL_CODE_LENGTH = {level: length for length, level in CODE_LENGTH_LEVEL.items()}


def parent_code(code: str) -> str | None:
    """The code one level up: 371525113 → 371525; None for a province."""
    lengths = sorted(CODE_LENGTH_LEVEL)
    index = lengths.index(len(code))
    return code[: lengths[index - 1]] if index else None


class Edition(models.Model):
    """One published version of the code table or of a boundary set (e.g. mca-xzqh-20251231)."""

    name = models.CharField(_("版本"), max_length=80, unique=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    published = models.DateField(_("发布日期"), null=True, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    report = models.JSONField(_("导入报告"), default=dict, blank=True)

    class Meta:
        ordering = ["-published", "-imported_at"]
        verbose_name = _("区划版本")
        verbose_name_plural = _("区划版本")

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices, db_index=True)
    kind = models.CharField(_("类型"), max_length=30, blank=True, help_text=_("街道、镇、乡、市辖区、县…"))
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("上级"))
    geom = models.MultiPolygonField(_("边界"), srid=4490, null=True, blank=True)
    area_m2 = models.FloatField(_("椭球面积（平方米）"), null=True, blank=True)
    boundary_source = models.CharField(_("边界来源"), max_length=200, blank=True)
    first_edition = models.ForeignKey(Edition, models.PROTECT, null=True, blank=True, related_name="+",
                                      verbose_name=_("始见版本"))
    retired_in = models.ForeignKey(Edition, models.PROTECT, null=True, blank=True, related_name="retired_regions",
                                   verbose_name=_("停用版本"))
    successor = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="predecessors",
                                  verbose_name=_("承继区划"))
    is_synthetic = models.BooleanField(_("合成数据"), default=False, help_text=_("演示用的合成边界或名称，非官方数据"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区")
        verbose_name_plural = _("行政区")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=Q(retired_in__isnull=True),
                                    name="region_current_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_current(self) -> bool:
        return self.retired_in_id is None

    def current(self) -> "Region":
        """Follow the successor chain to the region that stands for this one today."""
        region, seen = self, set()
        while region.successor_id and region.pk not in seen:
            seen.add(region.pk)
            region = region.successor
        return region


class CodeChange(models.Model):
    """What an edition changed: a division renamed, recoded, created or abolished. Append-only."""

    class Kind(models.TextChoices):
        RECODED = "recoded", _("代码变更")
        RENAMED = "renamed", _("更名")
        CREATED = "created", _("新设")
        ABOLISHED = "abolished", pgettext_lazy("a division abolished", "撤销")

    edition = models.ForeignKey(Edition, models.PROTECT, related_name="changes", verbose_name=_("版本"))
    kind = models.CharField(_("变更类型"), max_length=12, choices=Kind.choices)
    old_region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, related_name="changes_out")
    new_region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, related_name="changes_in")
    old_code = models.CharField(_("原代码"), max_length=12, blank=True)
    old_name = models.CharField(_("原名称"), max_length=100, blank=True)
    new_code = models.CharField(_("新代码"), max_length=12, blank=True)
    new_name = models.CharField(_("新名称"), max_length=100, blank=True)
    region_code = models.CharField(max_length=12, db_index=True, help_text="scope key: the surviving code")

    class Meta:
        ordering = ["-edition__published", "region_code"]
        verbose_name = _("区划变更")
        verbose_name_plural = _("区划变更")

    def __str__(self) -> str:
        old = f"{self.old_name}（{self.old_code}）" if self.old_code else ""
        new = f"{self.new_name}（{self.new_code}）" if self.new_code else ""
        return f"{self.get_kind_display()}：{old}{' → ' if old and new else ''}{new}"
