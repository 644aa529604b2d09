"""Plan indicators and the rural idle-land ledger in the REST API, read through the selectors with the caller's scope.

    GET /api/planning/breakdowns/      each township's share: target, current value, gap (亩), deadline, status
                                       (?kind=&township=)
    GET /api/planning/idle-parcels/    the 闲散土地 ledger (?township=&village=&status=&planned_reuse=)
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from landguard.core.geodesy import SQM_PER_MU
from landguard.planning import selectors
from landguard.planning.models import Breakdown, IdleParcel, IdleStatus, IndicatorKind, PlannedReuse
from landguard.shell.api import ScopedViewSetMixin


class PlanningBreakdownSerializer(serializers.ModelSerializer):
    township_code = serializers.CharField(source="region_code", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)
    indicator = serializers.CharField(source="indicator.kind", read_only=True)
    indicator_display = serializers.CharField(source="indicator.get_kind_display", read_only=True)
    target_mu = serializers.DecimalField(source="target", max_digits=14, decimal_places=4, read_only=True)
    current_mu = serializers.SerializerMethodField()
    gap_mu = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    status_display = serializers.SerializerMethodField()

    class Meta:
        model = Breakdown
        fields = ["id", "township_code", "township_name", "indicator", "indicator_display", "target_mu", "current_mu",
                  "gap_mu", "deadline", "laid_out_on", "status", "status_display"]

    def _current(self, b: Breakdown) -> float | None:
        values = self.context.setdefault("measured", {})
        key = (b.indicator.plan_id, b.region_code, b.indicator.kind)
        if key not in values:
            m = b.indicator.plan.measurements.filter(region_code=b.region_code, kind=b.indicator.kind).first()
            values[key] = round(m.area_m2 / SQM_PER_MU, 4) if m else None
        return values[key]

    def get_current_mu(self, b: Breakdown) -> float | None:
        return self._current(b)

    def get_gap_mu(self, b: Breakdown) -> float | None:
        current = self._current(b)
        return None if current is None else round(current - float(b.target), 4)

    def get_status(self, b: Breakdown) -> str:
        return selectors.status_of(b.indicator.kind, b.target, self._current(b), b.deadline, b.laid_out_on)

    def get_status_display(self, b: Breakdown) -> str:
        return str(selectors.Status.LABELS[self.get_status(b)])


class IdleParcelSerializer(serializers.ModelSerializer):
    village_code = serializers.CharField(source="region_code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    township_name = serializers.CharField(source="village.parent.name", read_only=True, allow_null=True)
    area_mu = serializers.SerializerMethodField()
    area_source = serializers.CharField(read_only=True)
    current_use = serializers.CharField(read_only=True)
    planned_reuse = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = IdleParcel
        fields = ["id", "village_code", "village_name", "township_name", "name", "area_m2", "area_mu", "area_source",
                  "current_use", "planned_reuse", "status", "status_display", "identified_on", "note"]

    def get_area_mu(self, p: IdleParcel) -> float:
        return round(p.area_m2 / SQM_PER_MU, 4)


def _code(value: str | None, length: int) -> str | None:
    return value if value and value.isdigit() and len(value) <= length else None


@extend_schema_view(
    list=extend_schema(summary=_("规划指标分解到乡镇"), parameters=[
        OpenApiParameter("kind", OpenApiTypes.STR, enum=IndicatorKind.values, description=_("指标")),
        OpenApiParameter("township", OpenApiTypes.STR, description=_("乡镇区划代码"))]),
    retrieve=extend_schema(summary=_("规划指标分解到乡镇")))
class BreakdownViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,  # type: ignore[misc]
                      viewsets.GenericViewSet):
    serializer_class = PlanningBreakdownSerializer

    def get_queryset(self) -> QuerySet:
        queryset = selectors.breakdowns(self.scope).select_related("indicator__plan").order_by("region_code", "id")
        params: Any = self.request.query_params
        if (kind := params.get("kind")) in IndicatorKind.values:
            queryset = queryset.filter(indicator__kind=kind)
        if township := _code(params.get("township"), 9):
            queryset = queryset.filter(region_code__startswith=township)
        return queryset


@extend_schema_view(
    list=extend_schema(summary=_("闲散土地台账"), parameters=[
        OpenApiParameter("township", OpenApiTypes.STR, description=_("乡镇区划代码")),
        OpenApiParameter("village", OpenApiTypes.STR, description=_("村区划代码")),
        OpenApiParameter("status", OpenApiTypes.STR, enum=IdleStatus.values, description=_("状态")),
        OpenApiParameter("planned_reuse", OpenApiTypes.STR, enum=PlannedReuse.values, description=_("拟利用方向"))]),
    retrieve=extend_schema(summary=_("闲散土地")))
class IdleParcelViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,  # type: ignore[misc]
                        viewsets.GenericViewSet):
    serializer_class = IdleParcelSerializer

    def get_queryset(self) -> QuerySet:
        queryset = selectors.idle_parcels(self.scope).order_by("region_code", "id")
        params: Any = self.request.query_params
        for key, length in (("township", 9), ("village", 12)):
            if code := _code(params.get(key), length):
                queryset = queryset.filter(region_code__startswith=code)
        if (status := params.get("status")) in IdleStatus.values:
            queryset = queryset.filter(status=status)
        if (reuse := params.get("planned_reuse")) in PlannedReuse.values:
            queryset = queryset.filter(planned_reuse=reuse)
        return queryset
