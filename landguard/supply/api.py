"""Land supply in the REST API, read through the selectors with the caller's scope (writes are on the pages):

    GET /api/supply/records/            the 供地台账 (filters: kind, use, status, year)
    GET /api/supply/records/{id}/       one record with its pieces per dossier, instalments and payments
    GET /api/supply/items/              the 两清 board (filters: kind, cause, status)
    GET /api/supply/items/{id}/         one item with its procedure history
    GET /api/supply/rate/               the scope's 供地率 over the window, with the formula
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from landguard.core import clock
from landguard.core.access import SCOPED
from landguard.core.scope import scope_for
from landguard.shell.api import ScopedViewSetMixin
from landguard.supply import rates, selectors
from landguard.supply.models import (
    Instalment,
    Payment,
    SupplyPiece,
    SupplyRecord,
    SupplyStatusChange,
    TwoClearItem,
    TwoClearItemChange,
)


class PieceSerializer(serializers.ModelSerializer):
    dossier_name = serializers.CharField(source="dossier.name", read_only=True)

    class Meta:
        model = SupplyPiece
        fields = ["dossier", "dossier_name", "area_m2"]


class InstalmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instalment
        fields = ["number", "due_on", "amount_wan_yuan"]


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["paid_on", "amount_wan_yuan", "receipt_no", "recorded_at"]


class SupplyChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupplyStatusChange
        fields = ["from_status", "to_status", "on", "at", "note"]


class SupplyRecordSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    use_display = serializers.CharField(source="get_use_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = SupplyRecord
        fields = ["id", "parcel_no", "supervision_no", "contract_no", "kind", "kind_display", "method", "ground",
                  "use", "use_display", "term_years", "land_user", "location", "project", "service_request",
                  "region_code", "area_m2", "price_wan_yuan", "fee_due_wan_yuan", "signed_on", "agreed_delivery_on",
                  "agreed_start_on", "agreed_completion_on", "delivered_on", "started_on", "completed_on", "status",
                  "status_display", "is_synthetic"]


class SupplyRecordDetailSerializer(SupplyRecordSerializer):
    pieces = PieceSerializer(many=True, read_only=True)
    instalments = InstalmentSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    history = SupplyChangeSerializer(many=True, read_only=True)

    class Meta(SupplyRecordSerializer.Meta):
        fields = [*SupplyRecordSerializer.Meta.fields, "pieces", "instalments", "payments", "history"]


class ItemChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TwoClearItemChange
        fields = ["from_status", "to_status", "on", "at", "document_no", "note"]


class TwoClearItemSerializer(serializers.ModelSerializer):
    parcel_no = serializers.CharField(source="supply.parcel_no", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    cause_display = serializers.CharField(source="get_cause_display", read_only=True)
    sub_cause_display = serializers.CharField(source="get_sub_cause_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = TwoClearItem
        fields = ["id", "supply", "parcel_no", "kind", "kind_display", "region_code", "raised_on", "due_on", "cause",
                  "cause_display", "sub_cause", "sub_cause_display", "disposal", "proposed_fee_wan_yuan",
                  "arrears_wan_yuan", "status", "status_display", "stage_due_on"]


class TwoClearItemDetailSerializer(TwoClearItemSerializer):
    history = ItemChangeSerializer(many=True, read_only=True)

    class Meta(TwoClearItemSerializer.Meta):
        fields = [*TwoClearItemSerializer.Meta.fields, "history"]


class SupplyRecordViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    def get_serializer_class(self) -> type[serializers.Serializer]:
        return SupplyRecordSerializer if self.action == "list" else SupplyRecordDetailSerializer

    def get_queryset(self) -> QuerySet:
        qs = selectors.supplies(self.scope).select_related(None).defer("geometry")
        params = self.request.query_params
        for name in ("kind", "use", "status"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        if (year := params.get("year", "")).isdigit() and len(year) == 4:
            qs = qs.filter(signed_on__year=int(year))
        if self.action != "list":
            qs = qs.prefetch_related("pieces__dossier", "instalments", "payments", "history")
        return qs.order_by("-signed_on", "parcel_no")


class TwoClearItemViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    def get_serializer_class(self) -> type[serializers.Serializer]:
        return TwoClearItemSerializer if self.action == "list" else TwoClearItemDetailSerializer

    def get_queryset(self) -> QuerySet:
        qs = selectors.items(self.scope).select_related("supply").defer("supply__geometry")
        params = self.request.query_params
        for name in ("kind", "cause", "status"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        if self.action != "list":
            qs = qs.prefetch_related("history")
        return qs.order_by("-raised_on", "-id")


class RateSerializer(serializers.Serializer):
    window = serializers.CharField()
    approved_m2 = serializers.FloatField()
    supplied_m2 = serializers.FloatField()
    rate = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    formula = serializers.CharField()
    to_confirm = serializers.BooleanField()


class RateView(APIView):
    """The scope's 供地率 over the assessment window, with the formula."""

    landguard_access = SCOPED
    permission_classes = [IsAuthenticated]

    @extend_schema(summary=_("供地率"), responses=RateSerializer)
    def get(self, request: Request) -> Response:
        figure = rates.region_rate(scope_for(request.user), clock.today())
        return Response(RateSerializer(figure).data)
