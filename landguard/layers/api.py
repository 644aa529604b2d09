"""The layer registry in the REST API: layers and their versions (read), and the import — a multipart upload
that becomes a background job (202 with the job's URL), the same path as the upload page. Features
themselves are served by landguard.layers.serving (GeoJSON, vector tiles) and the OGC API."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from landguard.shell.api import ManagerWritesOnly
from landguard.shell.api import AreaMixin
from landguard.shell.api import ScopedViewSetMixin
from landguard.jobs import services as job_services
from landguard.jobs.models import Job
from landguard.layers import selectors, services
from landguard.layers.forms import LayerImportForm
from landguard.layers.models import Layer, LayerVersion


class LayerVersionSerializer(AreaMixin, serializers.ModelSerializer):
    """A version as the caller's scope sees it: where the scope does not hold the layer's region (a township
    officer reading the county's layer), the totals are those of the features inside the scope and the import
    report (layer-wide totals, feature names anywhere) is left out. Needs `scope` in the context."""

    imported_by = serializers.StringRelatedField(allow_null=True)  # null: imported by the system (demo, command)

    class Meta:
        model = LayerVersion
        fields = ["number", "is_current", "is_draft", "year", "source", "original_name", "source_format", "source_crs",
                  "encoding", "field_mapping", "geometry_kind", "feature_count", "area_m2", "area_ha", "area_mu",
                  "report",
                  "imported_by", "imported_at"]

    def to_representation(self, instance: LayerVersion) -> dict:
        scope = self.context["scope"]
        data = super().to_representation(instance)
        if not selectors.owns(scope, instance.layer):
            count, area = selectors.version_totals(scope, [instance])[instance.pk]
            data.update(feature_count=count, area_m2=area, area_ha=self.fields["area_ha"].to_representation(area),
                        area_mu=self.fields["area_mu"].to_representation(area), report=[])
        return data


class LayerSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    current_version = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Layer
        fields = ["slug", "name", "kind", "kind_display", "region_code", "is_official", "description",
                  "current_version", "links"]

    @extend_schema_field(LayerVersionSerializer(allow_null=True))
    def get_current_version(self, layer: Layer) -> dict | None:
        current = next((v for v in layer.versions.all() if v.is_current), None)
        return LayerVersionSerializer(current, context=self.context).data if current else None

    def get_links(self, layer: Layer) -> dict[str, str]:
        return {"page": reverse("layers:detail", args=[layer.slug]),
                "ogc_items": reverse("ogc:items", args=[layer.slug])}


class LayerImportSerializer(serializers.Serializer):
    """The upload form's fields (see the upload page); validated by the same form."""

    file = serializers.FileField()
    kind = serializers.CharField()
    layer = serializers.SlugField(required=False, help_text=_("已有图层的标识：导入为其新版本"))
    name = serializers.CharField(required=False)
    region = serializers.CharField(required=False, help_text=_("所属行政区代码（新建图层时必填）"))
    year = serializers.IntegerField(required=False)
    source = serializers.CharField(required=False)
    encoding = serializers.CharField(required=False)
    crs = serializers.CharField(required=False, help_text=_("cgcs2000、wgs84、gcj02，或 epsg:4491–4554"))
    sublayer = serializers.CharField(required=False)
    field_map = serializers.CharField(required=False, help_text=_("如 DLBM=地类编码,KCXS=TKXS"))
    kcxs_unit = serializers.CharField(required=False)
    repair = serializers.BooleanField(required=False)
    allow_outside = serializers.BooleanField(required=False, help_text=_(
        "导入位于所属行政区边界外 2 公里以上的要素（默认拒绝整个文件）；这些要素在导入报告中逐一列出"))
    publish = serializers.BooleanField(required=False, help_text=_(
        "更新已有图层时：导入后直接成为现行版本。默认导入为草稿，经 …/versions/<版本号>/publish/ 发布"))


@extend_schema_view(list=extend_schema(summary=_("图层列表")),
                    retrieve=extend_schema(summary=_("图层详情（含现行版本）")))
class LayerViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = LayerSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"  # a SlugField
    permission_classes = [ManagerWritesOnly]

    def get_queryset(self) -> QuerySet[Layer]:
        return selectors.layers(self.scope).prefetch_related("versions__imported_by")

    @extend_schema(summary=_("图层的全部版本"), responses=LayerVersionSerializer(many=True))
    # Every version at once (a layer has a handful): a bare array, so not paginated in the schema either.
    @action(detail=True, pagination_class=None)
    def versions(self, request: Request, slug: str) -> Response:
        layer = selectors.get_layer(self.scope, slug)
        return Response(
            LayerVersionSerializer(selectors.versions(self.scope, layer), many=True,
                                   context={"scope": self.scope}).data)

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "scope": self.scope}

    @extend_schema(summary=_("发布草稿版本"), request=None, responses=LayerVersionSerializer,
                   description=_("仅管理员，且图层属于其数据范围。草稿成为现行版本，原现行版本成为历史版本。"))
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>\d+)/publish")
    def publish(self, request: Request, slug: str, number: str) -> Response:
        layer = selectors.get_layer(self.scope, slug)
        version = selectors.get_owned_version(self.scope, layer, int(number))
        try:
            version = services.publish(version=version, actor=request.user, scope=self.scope)
        except services.LayerImportError as exc:
            raise ValidationError({"detail": str(exc)}) from None
        return Response(LayerVersionSerializer(version, context={"scope": self.scope}).data)

    @extend_schema(summary=_("导入图层文件（后台任务）"), request=LayerImportSerializer,
                   description=_("仅管理员。文件在后台导入，返回 202 和任务地址；任务完成后报告在任务页面。"),
                   responses={202: None})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request: Request) -> Response:
        # The text fields only: request.data also holds the upload, and copying it would deep-copy (pickle) the
        # temporary file of an upload over FILE_UPLOAD_MAX_MEMORY_SIZE.
        data = QueryDict(mutable=True)
        for key in request.data:
            if key not in request.FILES:
                data.setlist(key,
                             request.data.getlist(key) if hasattr(request.data, "getlist") else [request.data[key]])
        publish = serializers.BooleanField().to_internal_value(data.pop("publish", ["false"])[-1] or "false")
        if slug := data.get("layer"):
            layer = selectors.get_layer(self.scope, slug)
            data["layer"] = str(layer.pk)
            data.setdefault("kind", layer.kind)
        if data.get("crs", "").lower().startswith("epsg:"):
            data["epsg"], data["crs"] = data["crs"].split(":", 1)[1], "epsg"
        form = LayerImportForm(data, request.FILES, scope=self.scope)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        try:
            job = job_services.submit(actor=request.user, kind=Job.Kind.LAYER, upload=form.cleaned_data["file"],
                                      options={**form.job_options(), "publish": publish}, scope=self.scope)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
        url = reverse("jobs:detail", args=[job.pk])
        return Response({"job": job.pk, "status": job.status, "url": url}, status=status.HTTP_202_ACCEPTED,
                        headers={"Location": url})
