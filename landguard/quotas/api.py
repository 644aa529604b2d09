"""The quota ledgers in the REST API, read through the selectors with the caller's scope and written through
landguard.quotas.services exactly as the pages write them (allocate, transfer and correct are manager actions;
a service's ValidationError answers 400 with its message, QuotaShortfall included, its PermissionDenied 403).

    GET  /api/quotas/accounts/                  ledgers with their balances (?year=&kind=)
    GET  /api/quotas/accounts/report/?year=     the yearly report per county: 上报比例 / 批复比例 with formulas
    GET  /api/quotas/entries/                   ledger rows (?account=&year=&kind=&action=&holder=)
    POST /api/quotas/entries/allocate/          下达 / 奖励 / 结转 / 项目入库
    POST /api/quotas/entries/transfer/          调剂 between two regions
    POST /api/quotas/entries/{id}/correct/      更正: a new row carrying the difference

Reservations, settlements and releases are not offered here: the approvals app makes them from its dossiers.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from landguard.core import clock
from landguard.core.scope import RegionScope
from landguard.quotas import selectors, services
from landguard.quotas.forms import ledger_regions
from landguard.quotas.models import Action, Kind, QuotaAccount, QuotaEntry, Source
from landguard.shell.api import ManagerWritesOnly, RegionCodeField, ScopedViewSetMixin

AMOUNT: dict[str, Any] = {"max_digits": 14, "decimal_places": 4}


class BalanceSerializer(serializers.Serializer):
    issued = serializers.DecimalField(**AMOUNT, help_text=_("下达（含奖励、结转、项目入库与更正）"))
    reserved = serializers.DecimalField(**AMOUNT, help_text=_("预占中"))
    used = serializers.DecimalField(**AMOUNT, help_text=_("已核销"))
    released = serializers.DecimalField(**AMOUNT, help_text=_("已退回"))
    transferred_in = serializers.DecimalField(**AMOUNT)
    transferred_out = serializers.DecimalField(**AMOUNT)
    lapsed = serializers.DecimalField(**AMOUNT, help_text=_("过期未用的结转指标"))
    available = serializers.DecimalField(**AMOUNT, help_text=_("可用余额"))


class AccountSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    unit = serializers.SerializerMethodField()
    balance = serializers.SerializerMethodField()

    class Meta:
        model = QuotaAccount
        fields = ["id", "region_code", "region_name", "year", "kind", "kind_display", "unit", "balance"]

    def get_unit(self, account: QuotaAccount) -> str:
        return str(account.unit)

    @extend_schema_field(BalanceSerializer)
    def get_balance(self, account: QuotaAccount) -> dict[str, Any]:
        found = self.context.get("balances") or selectors.balances_of([account])
        return BalanceSerializer(found[account.pk].as_dict()).data


class EntrySerializer(serializers.ModelSerializer):
    account: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)
    region_code = serializers.CharField(source="account.region.code", read_only=True)
    year = serializers.IntegerField(source="account.year", read_only=True)
    kind = serializers.CharField(source="account.kind", read_only=True)
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    state = serializers.CharField(read_only=True, default="", help_text=_("预占的状态：open / settled / released"))
    running = serializers.DecimalField(**AMOUNT, read_only=True, allow_null=True, default=None,
                                       help_text=_("本分录后的结余"))
    refers_to: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    corrects: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = QuotaEntry
        fields = ["id", "account", "region_code", "year", "kind", "action", "action_display", "source", "amount",
                  "state", "running", "refers_to", "corrects", "holder_key", "holder_label", "holder_url",
                  "document_no", "effective_on", "expires_on", "price_wan_yuan_per_mu", "note", "is_override",
                  "created_at"]


def _current_ledger_regions(scope: RegionScope) -> QuerySet:
    return ledger_regions(scope).filter(retired_in__isnull=True)


class AllocateInput(serializers.Serializer):
    region = RegionCodeField(_current_ledger_regions, help_text=_("区划代码（县级及以上）"))
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    kind = serializers.ChoiceField(choices=Kind.choices)
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]  # a field named "source"
    amount = serializers.DecimalField(**AMOUNT, min_value=0)
    document_no = serializers.CharField(max_length=120)
    effective_on = serializers.DateField()
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class TransferInput(serializers.Serializer):
    source_region = RegionCodeField(_current_ledger_regions)
    target_region = RegionCodeField(_current_ledger_regions)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    kind = serializers.ChoiceField(choices=Kind.choices)
    amount = serializers.DecimalField(**AMOUNT, min_value=0)
    price_wan_yuan_per_mu = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False,
                                                     allow_null=True, default=None)
    document_no = serializers.CharField(max_length=120)
    effective_on = serializers.DateField()


class CorrectInput(serializers.Serializer):
    amount = serializers.DecimalField(**AMOUNT, min_value=0, help_text=_("该分录应有的数量（不是差额）"))
    reason = serializers.CharField(max_length=300)


class ReportQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


class ReportRowSerializer(serializers.Serializer):
    region_code = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")
    city_name = serializers.CharField(source="city.name", default="", allow_null=True)
    issued = serializers.DecimalField(**AMOUNT, source="figures.issued")
    reserved = serializers.DecimalField(**AMOUNT, source="figures.reserved")
    used = serializers.DecimalField(**AMOUNT, source="figures.used")
    available = serializers.DecimalField(**AMOUNT, source="figures.available")
    reported = serializers.DecimalField(**AMOUNT, source="figures.reported")
    reported_ratio = serializers.FloatField(source="figures.reported_ratio", allow_null=True)
    approved_ratio = serializers.FloatField(source="figures.approved_ratio", allow_null=True)
    previous_reported_ratio = serializers.FloatField(source="previous.reported_ratio", allow_null=True)
    previous_approved_ratio = serializers.FloatField(source="previous.approved_ratio", allow_null=True)
    rank = serializers.IntegerField(allow_null=True, help_text=_("按上报比例在本市（数据范围内）的排名"))


class ReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    formulas = serializers.DictField(child=serializers.CharField(), help_text=_("各比例的计算口径（待确认）"))
    rows = ReportRowSerializer(many=True)


def _valid(serializer_class: type[serializers.Serializer], request: Request, data: Any = None) -> dict[str, Any]:
    serializer = serializer_class(data=request.data if data is None else data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _call(service: Any, request: Request, **values: Any) -> Any:
    try:
        return service(actor=request.user, **values)
    except DjangoValidationError as error:
        raise ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) from None


YEAR = OpenApiParameter("year", OpenApiTypes.INT, description=_("年度"))
KIND = OpenApiParameter("kind", OpenApiTypes.STR, enum=Kind.values, description=_("指标类型"))


def _int_param(request: Request, name: str) -> int | None:
    text = request.query_params.get(name, "")
    return int(text) if text.isdigit() and len(text) <= 18 else None


@extend_schema_view(list=extend_schema(summary=_("指标账户及余额"), parameters=[YEAR, KIND]),
                    retrieve=extend_schema(summary=_("指标账户及余额")))
class QuotaAccountViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    serializer_class = AccountSerializer

    def get_queryset(self) -> QuerySet:
        kind = self.request.query_params.get("kind", "")
        return selectors.accounts(self.scope, year=_int_param(self.request, "year"),
                                  kind=kind if kind in Kind.values else None).order_by("region__code", "-year", "kind")

    @extend_schema(summary=_("年度指标使用情况（上报比例、批复比例）"),
                   parameters=[OpenApiParameter("year", OpenApiTypes.INT, description=_("年度，默认今年"))],
                   responses=ReportSerializer)
    @action(detail=False, methods=["get"], pagination_class=None)
    def report(self, request: Request) -> Response:
        year = _valid(ReportQuery, request, data=request.query_params).get("year") or clock.today().year
        payload = {"year": year, "formulas": selectors.formulas(), "rows": selectors.report(self.scope, year)}
        return Response(ReportSerializer(payload).data)


ENTRY_FILTERS = [YEAR, KIND, OpenApiParameter("account", OpenApiTypes.INT, description=_("指标账户 id")),
                 OpenApiParameter("action", OpenApiTypes.STR, enum=Action.values, description=_("业务类型")),
                 OpenApiParameter("holder", OpenApiTypes.STR, description=_("占用业务，如 approvals.dossier:12"))]


@extend_schema_view(list=extend_schema(summary=_("指标台账分录"), parameters=ENTRY_FILTERS),
                    retrieve=extend_schema(summary=_("指标台账分录")))
class QuotaEntryViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    serializer_class = EntrySerializer
    permission_classes = [ManagerWritesOnly]

    def get_queryset(self) -> QuerySet:
        params = self.request.query_params
        queryset = selectors.entries(self.scope, year=_int_param(self.request, "year"),
                                     kind=params.get("kind") if params.get("kind") in Kind.values else None,
                                     action=params.get("action") if params.get("action") in Action.values else None,
                                     holder=params.get("holder", "")[:80] or None)
        if (account := _int_param(self.request, "account")) is not None:
            queryset = queryset.filter(account_id=account)
        return queryset

    def _entry(self, entry: QuotaEntry, code: int = status.HTTP_201_CREATED) -> Response:
        return Response(EntrySerializer(selectors.entries(self.scope).get(pk=entry.pk)).data, status=code)

    @extend_schema(summary=_("下达入账（下达、奖励、结转、项目入库）"), request=AllocateInput,
                   responses={201: EntrySerializer},
                   description=_("仅管理员。结转须填有效期；周转指标默认 3 年归还期限。"))
    @action(detail=False, methods=["post"])
    def allocate(self, request: Request) -> Response:
        return self._entry(_call(services.allocate, request, **_valid(AllocateInput, request)))

    @extend_schema(summary=_("指标调剂"), request=TransferInput, responses={201: EntrySerializer(many=True)},
                   description=_("仅管理员，且调出、调入行政区均在数据范围内。返回调出与调入两条分录。"))
    @action(detail=False, methods=["post"], pagination_class=None)
    def transfer(self, request: Request) -> Response:
        pair = _call(services.transfer, request, **_valid(TransferInput, request))
        rows = selectors.entries(self.scope).filter(pk__in=[e.pk for e in pair]).order_by("id")
        return Response(EntrySerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary=_("更正分录"), request=CorrectInput, responses={201: EntrySerializer},
                   description=_("仅管理员。新增一条更正分录，原分录不变。"))
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str) -> Response:
        entry = selectors.get_entry(self.scope, int(pk))
        return self._entry(_call(services.correct, request, entry=entry, **_valid(CorrectInput, request)))
