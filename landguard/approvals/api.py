"""Approval dossiers in the REST API, read through the selectors with the caller's scope and written through
landguard.approvals.services exactly as the pages write them (a service's ValidationError answers 400 with its
message, PermissionDenied 403; QuotaShortfall is a ValidationError naming the account and both figures).

    GET   /api/approvals/dossiers/                       list (filters: kind, status, year)
    POST  /api/approvals/dossiers/                       create from a GeoJSON boundary (areas by the engine)
    GET   /api/approvals/dossiers/{id}/                  one dossier with its areas, quota lines and history
    PATCH /api/approvals/dossiers/{id}/                  its figures while it is being assembled
    GET   /api/approvals/dossiers/{id}/checklist/        the checks and the approving authorities, run now
    PUT   /api/approvals/dossiers/{id}/quotas/           the quota lines it will use
    POST  /api/approvals/dossiers/{id}/submit|approve|refuse|return|withdraw/
    GET   /api/approvals/summary/?year=Y                 approvals per county of the year (亩 to 4 dp)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from landguard.approvals import selectors, services
from landguard.approvals.models import Dossier, DossierQuota, DossierStatusChange
from landguard.approvals.quota_groups import DOSSIER_KINDS
from landguard.core import clock
from landguard.core.access import SCOPED
from landguard.core.geodesy import SQM_PER_MU, hectares
from landguard.core.scope import NOTHING, scope_for
from landguard.projects import selectors as project_selectors
from landguard.projects.api import GeoJSONField, ScopedInput
from landguard.shell.api import ScopedViewSetMixin


class DossierWorkers(BasePermission):
    """Anyone signed in reads (inside their scope); admins, leaders and staff write, as on the pages."""

    message = _("您的角色不能办理报批事务。")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or services.can_work(user)


def _call(service: Callable[..., Any], request: Request, /, **values: Any) -> Any:
    try:
        return service(actor=request.user, **values)
    except DjangoValidationError as error:
        raise ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) from None


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- output --------------------------------------------------------------------------------------------


class QuotaLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = DossierQuota
        fields = ["kind", "year", "amount"]


class StatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DossierStatusChange
        fields = ["from_status", "to_status", "on", "at", "note"]


class DossierSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    total_ha = serializers.SerializerMethodField()
    total_mu = serializers.SerializerMethodField()
    new_construction_m2 = serializers.FloatField(read_only=True)
    projects = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    quotas = QuotaLineSerializer(many=True, read_only=True)

    class Meta:
        model = Dossier
        fields = ["id", "name", "kind", "kind_display", "year", "region_code", "region_name", "status",
                  "status_display", "projects", "boundary_source", "parcel_count", "total_m2", "total_ha", "total_mu",
                  "agricultural_m2", "farmland_m2", "paddy_m2", "irrigated_m2", "dry_m2", "basic_farmland_m2",
                  "construction_m2", "unused_m2", "new_construction_m2", "state_m2", "collective_m2", "areas_basis",
                  "pre_review_no", "parts_done", "supplement_source", "replenish_area_mu", "replenish_grade",
                  "replenish_in_database", "expropriation_m2", "expropriation_farmland_m2", "compensation_wan_yuan",
                  "households", "national_key_project", "submitted_on", "conversion_authority",
                  "expropriation_authority", "approval_no", "approval_issuer", "approval_year", "approval_sequence",
                  "approved_on", "approved_by", "note", "quotas", "is_synthetic"]

    def get_total_ha(self, d: Dossier) -> float:
        return hectares(d.total_m2)

    def get_total_mu(self, d: Dossier) -> float:
        """亩 to 4 decimals, as approval reports state them."""
        return round(d.total_m2 / SQM_PER_MU, 4)


class DossierDetailSerializer(DossierSerializer):
    history = StatusChangeSerializer(many=True, read_only=True)

    class Meta(DossierSerializer.Meta):
        fields = [*DossierSerializer.Meta.fields, "history"]


class CheckSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    state = serializers.ChoiceField(choices=["ok", "warn", "fail", "na"])
    detail = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    authority = serializers.CharField()
    label = serializers.CharField()
    reason = serializers.CharField()
    article = serializers.CharField()


class ChecklistSerializer(serializers.Serializer):
    items = CheckSerializer(many=True)
    blocking = serializers.BooleanField()
    conversion = DecisionSerializer(allow_null=True)
    expropriation = DecisionSerializer(allow_null=True)


# --- input ---------------------------------------------------------------------------------------------


class DossierCreateInput(ScopedInput):
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Dossier.Kind.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    boundary = GeoJSONField()
    projects = serializers.PrimaryKeyRelatedField(many=True, queryset=project_selectors.projects(NOTHING),
                                                  required=False, default=list)

    def scoped_fields(self, scope: Any) -> None:
        self.fields["projects"].child_relation.queryset = project_selectors.projects(scope)


class DossierUpdateInput(ScopedInput):
    name = serializers.CharField(max_length=120, required=False)
    kind = serializers.ChoiceField(choices=Dossier.Kind.choices, required=False)
    pre_review_no = serializers.CharField(max_length=60, required=False, allow_blank=True)
    parts_done = serializers.ListField(child=serializers.CharField(max_length=30), required=False)
    supplement_source = serializers.CharField(max_length=200, required=False, allow_blank=True)
    replenish_area_mu = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False,
                                                 allow_null=True)
    replenish_grade = serializers.CharField(max_length=20, required=False, allow_blank=True)
    replenish_in_database = serializers.BooleanField(required=False)
    expropriation_m2 = serializers.FloatField(min_value=0, max_value=1e10, required=False)
    expropriation_farmland_m2 = serializers.FloatField(min_value=0, max_value=1e10, required=False)
    compensation_wan_yuan = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                                     allow_null=True)
    households = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, allow_null=True)
    national_key_project = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)
    projects = serializers.PrimaryKeyRelatedField(many=True, queryset=project_selectors.projects(NOTHING),
                                                  required=False)

    def scoped_fields(self, scope: Any) -> None:
        self.fields["projects"].child_relation.queryset = project_selectors.projects(scope)


class QuotaLineInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(DOSSIER_KINDS))
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    amount = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)


class QuotasInput(serializers.Serializer):
    lines = QuotaLineInput(many=True)


class SubmitInput(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, help_text=_("上报日期，默认今天"))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ApproveInput(serializers.Serializer):
    approval_no = serializers.CharField(max_length=60, help_text=_("批复文号，如 鲁政土字〔2021〕123号"))
    approved_on = serializers.DateField()
    approved_by = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DossierReasonInput(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=300)


# --- viewsets ------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("报批卷宗列表")), retrieve=extend_schema(summary=_("报批卷宗详情")),
    create=extend_schema(summary=_("新建报批卷宗"), request=DossierCreateInput, 
                         responses={201: DossierDetailSerializer},
                         description=_("按官方地类图斑和管控图层计算椭球面积；报批行政区由范围确定。")),
    partial_update=extend_schema(summary=_("修改卷宗信息（组卷中）"), request=DossierUpdateInput,
                                 responses=DossierDetailSerializer),
)
class DossierViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [DossierWorkers]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return DossierSerializer if self.action == "list" else DossierDetailSerializer

    def get_queryset(self) -> QuerySet:
        qs = selectors.dossiers(self.scope).defer("boundary", "region__geom").prefetch_related("projects", "quotas")
        params = self.request.query_params
        for name in ("kind", "status"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        if (year := params.get("year", "")).isdigit():
            qs = qs.filter(year=int(year))
        if self.action != "list":
            qs = qs.prefetch_related("history")
        return qs.order_by("-year", "region_code", "name")

    def _dossier(self, dossier: Dossier, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().prefetch_related("history").get(pk=dossier.pk)
        return Response(DossierDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request: Request) -> Response:
        values = _valid(DossierCreateInput, request)
        dossier = _call(services.create_dossier, request, source=Dossier.BoundarySource.UPLOAD, **values)
        return self._dossier(dossier, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        dossier = selectors.get_dossier(self.scope, int(pk))
        values = _valid(DossierUpdateInput, request, partial=True)
        return self._dossier(_call(services.update_dossier, request, dossier=dossier, **values))

    @extend_schema(summary=_("报批前检查与批准机关"), responses=ChecklistSerializer)
    @action(detail=True, methods=["get"])
    def checklist(self, request: Request, pk: str) -> Response:
        dossier = selectors.get_dossier(self.scope, int(pk))
        checks = selectors.checklist(self.scope, dossier)

        def decision(d: Any) -> dict[str, str] | None:
            return None if d is None else {"authority": str(d.authority), "label": str(d.label),
                                           "reason": str(d.reason),
                                           "article": str(d.article)}

        data = {"items": [{"key": c.key, "label": str(c.label), "state": c.state, "detail": c.detail}
                          for c in checks.items],
                "blocking": bool(checks.blocking), "conversion": decision(checks.conversion),
                "expropriation": decision(checks.expropriation)}
        return Response(ChecklistSerializer(data).data)

    @extend_schema(summary=_("设置使用指标（组卷中）"), request=QuotasInput, responses=DossierDetailSerializer)
    @action(detail=True, methods=["put"])
    def quotas(self, request: Request, pk: str) -> Response:
        dossier = selectors.get_dossier(self.scope, int(pk))
        lines = _valid(QuotasInput, request)["lines"]
        return self._dossier(_call(services.set_quotas, request, dossier=dossier,
                                   lines=[(line["kind"], line["year"], line["amount"]) for line in lines]))

    @extend_schema(summary=_("上报（预占指标）"), request=SubmitInput, responses=DossierDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        dossier = selectors.get_dossier(self.scope, int(pk))
        return self._dossier(_call(services.submit, request, dossier=dossier, **_valid(SubmitInput, request)))

    @extend_schema(summary=_("登记批复（核销指标）"), request=ApproveInput, responses=DossierDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        dossier = selectors.get_dossier(self.scope, int(pk))
        return self._dossier(_call(services.approve, request, dossier=dossier, **_valid(ApproveInput, request)))

    @extend_schema(summary=_("不予批准（退回指标）"), request=DossierReasonInput, responses=DossierDetailSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str) -> Response:
        dossier = selectors.get_dossier(self.scope, int(pk))
        return self._dossier(_call(services.refuse, request, dossier=dossier, **_valid(DossierReasonInput, request)))

    @extend_schema(summary=_("退回补正（退回指标）"), request=DossierReasonInput, responses=DossierDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str) -> Response:
        dossier = selectors.get_dossier(self.scope, int(pk))
        return self._dossier(_call(services.return_for_correction, request, dossier=dossier,
                                   **_valid(DossierReasonInput, request)))

    @extend_schema(summary=_("撤回卷宗"), request=DossierReasonInput, responses=DossierDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        dossier = selectors.get_dossier(self.scope, int(pk))
        return self._dossier(_call(services.withdraw, request, dossier=dossier, **_valid(DossierReasonInput, request)))


class YearSummarySerializer(serializers.Serializer):
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    year = serializers.IntegerField()
    reported_count = serializers.IntegerField()
    approved_count = serializers.IntegerField()
    approved_by_kind = serializers.DictField(child=serializers.IntegerField())
    approved_mu = serializers.FloatField(help_text=_("批复面积（亩，保留 4 位小数）"))
    approved_ha = serializers.FloatField()


class SummaryView(APIView):
    """Approvals per county of a year (by 批复日期), with the previous year's beside it."""

    landguard_access = SCOPED
    permission_classes = [IsAuthenticated]

    @extend_schema(summary=_("年度报批统计"), responses=YearSummarySerializer(many=True))
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("year", "")
        year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else clock.today().year
        rows = [selectors.as_dict(r) for r in selectors.year_figures(scope_for(request.user), year)]
        return Response(YearSummarySerializer(rows, many=True).data)
