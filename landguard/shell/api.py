"""The API's base pieces every app's viewsets and serializers build on: who may call which method, the page size,
the scoped viewset base (marked for the access walk, digits-only ids) and the area fields. Here, below the domain
apps, so `layers`, `projects` and `supervision` declare their API without importing the api app."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request

from landguard.core import geodesy
from landguard.core.access import SCOPED
from landguard.core.scope import RegionScope, scope_for


class ManagerWritesOnly(BasePermission):
    """Any signed-in user reads (inside their scope); only admins (User.can_manage) create or change."""

    message = _("您没有修改此类数据的权限。")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or bool(getattr(user, "can_manage", False))


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ScopedViewSetMixin:
    """Base of every data view in the API: marked "scoped" for the access walk, login required, and
    `self.scope` is the caller's RegionScope to hand to selectors (the only source of querysets here)."""

    landguard_access = SCOPED
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    # Ids are numbers: the router's pattern for `{pk}` (detail routes and their actions) accepts digits only, so
    # `/api/problems/false/close/` is an unknown URL (404) before any view turns the id into an int. Viewsets
    # looked up by code or slug set their own pattern.
    lookup_value_regex = r"[0-9]+"
    request: Request

    @property
    def scope(self) -> RegionScope:
        return scope_for(self.request.user)


REGION_CODE = re.compile(r"[0-9]{2,12}")


@extend_schema_field({"type": "string", "description": "区划代码（2–12 位数字）"})
class RegionCodeField(serializers.SlugRelatedField):
    """A region named by its code, found only among `regions(scope)` of the caller: a code outside the scope is
    "not found" (400), exactly as if it did not exist. The one region field of every write serializer.

    Anything but a 2–12 digit code is refused before a query is made: a NUL byte in the value would otherwise
    reach PostgreSQL, which refuses it with an error of its own (a 500), where SQLite simply finds nothing."""

    def __init__(self, regions: Callable[[RegionScope], QuerySet], **kwargs: Any) -> None:
        self.regions = regions
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self) -> QuerySet:
        return self.regions(scope_for(self.context["request"].user))

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, int) and not isinstance(data, bool):
            data = str(data)  # 371525 sent as a number by a client that reads codes as numbers
        if not isinstance(data, str) or not REGION_CODE.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.DOUBLE)
class AreaField(serializers.Field):
    """`area_m2` converted to another unit; null when the boundary (and so the area) is unknown."""

    def __init__(self, convert: Callable[[float], float], **kwargs: Any) -> None:
        super().__init__(source="area_m2", read_only=True, allow_null=True, **kwargs)
        self.convert = convert

    def to_representation(self, value: float) -> float:
        return self.convert(value)


class AreaMixin(serializers.Serializer):
    area_m2 = serializers.FloatField(read_only=True, allow_null=True, help_text=_("CGCS2000 椭球面积（平方米）"))
    area_ha = AreaField(geodesy.hectares, help_text=_("面积（公顷，4位小数）"))
    area_mu = AreaField(geodesy.mu, help_text=_("面积（亩，2位小数；1亩 = 2000/3 平方米）"))
