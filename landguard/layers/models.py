"""The layer registry (一张图 图层): typed, versioned spatial layers and their features.

A Layer is what a bureau calls a layer — "冠县 地类图斑", "冠县 永久基本农田" — owned by a region. Each import
makes a new LayerVersion (year, source, original CRS, field mapping, import report); exactly one version
per layer is current and is what the map, the overlay and the OGC API serve. Old versions stay readable
for audits ("what did the 2023 变更调查 say?").

Features carry the few typed columns the engine and the map need (land-class code, normalised 田坎系数,
权属性质 code, official area, region code for the scope) plus every other attribute of the source file in `properties`.
Geometry is EPSG:4490 (CGCS2000 lon/lat); `area_m2` is the CGCS2000 ellipsoidal area (core.geodesy),
the only area ever shown.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from landguard.engine.kinds import ControlKind


class LayerKind(models.TextChoices):
    DLTB = "dltb", _("地类图斑")
    BASIC_FARMLAND = "basic_farmland", _("永久基本农田")
    ECO_REDLINE = "eco_redline", _("生态保护红线")
    DEV_BOUNDARY = "dev_boundary", _("城镇开发边界")
    PLANNED = "planned", _("规划用地")
    APPROVED = "approved", _("已批用地")
    SUPPLIED = "supplied", _("已供用地")
    MINING = "mining", _("压覆矿产资源")
    PROJECT = "project", _("项目用地范围")
    CUSTOM = "custom", _("自定义图层")


# The control meaning of each kind for the overlay engine (None: not a control layer).
CONTROL_KIND: dict[str, ControlKind | None] = {
    LayerKind.DLTB: None,
    LayerKind.BASIC_FARMLAND: ControlKind.BASIC_FARMLAND,
    LayerKind.ECO_REDLINE: ControlKind.ECO_REDLINE,
    LayerKind.DEV_BOUNDARY: ControlKind.DEV_BOUNDARY,
    LayerKind.PLANNED: ControlKind.OTHER,
    LayerKind.APPROVED: ControlKind.APPROVED,
    LayerKind.SUPPLIED: ControlKind.SUPPLIED,
    LayerKind.MINING: ControlKind.MINING,
    LayerKind.PROJECT: ControlKind.OTHER,
    LayerKind.CUSTOM: ControlKind.OTHER,
}


# A county's code is six digits (371525); a layer owned by a county, a township or a village belongs to the
# county its code begins with. Layers of a city or a province are never official (they span counties).
COUNTY_CODE_LENGTH = 6


def county_of(region_code: str) -> str | None:
    """The county code a region code lies in, or None above county level."""
    return region_code[:COUNTY_CODE_LENGTH] if len(region_code) >= COUNTY_CODE_LENGTH else None


class GeometryKind(models.TextChoices):
    POLYGON = "polygon", _("面")
    LINE = "line", _("线")
    POINT = "point", _("点")


class Layer(models.Model):
    kind = models.CharField(_("图层类型"), max_length=20, choices=LayerKind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    slug = models.SlugField(_("标识"), max_length=60, unique=True,
                            help_text=_("用于网址和 OGC API 集合名：区划代码-图层类型，如 370000-dltb"))
    region = models.ForeignKey("regions.Region", models.PROTECT, related_name="+", verbose_name=_("所属行政区"))
    region_code = models.CharField(_("行政区代码"), max_length=12, db_index=True,
                                   help_text="scope key: the owning region's code")
    description = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    # 官方图层: the layer of its kind the overlay uses for its county by default (services.designate_official).
    # One per (county, kind): the county is the first six digits of the owning region's code.
    is_official = models.BooleanField(_("官方图层"), default=False)

    class Meta:
        ordering = ["region_code", "kind", "name"]
        verbose_name = _("图层")
        verbose_name_plural = _("图层")
        constraints = [
            models.UniqueConstraint(fields=["region_code", "kind", "name"], name="layer_unique_name"),
            models.UniqueConstraint(Left("region_code", COUNTY_CODE_LENGTH), "kind", condition=Q(is_official=True),
                                    name="layer_one_official_per_county"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def control_kind(self) -> ControlKind | None:
        return CONTROL_KIND[self.kind]


class LayerVersion(models.Model):
    layer = models.ForeignKey(Layer, models.CASCADE, related_name="versions", verbose_name=_("图层"))
    number = models.PositiveIntegerField(_("版本号"))
    is_current = models.BooleanField(_("现行版本"), default=True, db_index=True)
    # A new version of a layer that already has a current one waits as a draft until a manager publishes it
    # (services.publish), so a wrong file never replaces what the map and the overlay serve.
    is_draft = models.BooleanField(_("草稿"), default=False)
    year = models.PositiveSmallIntegerField(_("数据年份"), null=True, blank=True)
    source = models.CharField(_("数据来源"), max_length=200, blank=True, help_text=_("如：2023年度国土变更调查"))
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    source_format = models.CharField(_("文件格式"), max_length=20, blank=True)
    source_crs = models.CharField(_("原坐标系"), max_length=30, blank=True,
                                  help_text=_("如 epsg:4527、cgcs2000、gcj02"))
    encoding = models.CharField(_("文本编码"), max_length=20, blank=True)
    field_mapping = models.JSONField(_("字段对应"), default=dict, blank=True, help_text="standard field → source field")
    geometry_kind = models.CharField(_("几何类型"), max_length=10, choices=GeometryKind.choices,
                                     default=GeometryKind.POLYGON)
    feature_count = models.PositiveIntegerField(_("要素数"), default=0)
    area_m2 = models.FloatField(_("椭球面积合计（平方米）"), default=0)
    extent = models.PolygonField(_("范围"), srid=4490, null=True, blank=True)
    report = models.JSONField(_("导入报告"), default=list, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("导入人"))
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)

    class Meta:
        ordering = ["layer", "-number"]
        verbose_name = _("图层版本")
        verbose_name_plural = _("图层版本")
        constraints = [
            models.UniqueConstraint(fields=["layer", "number"], name="layerversion_unique_number"),
            models.UniqueConstraint(fields=["layer"], condition=Q(is_current=True), name="layerversion_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.layer.name} v{self.number}"


class Feature(models.Model):
    # No index of its own: the (version, index) index serves every lookup by version (and each index costs
    # ~0.4 s per 500 000 rows on import).
    version = models.ForeignKey(LayerVersion, models.CASCADE, related_name="features", verbose_name=_("图层版本"),
                                db_index=False)
    index = models.PositiveIntegerField(_("序号"), help_text="0-based position in the source file")
    region_code = models.CharField(_("坐落行政区代码"), max_length=12, db_index=True,
                                   help_text="scope key: the village or township the feature lies in, else the "
                                   "layer's region")
    # The county the feature lies in: the first six digits of region_code ("" for a city's or a province's own
    # code). A real column because PostgreSQL partitions the table by it (LIST, one partition per county,
    # layers.partitions) and a partitioned table's primary key must contain the partition key: there the
    # key is (id, county_code), ids staying unique through the one sequence; Django still knows `id` as the pk.
    county_code = models.CharField(_("县级代码"), max_length=6, blank=True, default="",
                                   help_text="partition key on PostgreSQL: region_code[:6]")
    fid = models.CharField(_("要素编号"), max_length=60, blank=True, help_text=_("BSM、TBBH、地块编号等"))
    code = models.CharField(_("地类编码"), max_length=10, blank=True, db_index=True)
    kcxs = models.FloatField(_("扣除地类系数"), default=0, help_text=_("田坎系数，已换算为小数"))
    # 权属性质 (QSXZ) code as surveyed, read as its code text ("10", "30" …; engine.ownership); blank when the
    # parcel or the file has none — counted as 未标注, never guessed.
    qsxz = models.CharField(_("权属性质"), max_length=2, blank=True, default="",
                            help_text=_("权属性质代码：10、20 国有，30–34、40 集体；空为未标注"))
    area_m2 = models.FloatField(_("椭球面积（平方米）"), default=0)
    stored_area_m2 = models.FloatField(_("原图斑面积（平方米）"), null=True, blank=True,
                                       help_text=_("文件中的 TBMJ 等"))
    overlaps_other = models.BooleanField(default=False,
                                         help_text="its interior meets another feature's of the same version")
    properties = models.JSONField(_("属性"), default=dict, blank=True)
    # The lowest zoom at which the feature spans a screen pixel (layers.mvt.min_zooms), written at import: a
    # generalised (dense) vector tile keeps the features with min_zoom ≤ z, the ones showing from the lowest zoom
    # first and then the largest, read in the order of the (version, min_zoom, −area) index below instead of
    # measuring and sorting every candidate per tile (docs/performance.md, tiles).
    min_zoom = models.PositiveSmallIntegerField(_("最小显示级别"), default=0)
    geom = models.GeometryField(_("几何"), srid=4490)

    class Meta:
        ordering = ["version", "index"]
        verbose_name = _("要素")
        verbose_name_plural = _("要素")
        indexes = [models.Index(fields=["version", "index"], name="feature_version_index"),
                   models.Index(fields=["version", "min_zoom", "-area_m2"], name="feature_version_min_zoom"),
                   # The search box finds a parcel by its number (selectors.parcels_numbered).
                   models.Index(fields=["version", "fid"], name="feature_version_fid")]

    def __str__(self) -> str:
        return self.fid or f"#{self.index}"

    def save(self, *args, **kwargs) -> None:
        # Written wherever region_code is written: the bulk import (bulk.insert_features) sets both itself.
        self.county_code = county_of(self.region_code) or ""
        fields = kwargs.get("update_fields")
        if fields is not None and "region_code" in fields and "county_code" not in fields:
            kwargs["update_fields"] = [*fields, "county_code"]
        super().save(*args, **kwargs)
