"""The battle map in the REST API: projects (with their steps and status), the problem ledger and enterprise
service requests, read through the selectors with the caller's scope, and written through
landguard.projects.services exactly as the pages write them.

Writes need the role the pages need (admins, leaders and staff: services.can_work); the services then check
the scope, the transition table and the 容缺 rule, and append history and audit in one transaction. The
serializers below only parse input — objects they refer to are looked up through the caller's scope, so an
id outside it is "does not exist" — and never decide anything. A service's ValidationError answers 400 with
its message, its PermissionDenied 403.

    POST  /api/projects/                                   register (optional GeoJSON boundary)
    PATCH /api/projects/{id}/                              change the project's particulars
    POST  /api/projects/{id}/boundary/                     replace the boundary (GeoJSON)
    POST  /api/projects/steps/{step_id}/start|complete|complete-early|skip|reopen/
    POST  /api/projects/steps/{step_id}/items/             record a 容缺 item
    POST  /api/projects/items/{item_id}/clear/             the item's material arrived
    POST  /api/problems/ · /api/problems/{id}/escalate|resolve|close|reopen/
    POST  /api/service-requests/ · /api/service-requests/{id}/resolve/
    GET   /api/target-lists/ · /api/target-lists/{id}/         responsibility lists with their progress
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from landguard.shell.api import RegionCodeField, ScopedViewSetMixin
from landguard.core import clock
from landguard.core.scope import NOTHING, RegionScope, scope_for
from landguard.people import selectors as people_selectors
from landguard.projects import forms as pforms
from landguard.projects import selectors, services
from landguard.projects.calendar import work_calendar
from landguard.projects.models import DeferredItem, Problem, Project, ServiceRequest, Step, TargetList
from landguard.regions import selectors as region_selectors


class ProjectWorkers(BasePermission):
    """Anyone signed in reads (inside their scope); admins, leaders and staff write, as on the pages."""

    message = _("您的角色不能办理项目事务。")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or services.can_work(user)


def _call(service: Callable[..., Any], request: Request, /, **values: Any) -> Any:
    # Positional-only: a service request's own text is also called `request`.
    try:
        return service(actor=request.user, **values)
    except DjangoValidationError as error:
        raise ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) from None


# --- output --------------------------------------------------------------------------------------------


class DeferredItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeferredItem
        fields = ["id", "material", "promised_on", "owner", "status", "cleared_on"]


class StepSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    depends_on = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    deferred_items = DeferredItemSerializer(many=True, read_only=True)
    earliest_finish = serializers.SerializerMethodField(
        help_text=_("最早可办结日期：最短期限届满之日（无最短期限为空）"))

    class Meta:
        model = Step
        fields = ["id", "order", "key", "name", "responsible_unit", "limit_days", "limit_unit", "limit_from",
                  "min_period", "min_period_unit", "applies_when", "depends_on", "planned_start", "planned_finish",
                  "actual_start", "actual_finish", "started_at", "finished_at", "due_on", "due_at", "earliest_finish",
                  "status", "status_display", "timeliness", "cycle_working_days", "cycle_calendar_days",
                  "cycle_minutes", "deferred_items"]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_earliest_finish(self, step: Step) -> str | None:
        day = services.earliest_finish(step, self.context.setdefault("calendar", work_calendar()))
        return day.isoformat() if day else None


class ProjectSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    headquarters = serializers.CharField(read_only=True)
    service_group = serializers.StringRelatedField(allow_null=True)
    health = serializers.SerializerMethodField()
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = ["id", "name", "level", "level_display", "headquarters", "service_group", "service_team", "owner",
                  "investment_wan", "planned_start", "land_demand_ha", "leader", "region_code", "area_m2", "status",
                  "boundary_source", "health", "steps", "is_synthetic"]

    def get_health(self, project: Project) -> str:
        """on_track / due_soon / overdue / done, as the battle map colours it today."""
        return selectors.project_health(project, clock.today(), self.context.setdefault("calendar", work_calendar()))


class ProblemSerializer(serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Problem
        fields = ["id", "project", "region_code", "category", "category_display", "description", "division", "deadline",
                  "status", "status_display", "raised_on", "escalated_on", "resolution", "resolved_on", "closed_on"]


class ServiceRequestSerializer(serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    commissioner = serializers.StringRelatedField()
    steps = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ServiceRequest
        fields = ["id", "enterprise", "kind", "request", "project", "commissioner", "region_code", "received_on",
                  "status",
                  "outcome", "days_saved", "steps", "resolved_on"]


# --- input ---------------------------------------------------------------------------------------------


class ScopedInput(serializers.Serializer):
    """Input whose references resolve inside the caller's scope (set in `scoped_fields`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.scoped_fields(scope_for(request.user))

    def scoped_fields(self, scope: RegionScope) -> None:
        pass


def _region_field(required: bool) -> RegionCodeField:
    return RegionCodeField(region_selectors.regions, required=required, allow_null=not required)


@extend_schema_field({"type": "object", "description": "GeoJSON Polygon 或 MultiPolygon（CGCS2000 经纬度）"})
class GeoJSONField(serializers.JSONField):
    """A GeoJSON geometry (or a Feature holding one), read with the drawing form's own checks."""

    def to_internal_value(self, data: Any) -> Any:
        try:
            return pforms.drawn_geometry(json.dumps(data))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class ProjectFieldsInput(ScopedInput):
    name = serializers.CharField(max_length=120)
    level = serializers.ChoiceField(choices=Project.Level.choices)
    service_group = serializers.PrimaryKeyRelatedField(queryset=selectors.service_groups(NOTHING), required=False,
                                                       allow_null=True)
    service_team = serializers.CharField(max_length=80, required=False, allow_blank=True)
    owner = serializers.CharField(max_length=120, required=False, allow_blank=True)
    investment_wan = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                              allow_null=True)
    planned_start = serializers.DateField(required=False, allow_null=True)
    land_demand_ha = serializers.DecimalField(max_digits=12, decimal_places=4, min_value=0, required=False,
                                              allow_null=True)
    leader = serializers.CharField(max_length=50, required=False, allow_blank=True)
    plan = serializers.CharField(required=False, allow_blank=True)

    def scoped_fields(self, scope: RegionScope) -> None:
        self.fields["service_group"].queryset = selectors.service_groups(scope)


class ProjectCreateInput(ProjectFieldsInput):
    region = _region_field(required=False)
    boundary = GeoJSONField(required=False, allow_null=True)
    template = serializers.PrimaryKeyRelatedField(queryset=selectors.templates(NOTHING), required=False,
                                                  allow_null=True)
    start_on = serializers.DateField(required=False, allow_null=True)

    def scoped_fields(self, scope: RegionScope) -> None:
        super().scoped_fields(scope)
        self.fields["template"].queryset = selectors.templates(scope)


class BoundaryInput(serializers.Serializer):
    boundary = GeoJSONField()


class StepActionInput(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, help_text=_("业务日期，默认今天"))
    at = serializers.DateTimeField(required=False, allow_null=True,
                                   help_text=_("办理时刻（北京时间），默认现在；时限按小时计的环节据此判断是否超时"))
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ReopenInput(serializers.Serializer):
    note = serializers.CharField(max_length=200, help_text=_("重新办理的原因"))


class ReasonInput(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, help_text=_("业务日期，默认今天"))
    note = serializers.CharField(max_length=150, help_text=_("原因（记入操作记录）"))


class DeferredItemInput(serializers.Serializer):
    material = serializers.CharField(max_length=120)
    promised_on = serializers.DateField()
    owner = serializers.CharField(max_length=60)


class ClearInput(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True)


class ProblemInput(ScopedInput):
    project = serializers.PrimaryKeyRelatedField(queryset=selectors.projects(NOTHING), required=False,
                                                 allow_null=True)
    region = _region_field(required=False)
    category = serializers.ChoiceField(choices=Problem.Category.choices)
    description = serializers.CharField()
    division = serializers.CharField(max_length=60)
    deadline = serializers.DateField()

    def scoped_fields(self, scope: RegionScope) -> None:
        self.fields["project"].queryset = selectors.projects(scope)


class NoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ResolutionInput(serializers.Serializer):
    resolution = serializers.CharField()


class ServiceRequestInput(ScopedInput):
    enterprise = serializers.CharField(max_length=120)
    contact = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=ServiceRequest.Kind.choices)
    request = serializers.CharField()
    project = serializers.PrimaryKeyRelatedField(queryset=selectors.projects(NOTHING), required=False,
                                                 allow_null=True)
    region = _region_field(required=False)
    commissioner = serializers.PrimaryKeyRelatedField(queryset=people_selectors.users(NOTHING))
    received_on = serializers.DateField()

    def scoped_fields(self, scope: RegionScope) -> None:
        self.fields["project"].queryset = selectors.projects(scope)
        self.fields["commissioner"].queryset = people_selectors.users(scope).filter(is_active=True)


class ResolveRequestInput(ScopedInput):
    outcome = serializers.CharField()
    days_saved = serializers.IntegerField(min_value=0, max_value=3650, required=False, allow_null=True)
    steps = serializers.PrimaryKeyRelatedField(many=True, queryset=selectors.steps(NOTHING), required=False,
                                               default=list)

    def scoped_fields(self, scope: RegionScope) -> None:
        self.fields["steps"].child_relation.queryset = selectors.steps(scope)


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- viewsets ------------------------------------------------------------------------------------------

STEP_ID = OpenApiParameter("step_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("环节 id"))
ITEM_ID = OpenApiParameter("item_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("容缺材料 id"))


@extend_schema_view(
    list=extend_schema(summary=_("重点项目列表")), retrieve=extend_schema(summary=_("重点项目详情（含办理环节）")),
    create=extend_schema(summary=_("登记重点项目"), request=ProjectCreateInput, responses={201: ProjectSerializer},
                         description=_(
                             "按模板（默认流程）生成环节并排期；给出 boundary 时按乡镇分区并计算椭球面积，"
                             "行政区由范围确定。")),
    partial_update=extend_schema(summary=_("修改项目信息"), request=ProjectFieldsInput, responses=ProjectSerializer),
)
class ProjectViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ProjectSerializer
    permission_classes = [ProjectWorkers]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet:
        steps = Step.objects.order_by("order").prefetch_related("depends_on", "deferred_items")
        return (selectors.projects(self.scope).prefetch_related(Prefetch("steps", queryset=steps))
                .defer("boundary", "region__geom").order_by("region_code", "name"))

    def _project(self, project: Project) -> Response:
        return Response(
            ProjectSerializer(self.get_queryset().get(pk=project.pk), context=self.get_serializer_context()).data)

    def create(self, request: Request) -> Response:
        values = _valid(ProjectCreateInput, request)
        project = _call(services.create_project, request, **values)
        response = self._project(project)
        response.status_code = status.HTTP_201_CREATED
        return response

    def partial_update(self, request: Request, pk: str) -> Response:
        project = selectors.get_project(self.scope, int(pk))
        values = _valid(ProjectFieldsInput, request, partial=True)
        return self._project(_call(services.update_project, request, project=project, **values))

    @extend_schema(summary=_("更新用地范围"), request=BoundaryInput, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def boundary(self, request: Request, pk: str) -> Response:
        project = selectors.get_project(self.scope, int(pk))
        values = _valid(BoundaryInput, request)
        return self._project(
            _call(services.set_boundary, request, project=project, source=Project.BoundarySource.UPLOAD,
                                   **values))

    def _step_response(self, step: Step) -> Response:
        step = selectors.steps(self.scope).prefetch_related("depends_on", "deferred_items").get(pk=step.pk)
        return Response(StepSerializer(step, context=self.get_serializer_context()).data)

    @extend_schema(summary=_("开始办理环节"), parameters=[STEP_ID], request=StepActionInput, responses=StepSerializer,
                   description=_("前置环节须已办结；缺少的材料登记为容缺材料（容缺受理）。"))
    @action(detail=False, methods=["post"], url_path=r"steps/(?P<step_pk>[0-9]+)/start", url_name="step-start")
    def step_start(self, request: Request, step_pk: str) -> Response:
        step = selectors.get_step(self.scope, int(step_pk))
        return self._step_response(_call(services.start_step, request, step=step, **_valid(StepActionInput, request)))

    @extend_schema(summary=_("办结环节"), parameters=[STEP_ID], request=StepActionInput, responses=StepSerializer,
                   description=_("容缺材料全部补齐、最短期限届满（届满当日可办结）后才能办结；记录办理用时及提前/按期/超期。"))
    @action(detail=False, methods=["post"], url_path=r"steps/(?P<step_pk>[0-9]+)/complete", url_name="step-complete")
    def step_complete(self, request: Request, step_pk: str) -> Response:
        step = selectors.get_step(self.scope, int(step_pk))
        return self._step_response(
            _call(services.complete_step, request, step=step, **_valid(StepActionInput, request)))

    @extend_schema(summary=_("提前办结环节（管理员）"), parameters=[STEP_ID], request=ReasonInput,
                   responses=StepSerializer,
                   description=_("最短期限届满前办结，须说明原因；期限已满时请用办结。"))
    @action(detail=False, methods=["post"], url_path=r"steps/(?P<step_pk>[0-9]+)/complete-early",
            url_name="step-complete-early")
    def step_complete_early(self, request: Request, step_pk: str) -> Response:
        step = selectors.get_step(self.scope, int(step_pk))
        return self._step_response(
            _call(services.complete_step_early, request, step=step, **_valid(ReasonInput, request)))

    @extend_schema(summary=_("标记环节为不适用"), parameters=[STEP_ID], request=ReasonInput, responses=StepSerializer,
                   description=_("仅限有适用条件、前置环节已办结且未开始的环节（如无过半数异议时的听证），须说明理由。"))
    @action(detail=False, methods=["post"], url_path=r"steps/(?P<step_pk>[0-9]+)/skip", url_name="step-skip")
    def step_skip(self, request: Request, step_pk: str) -> Response:
        step = selectors.get_step(self.scope, int(step_pk))
        return self._step_response(_call(services.skip_step, request, step=step, **_valid(ReasonInput, request)))

    @extend_schema(summary=_("重新办理环节"), parameters=[STEP_ID], request=ReopenInput, responses=StepSerializer)
    @action(detail=False, methods=["post"], url_path=r"steps/(?P<step_pk>[0-9]+)/reopen", url_name="step-reopen")
    def step_reopen(self, request: Request, step_pk: str) -> Response:
        step = selectors.get_step(self.scope, int(step_pk))
        return self._step_response(_call(services.reopen_step, request, step=step, **_valid(ReopenInput, request)))

    @extend_schema(summary=_("登记容缺材料"), parameters=[STEP_ID], request=DeferredItemInput,
                   responses={201: StepSerializer})
    @action(detail=False, methods=["post"], url_path=r"steps/(?P<step_pk>[0-9]+)/items", url_name="step-items")
    def step_items(self, request: Request, step_pk: str) -> Response:
        step = selectors.get_step(self.scope, int(step_pk))
        _call(services.add_deferred_item, request, step=step, **_valid(DeferredItemInput, request))
        response = self._step_response(step)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(summary=_("容缺材料已补齐"), parameters=[ITEM_ID], request=ClearInput, responses=StepSerializer)
    @action(detail=False, methods=["post"], url_path=r"items/(?P<item_pk>[0-9]+)/clear", url_name="item-clear")
    def item_clear(self, request: Request, item_pk: str) -> Response:
        item = selectors.get_deferred_item(self.scope, int(item_pk))
        _call(services.clear_deferred_item, request, item=item, **_valid(ClearInput, request))
        return self._step_response(item.step)


# Each action: its service (called with the problem and the input's one field) and the input it reads.
PROBLEM_ACTIONS: dict[str, tuple[Callable[..., Problem], type[serializers.Serializer]]] = {
    "escalate": (services.escalate_problem, NoteInput),
    "resolve": (services.resolve_problem, ResolutionInput),
    "close": (services.close_problem, NoteInput),
    "reopen": (services.reopen_problem, NoteInput),
}


@extend_schema_view(
    list=extend_schema(summary=_("问题台账")), retrieve=extend_schema(summary=_("问题详情")),
    create=extend_schema(summary=_("登记问题"), request=ProblemInput, responses={201: ProblemSerializer},
                         description=_("针对项目（取项目所在行政区）或行政区。")),
)
class ProblemViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ProblemSerializer
    permission_classes = [ProjectWorkers]

    def get_queryset(self) -> QuerySet:
        return selectors.problems(self.scope).defer("region__geom").order_by("status", "deadline", "id")

    def create(self, request: Request) -> Response:
        problem = _call(services.raise_problem, request, **_valid(ProblemInput, request))
        return Response(ProblemSerializer(problem).data, status=status.HTTP_201_CREATED)

    def _move(self, request: Request, pk: str, action_name: str) -> Response:
        service, input_class = PROBLEM_ACTIONS[action_name]
        problem = selectors.get_problem(self.scope, int(pk))
        return Response(
            ProblemSerializer(_call(service, request, problem=problem, **_valid(input_class, request))).data)

    @extend_schema(summary=_("提请领导小组协调"), request=NoteInput, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str) -> Response:
        return self._move(request, pk, "escalate")

    @extend_schema(summary=_("登记解决情况（待销号）"), request=ResolutionInput, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        return self._move(request, pk, "resolve")

    @extend_schema(summary=_("销号"), request=NoteInput, responses=ProblemSerializer, description=_("仅管理员或领导。"))
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._move(request, pk, "close")

    @extend_schema(summary=_("不予销号（重新打开）"), request=NoteInput, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        return self._move(request, pk, "reopen")


@extend_schema_view(
    list=extend_schema(summary=_("企业服务诉求")), retrieve=extend_schema(summary=_("企业服务诉求详情")),
    create=extend_schema(summary=_("登记企业服务诉求"), request=ServiceRequestInput,
                         responses={201: ServiceRequestSerializer}),
)
class ServiceRequestViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            viewsets.GenericViewSet):
    serializer_class = ServiceRequestSerializer
    permission_classes = [ProjectWorkers]

    def get_queryset(self) -> QuerySet:
        return (selectors.service_requests(self.scope).prefetch_related("steps").defer("region__geom")
                .order_by("status", "-received_on", "id"))

    def create(self, request: Request) -> Response:
        item = _call(services.create_service_request, request, **_valid(ServiceRequestInput, request))
        return Response(ServiceRequestSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary=_("办结诉求"), request=ResolveRequestInput, responses=ServiceRequestSerializer,
                   description=_("可关联本诉求所属项目的环节，并登记节省天数。"))
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        item = selectors.get_service_request(self.scope, int(pk))
        item = _call(services.resolve_service_request, request, item=item, **_valid(ResolveRequestInput, request))
        return Response(ServiceRequestSerializer(item).data)


class TargetProgressRowSerializer(serializers.Serializer):
    """One region's row of a responsibility list: its target and the approved land counted against it."""

    region_code = serializers.CharField()
    region_name = serializers.CharField()
    target_cases = serializers.IntegerField()
    target_wan_mu = serializers.FloatField()
    task_cases = serializers.IntegerField()
    task_wan_mu = serializers.FloatField()
    key_cases = serializers.IntegerField()
    key_wan_mu = serializers.FloatField()
    done_cases = serializers.IntegerField()
    done_wan_mu = serializers.FloatField()
    area_rate = serializers.FloatField(allow_null=True, help_text=_("完成面积 ÷ 目标面积 × 100%；目标为 0 时为空"))
    gap_wan_mu = serializers.FloatField()


class TargetListSerializer(serializers.ModelSerializer):
    """A responsibility list with its progress: the same figures as its page and xlsx
    (selectors.target_progress), for the rows inside the caller's scope."""

    region_name = serializers.CharField(source="region.name", read_only=True)
    progress_basis = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()
    rows = serializers.SerializerMethodField()

    class Meta:
        model = TargetList
        fields = ["id", "name", "region_code", "region_name", "period_start", "period_end", "floor_wan_mu",
                  "stretch_wan_mu", "total_cases", "total_wan_mu", "progress_basis", "totals", "rows", "is_synthetic"]

    def _progress(self, of: TargetList) -> list[selectors.TargetProgress]:
        cache = self.context.setdefault("progress", {})
        if of.pk not in cache:
            cache[of.pk] = selectors.target_progress(self.context["scope"], of)
        return cache[of.pk]

    def get_progress_basis(self, of: TargetList) -> str:
        return selectors.progress_basis()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_totals(self, of: TargetList) -> dict[str, Any]:
        t = selectors.list_totals(of, self._progress(of))
        return {"target_cases": t.target_cases, "target_wan_mu": float(t.target_wan_mu), "done_cases": t.done_cases,
                "done_wan_mu": t.done_wan_mu, "floor_gap_wan_mu": t.floor_gap, "stretch_gap_wan_mu": t.stretch_gap}

    @extend_schema_field(TargetProgressRowSerializer(many=True))
    def get_rows(self, of: TargetList) -> list[dict[str, Any]]:
        return [{"region_code": p.target.region_code, "region_name": p.target.region.name,
                 "target_cases": p.target.total_cases, "target_wan_mu": float(p.target.total_wan_mu),
                 "task_cases": p.task_cases, "task_wan_mu": p.task_wan_mu, "key_cases": p.key_cases,
                 "key_wan_mu": p.key_wan_mu, "done_cases": p.total_cases, "done_wan_mu": p.total_wan_mu,
                 "area_rate": p.area_rate, "gap_wan_mu": p.gap_wan_mu} for p in self._progress(of)]


@extend_schema_view(list=extend_schema(summary=_("责任清单及完成情况")),
                    retrieve=extend_schema(summary=_("责任清单完成情况")))
class TargetListViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = TargetListSerializer
    permission_classes = [ProjectWorkers]

    def get_queryset(self) -> QuerySet:
        return selectors.target_lists(self.scope).defer("region__geom").order_by("-period_end", "name", "id")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "scope": self.scope}
