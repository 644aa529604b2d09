"""成片开发方案 in the REST API, read through approvals.plan_selectors with the caller's scope and written through
approvals.plan_services as the pages write them (a service's ValidationError answers 400, PermissionDenied 403).

    GET   /api/approvals/plans/                         list (filters: year, status)
    POST  /api/approvals/plans/                         create from a GeoJSON 片区 boundary (total by the engine)
    GET   /api/approvals/plans/{id}/                    one plan with its figures, implementation plan and history
    PATCH /api/approvals/plans/{id}/                    its figures while it is being drafted
    GET   /api/approvals/plans/{id}/checklist/          the checks, with rules and formulas, run now
    PUT   /api/approvals/plans/{id}/years/              the yearly implementation plan (actuals once approved)
    POST  /api/approvals/plans/{id}/submit|approve|refuse/
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from landguard.approvals import plan_selectors as selectors
from landguard.approvals import plan_services as services
from landguard.approvals import plans
from landguard.approvals.api import DossierWorkers, _call, _valid
from landguard.approvals.models import DevelopmentPlan, DevelopmentPlanStatusChange, DevelopmentPlanYear, Dossier
from landguard.core.geodesy import hectares
from landguard.core.scope import NOTHING
from landguard.projects import selectors as project_selectors
from landguard.projects.api import GeoJSONField, ScopedInput
from landguard.shell.api import ScopedViewSetMixin


class DevelopmentPlanYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = DevelopmentPlanYear
        fields = ["year", "planned_ha", "planned_projects", "actual_ha", "actual_projects"]


class DevelopmentPlanStatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DevelopmentPlanStatusChange
        fields = ["from_status", "to_status", "on", "at", "note"]


FIGURES = ["plan_no", "published_total_ha", *DevelopmentPlan.PUBLIC_FIELDS, "expropriation_ha",
           *DevelopmentPlan.USE_FIELDS, "planned_project_count", "consent_body", "consent_yes", "consent_total", "note"]


class DevelopmentPlanSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    total_ha = serializers.SerializerMethodField(help_text=_("按片区范围计算的椭球面积（公顷）"))
    public_ha = serializers.SerializerMethodField(help_text=_("公益性用地合计（公顷）"))
    projects = serializers.PrimaryKeyRelatedField(many=True, read_only=True)  # type: ignore[var-annotated]
    years = DevelopmentPlanYearSerializer(many=True, read_only=True)

    class Meta:
        model = DevelopmentPlan
        fields = ["id", "name", "year", "region_code", "region_name", "status", "status_display", "boundary_source",
                  "total_m2", "total_ha", "areas_basis", "public_ha", *FIGURES, "projects", "years", "submitted_on",
                  "approved_by", "approval_no", "approved_on", "is_synthetic"]

    def get_total_ha(self, p: DevelopmentPlan) -> float:
        return hectares(p.total_m2)

    def get_public_ha(self, p: DevelopmentPlan) -> float | None:
        value = plans.public_ha(p)
        return None if value is None else float(value)


class DevelopmentPlanDetailSerializer(DevelopmentPlanSerializer):
    history = DevelopmentPlanStatusChangeSerializer(many=True, read_only=True)

    class Meta(DevelopmentPlanSerializer.Meta):
        fields = [*DevelopmentPlanSerializer.Meta.fields, "history"]


class DevelopmentPlanCheckSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    state = serializers.ChoiceField(choices=["ok", "warn", "fail", "na"])
    detail = serializers.CharField()
    rule = serializers.CharField()
    formula = serializers.CharField()
    to_confirm = serializers.BooleanField(help_text=_("规则或阈值待确认"))
    hard = serializers.BooleanField(help_text=_("未通过时不得报批"))


class DevelopmentPlanChecklistSerializer(serializers.Serializer):
    items = DevelopmentPlanCheckSerializer(many=True)
    blocking = serializers.BooleanField()


class _Figures(ScopedInput):
    plan_no = serializers.CharField(max_length=60, required=False, allow_blank=True)
    published_total_ha = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False,
                                                  allow_null=True)
    public_road_ha = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False,
                                              allow_null=True)
    public_green_ha = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False,
                                               allow_null=True)
    public_service_ha = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False,
                                                 allow_null=True)
    public_infrastructure_ha = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False,
                                                        allow_null=True)
    expropriation_ha = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False,
                                                allow_null=True)
    use_industrial_ha = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False,
                                                 allow_null=True)
    use_residential_ha = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False,
                                                  allow_null=True)
    use_commercial_ha = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False,
                                                 allow_null=True)
    use_storage_ha = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False,
                                              allow_null=True)
    use_other_ha = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False,
                                            allow_null=True)
    planned_project_count = serializers.IntegerField(min_value=0, max_value=100_000, required=False, allow_null=True)
    consent_body = serializers.ChoiceField(choices=DevelopmentPlan.ConsentBody.choices, required=False,
                                           allow_blank=True)
    consent_yes = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, allow_null=True)
    consent_total = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)
    projects = serializers.PrimaryKeyRelatedField(  # type: ignore[var-annotated]
        many=True, queryset=project_selectors.projects(NOTHING), required=False)

    def scoped_fields(self, scope: Any) -> None:
        self.fields["projects"].child_relation.queryset = project_selectors.projects(scope)  # type: ignore[attr-defined]


class DevelopmentPlanCreateInput(_Figures):
    name = serializers.CharField(max_length=120)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    boundary = GeoJSONField()


class DevelopmentPlanUpdateInput(_Figures):
    name = serializers.CharField(max_length=120, required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


class DevelopmentPlanYearInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    planned_ha = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)
    planned_projects = serializers.IntegerField(min_value=0, max_value=100_000)
    actual_ha = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False,
                                         allow_null=True, default=None)
    actual_projects = serializers.IntegerField(min_value=0, max_value=100_000, required=False, allow_null=True,
                                               default=None)


class DevelopmentPlanYearsInput(serializers.Serializer):
    rows = DevelopmentPlanYearInput(many=True)


class DevelopmentPlanSubmitInput(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, help_text=_("报批日期，默认今天"))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DevelopmentPlanApproveInput(serializers.Serializer):
    approval_no = serializers.CharField(max_length=60)
    approved_on = serializers.DateField()
    approved_by = serializers.CharField(max_length=60, required=False, allow_blank=True, default="",
                                        help_text=_("省级人民政府或国务院"))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DevelopmentPlanRefuseInput(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=300)


@extend_schema_view(
    list=extend_schema(summary=_("成片开发方案列表")), retrieve=extend_schema(summary=_("成片开发方案详情")),
    create=extend_schema(summary=_("新建成片开发方案"), request=DevelopmentPlanCreateInput,
                         responses={201: DevelopmentPlanDetailSerializer},
                         description=_("片区总面积按官方图层计算椭球面积；行政区由片区范围确定。")),
    partial_update=extend_schema(summary=_("修改方案信息（编制中）"), request=DevelopmentPlanUpdateInput,
                                 responses=DevelopmentPlanDetailSerializer),
)
class DevelopmentPlanViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,  # type: ignore[misc]
                             viewsets.GenericViewSet):
    permission_classes = [DossierWorkers]  # type: ignore[list-item]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return DevelopmentPlanSerializer if self.action == "list" else DevelopmentPlanDetailSerializer

    def get_queryset(self) -> QuerySet:
        qs = selectors.development_plans(self.scope).defer("boundary", "region__geom").prefetch_related("projects",
                                                                                                       "years")
        params = self.request.query_params
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if (year := params.get("year", "")).isdigit():
            qs = qs.filter(year=int(year))
        if self.action != "list":
            qs = qs.prefetch_related("history")
        return qs.order_by("-year", "region_code", "name")

    def _plan(self, plan: DevelopmentPlan, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().prefetch_related("history").get(pk=plan.pk)
        return Response(DevelopmentPlanDetailSerializer(fresh, context=self.get_serializer_context()).data,
                        status=code)

    def create(self, request: Request) -> Response:
        values = _valid(DevelopmentPlanCreateInput, request)
        plan = _call(services.create_plan, request, source=Dossier.BoundarySource.UPLOAD, **values)
        return self._plan(plan, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        plan = selectors.get_plan(self.scope, int(pk))
        values = _valid(DevelopmentPlanUpdateInput, request, partial=True)
        return self._plan(_call(services.update_plan, request, plan=plan, **values))

    @extend_schema(summary=_("成片开发方案检查"), responses=DevelopmentPlanChecklistSerializer)
    @action(detail=True, methods=["get"])
    def checklist(self, request: Request, pk: str) -> Response:
        checks = selectors.checklist(self.scope, selectors.get_plan(self.scope, int(pk)))
        data = {"items": [{"key": c.key, "label": str(c.label), "state": c.state, "detail": c.detail, "rule": c.rule,
                           "formula": c.formula, "to_confirm": c.to_confirm, "hard": c.hard} for c in checks.items],
                "blocking": bool(checks.blocking)}
        return Response(DevelopmentPlanChecklistSerializer(data).data)

    @extend_schema(summary=_("设置年度实施计划"), request=DevelopmentPlanYearsInput,
                   responses=DevelopmentPlanDetailSerializer)
    @action(detail=True, methods=["put"])
    def years(self, request: Request, pk: str) -> Response:
        plan = selectors.get_plan(self.scope, int(pk))
        rows = _valid(DevelopmentPlanYearsInput, request)["rows"]
        return self._plan(_call(services.set_years, request, plan=plan, rows=[
            (r["year"], r["planned_ha"], r["planned_projects"], r.get("actual_ha"), r.get("actual_projects"))
            for r in rows]))

    @extend_schema(summary=_("方案报批"), request=DevelopmentPlanSubmitInput, responses=DevelopmentPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        plan = selectors.get_plan(self.scope, int(pk))
        return self._plan(_call(services.submit, request, plan=plan, **_valid(DevelopmentPlanSubmitInput, request)))

    @extend_schema(summary=_("登记方案批复"), request=DevelopmentPlanApproveInput,
                   responses=DevelopmentPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        plan = selectors.get_plan(self.scope, int(pk))
        return self._plan(_call(services.approve, request, plan=plan, **_valid(DevelopmentPlanApproveInput, request)))

    @extend_schema(summary=_("方案不予批准"), request=DevelopmentPlanRefuseInput,
                   responses=DevelopmentPlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str) -> Response:
        plan = selectors.get_plan(self.scope, int(pk))
        return self._plan(_call(services.refuse, request, plan=plan, **_valid(DevelopmentPlanRefuseInput, request)))
