"""Procedure templates (审批流程模板) in the REST API: read every template the caller's scope reaches (the
national ones and those of its regions), create one or replace its whole chain through
`services.save_template`, exactly as the template pages do (admins; national templates only a superuser).

    GET  /api/procedure-templates/ · /api/procedure-templates/{id}/
    POST /api/procedure-templates/                 a new template with its chain
    PUT  /api/procedure-templates/{id}/            replace name, region, description and the chain
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from landguard.projects import selectors, services
from landguard.projects.api import ScopedInput, _call, _region_field, _valid
from landguard.projects.models import LimitFrom, LimitUnitChoices, ProcedureTemplate, StepLimitUnitChoices, TemplateStep
from landguard.shell.api import ScopedViewSetMixin


class TemplateStepSerializer(serializers.ModelSerializer):
    depends_on = serializers.SerializerMethodField(help_text=_("前置环节的序号"))

    class Meta:
        model = TemplateStep
        fields = ["order", "key", "name", "responsible_unit", "limit_days", "limit_unit", "limit_from", "min_period",
                  "min_period_unit", "depends_on", "applies_when", "counts_for_targets"]

    def get_depends_on(self, step: TemplateStep) -> list[int]:
        return sorted(d.order for d in step.depends_on.all())


class TemplateSerializer(serializers.ModelSerializer):
    steps = TemplateStepSerializer(many=True, read_only=True)

    class Meta:
        model = ProcedureTemplate
        fields = ["id", "name", "key", "region_code", "is_default", "description", "steps"]


class StepSpecInput(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, max_value=99)
    name = serializers.CharField(max_length=60)
    responsible_unit = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    limit_days = serializers.IntegerField(min_value=0, max_value=999)
    limit_unit = serializers.ChoiceField(choices=StepLimitUnitChoices.choices, default=StepLimitUnitChoices.WORKING)
    limit_from = serializers.ChoiceField(choices=LimitFrom.choices, default=LimitFrom.START)
    min_period = serializers.IntegerField(min_value=0, max_value=999, default=0,
                                          help_text=_("最短期限：开始办理后至少经过的天数，0 为不限"))
    min_period_unit = serializers.ChoiceField(choices=LimitUnitChoices.choices, default=LimitUnitChoices.WORKING)
    depends_on = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=99), required=False,
                                       default=list, max_length=99)
    applies_when = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    key = serializers.SlugField(max_length=40, required=False, allow_blank=True, default="")
    counts_for_targets = serializers.BooleanField(required=False, default=False)


class TemplateInput(ScopedInput):
    name = serializers.CharField(max_length=80)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    region = _region_field(required=False)
    steps = serializers.ListField(child=StepSpecInput(), allow_empty=False, max_length=60)


def _specs(values: dict[str, Any]) -> dict[str, Any]:
    values["steps"] = [services.StepSpec(**{**step, "depends_on": tuple(sorted(set(step["depends_on"])))})
                       for step in values["steps"]]
    return values


@extend_schema_view(
    list=extend_schema(summary=_("审批流程模板列表")), retrieve=extend_schema(summary=_("审批流程模板详情（含环节）")),
    create=extend_schema(summary=_("新建审批流程模板"), request=TemplateInput, responses={201: TemplateSerializer}),
    update=extend_schema(summary=_("修改审批流程模板（替换全部环节）"), request=TemplateInput,
                         responses=TemplateSerializer,
                         description=_("只影响此后登记的项目；最短期限、时限起算、适用条件与环节标识逐环节设置。")),
)
class ProcedureTemplateViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                               viewsets.GenericViewSet):
    serializer_class = TemplateSerializer
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self) -> QuerySet:
        return (selectors.templates(self.scope).prefetch_related("steps__depends_on")
                .order_by("region_code", "name", "pk"))

    def _template(self, template: ProcedureTemplate, code: int = status.HTTP_200_OK) -> Response:
        return Response(TemplateSerializer(self.get_queryset().get(pk=template.pk)).data, status=code)

    def create(self, request: Request) -> Response:
        values = _specs(_valid(TemplateInput, request))
        return self._template(_call(services.save_template, request, **values), status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str) -> Response:
        template = selectors.get_template(self.scope, int(pk))
        values = _specs(_valid(TemplateInput, request))
        return self._template(_call(services.save_template, request, template=template, **values))
