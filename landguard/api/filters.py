"""Query-string filters. They only narrow a queryset that a selector has already limited to the caller's
scope. Related objects are filtered by code or id (CharFilter/IdFilter), never by a ModelChoiceFilter:
its choice list would be rendered from an unscoped queryset in the browsable API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

from landguard.core.boxes import box
from landguard.audit.models import AuditEntry
from landguard.core.datetimes import check_storable
from landguard.people.models import FieldChief, Grid, OrgUnit, Role, User
from landguard.regions.models import CodeChange, Level, Region


# Ids are 64-bit row numbers (BigAutoField). django-filter's NumberFilter reads any decimal, and a value no
# database integer holds (`?superior=3.4e38`, `?user=1.5`) reached SQLite as an overflow (500). These answer
# 400 naming the parameter instead.
ID_MAX = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": ID_MAX})
class IdFilter(filters.NumberFilter):
    field_class = IdField


class BoundedIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value: Any) -> dt.datetime | None:
        parsed = super().to_python(value)
        return None if parsed is None else check_storable(parsed)


class DateTimeFilter(filters.IsoDateTimeFilter):
    """ISO 8601 date-time filter whose offset and instant every supported database can store: `…+19:47`
    answered PostgreSQL's DataError (500), now 400 naming the parameter (core/datetimes.py)."""

    field_class = BoundedIsoDateTimeField


class RegionFilter(filters.FilterSet):
    level = filters.ChoiceFilter(choices=Level.choices, help_text=_("级别：1省 2市 3县 4乡 5村"))
    parent = filters.CharFilter(field_name="parent__code", help_text=_("上级区划代码"))
    name = filters.CharFilter(lookup_expr="icontains", help_text=_("名称包含"))
    # Read by the view, which passes it to the selector (retired rows are excluded there, not here).
    include_retired = filters.BooleanFilter(method="_selector_option", help_text=_("包含已停用的区划"))

    class Meta:
        model = Region
        fields = ["level", "parent", "name", "include_retired"]

    def _selector_option(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset


class CodeChangeFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=CodeChange.Kind.choices)
    edition = filters.CharFilter(field_name="edition__name", help_text=_("区划版本名称"))
    code = filters.CharFilter(method="_code", help_text=_("原代码或新代码"))

    class Meta:
        model = CodeChange
        fields = ["kind", "edition", "code"]

    def _code(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(old_code=value) | Q(new_code=value))


class OrgUnitFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=OrgUnit.Kind.choices)
    region = filters.CharFilter(field_name="region__code", help_text=_("所在行政区代码"))
    parent = IdFilter(field_name="parent_id", help_text=_("上级单位编号"))
    name = filters.CharFilter(lookup_expr="icontains", help_text=_("名称包含"))

    class Meta:
        model = OrgUnit
        fields = ["kind", "region", "parent", "name"]


class UserFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices)
    org_unit = IdFilter(field_name="org_unit_id", help_text=_("所属单位编号"))
    scope_region = filters.CharFilter(field_name="scope_region__code", help_text=_("数据范围的区划代码"))
    q = filters.CharFilter(method="_search", help_text=_("用户名或姓名包含"))

    class Meta:
        model = User
        fields = ["role", "org_unit", "scope_region", "is_active", "q"]

    def _search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value))


class GridFilter(filters.FilterSet):
    village = filters.CharFilter(field_name="village__code", help_text=_("所属村的区划代码"))
    name = filters.CharFilter(lookup_expr="icontains", help_text=_("名称包含"))

    class Meta:
        model = Grid
        fields = ["village", "name"]


class FieldChiefFilter(filters.FilterSet):
    level = filters.ChoiceFilter(choices=FieldChief.Level.choices)
    region = filters.CharFilter(field_name="region__code", help_text=_("责任区域代码"))
    superior = IdFilter(field_name="superior_id", help_text=_("上级田长编号"))
    user = IdFilter(field_name="user_id", help_text=_("用户编号"))

    class Meta:
        model = FieldChief
        fields = ["level", "region", "superior", "user"]


class AuditEntryFilter(filters.FilterSet):
    target_type = filters.CharFilter(help_text=_("对象类型，如 people.orgunit"))
    target_id = filters.CharFilter(help_text=_("对象编号"))
    action = filters.ChoiceFilter(choices=AuditEntry.Action.choices)
    actor = IdFilter(field_name="actor_id", help_text=_("操作人编号"))
    region_code = filters.CharFilter(lookup_expr="startswith", help_text=_("区划代码（前缀匹配）"))
    since = DateTimeFilter(field_name="at", lookup_expr="gte", help_text=_("起始时间（ISO 8601）"))
    until = DateTimeFilter(field_name="at", lookup_expr="lt", help_text=_("截止时间（ISO 8601，不含）"))

    class Meta:
        model = AuditEntry
        fields = ["target_type", "target_id", "action", "actor", "region_code", "since", "until"]


class BBoxFilter(BaseFilterBackend):
    """`?bbox=minx,miny,maxx,maxy` in CGCS2000 degrees: features whose geometry intersects the box.

    rest_framework_gis's InBBoxFilter uses bbox operators whose SpatiaLite meaning (MbrOverlaps) excludes
    containment, so a box drawn inside one village would miss it; `intersects` means the same on both databases.
    """

    param = "bbox"
    field = "geom"

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        raw = request.query_params.get(self.param)
        if not raw:
            return queryset
        try:
            minx, miny, maxx, maxy = (float(part) for part in raw.split(","))
        except ValueError:
            raise ValidationError({self.param: _("bbox 应为 minx,miny,maxx,maxy 四个数。")}) from None
        if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
            raise ValidationError({self.param: _("bbox 超出经纬度范围，或最小值不小于最大值。")})
        return queryset.filter(**{f"{self.field}__intersects": box((minx, miny, maxx, maxy))})

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        return [{
            "name": self.param, "required": False, "in": "query",
            "description": str(_("范围框 minx,miny,maxx,maxy（CGCS2000 经纬度），返回与之相交的要素")),
            "schema": {"type": "string", "example": "115.40,36.45,115.50,36.52"},
        }]
