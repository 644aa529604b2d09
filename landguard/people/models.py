"""Organisation and people: org units, users with a role and a region scope, and the field-chief (田长)
hierarchy with the regions and grids each chief answers for."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from landguard.regions.models import Region


class OrgUnit(models.Model):
    class Kind(models.TextChoices):
        PROVINCE_DEPARTMENT = "province_department", _("省自然资源厅")
        CITY_BUREAU = "city_bureau", _("市自然资源和规划局")
        COUNTY_BUREAU = "county_bureau", _("县自然资源和规划局")
        TOWNSHIP_OFFICE = "township_office", _("乡镇自然资源所")
        TOWNSHIP_GOVERNMENT = "township_government", _("乡镇人民政府（街道办事处）")
        ENFORCEMENT_SQUAD = "enforcement_squad", _("执法中队")
        SERVICE_TEAM = "service_team", _("项目服务专班")
        LEADERSHIP_GROUP = "leadership_group", _("领导小组")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    region = models.ForeignKey(Region, models.PROTECT, related_name="org_units", verbose_name=_("所在行政区"))
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("上级单位"))
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["region__code", "kind", "name"]
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    LEADER = "leader", _("领导")
    STAFF = "staff", _("业务人员")
    ENFORCEMENT = "enforcement", _("执法人员")
    FIELD_CHIEF = "field_chief", pgettext_lazy("one person", "田长")
    VIEWER = "viewer", _("只读用户")


class User(AbstractUser):
    """A LandGuard user. Every user sees only the regions under scope_region (landguard.core.scope)."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, null=True, blank=True, related_name="members",
                                 verbose_name=_("所属单位"))
    scope_region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("数据范围"))
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def can_manage(self) -> bool:
        """Admins manage org units, users and imports inside their scope."""
        return self.is_superuser or self.role == Role.ADMIN


class Grid(models.Model):
    """A field-chief grid (网格): part of a village's farmland, usually one villagers' group."""

    code = models.CharField(_("网格编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    village = models.ForeignKey(Region, models.PROTECT, related_name="grids", verbose_name=_("所属村"))
    geom = models.MultiPolygonField(_("范围"), srid=4490, null=True, blank=True)
    area_m2 = models.FloatField(_("椭球面积（平方米）"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("网格")
        verbose_name_plural = _("网格")

    def __str__(self) -> str:
        return self.name


class FieldChief(models.Model):
    class Level(models.IntegerChoices):
        COUNTY = 1, _("县级田长")
        TOWNSHIP = 2, _("乡级田长")
        VILLAGE = 3, _("村级田长")
        GRID = 4, _("网格田长")

    user = models.OneToOneField(User, models.PROTECT, related_name="field_chief", verbose_name=_("用户"))
    level = models.PositiveSmallIntegerField(_("田长级别"), choices=Level.choices)
    region = models.ForeignKey(Region, models.PROTECT, related_name="field_chiefs", verbose_name=_("责任区域"))
    grids = models.ManyToManyField(Grid, blank=True, related_name="chiefs", verbose_name=_("责任网格"))
    superior = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="subordinates",
                                 verbose_name=_("上级田长"))
    title = models.CharField(_("职务"), max_length=60, blank=True, help_text=_("如：县长、镇长、村党支部书记"))
    is_synthetic = models.BooleanField(_("合成数据"), default=False)

    class Meta:
        ordering = ["level", "region__code"]
        verbose_name = pgettext_lazy("one person", "田长")
        verbose_name_plural = _("田长")

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.user}"


def acting_user(request: Any) -> User | None:
    """The signed-in user of a request as the services take their actor (None for an anonymous request, which no
    @scoped view lets through): request.user typed as the services expect it."""
    user = getattr(request, "user", None)
    return user if isinstance(user, User) else None
