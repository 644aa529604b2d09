"""POST /api/overlay/: the overlay analysis for programs. A GeoJSON geometry, Feature or FeatureCollection
(JSON body) or a boundary file (multipart) against layers chosen by slug — by default every current
layer of the caller's scope that the boundaries reach — answered with OverlayResult.to_dict() per
boundary. The same service, scope rules and figures as the 叠加分析 page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from landguard.analysis import reports, selectors, services
from landguard.core.access import SCOPED
from landguard.core.scope import scope_for
from landguard.shell.pages import scope_label

MAX_API_BOUNDARIES = 2000  # one request; the service works through them in spatial chunks


class OverlayRequestSerializer(serializers.Serializer):
    geometry = serializers.JSONField(required=False, help_text=gettext_lazy(
        "GeoJSON：Polygon/MultiPolygon 几何、Feature 或 FeatureCollection；坐标为经纬度（CGCS2000/WGS84），"
        "也识别投影坐标（高斯-克吕格）"))
    file = serializers.FileField(required=False, help_text=gettext_lazy(
        "边界文件（multipart）：GeoJSON、Shapefile（zip）、KML/KMZ、GeoPackage、坐标交换文件、CSV/XLSX 坐标表"))
    crs = serializers.CharField(required=False, allow_blank=True, help_text=gettext_lazy(
        "文件坐标系与声明不符或未声明时指定，如 epsg:4527、gcj02"))
    layers = serializers.ListField(child=serializers.SlugField(), required=False, help_text=gettext_lazy(
        "图层标识（每县一个地类图斑及任意管控图层）；省略时使用边界所在各县的官方图层"))
    pieces = serializers.BooleanField(default=False, help_text=gettext_lazy(
        "同时返回叠加后的图斑碎片等 GeoJSON（供地图高亮）"))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("geometry" in attrs) == ("file" in attrs):
            raise serializers.ValidationError(_("请提供 geometry（GeoJSON）或 file（边界文件）之一"))
        return attrs


class _Area(serializers.Serializer):
    m2 = serializers.FloatField(help_text=gettext_lazy("平方米（2 位小数）"))
    ha = serializers.FloatField(help_text=gettext_lazy("公顷（4 位小数）"))
    mu = serializers.FloatField(help_text=gettext_lazy("亩（2 位小数）"))
    wan_mu = serializers.FloatField(help_text=gettext_lazy("万亩（4 位小数）"))


class _ClassRow(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    gross = _Area()
    net = _Area()


class _Areas(serializers.Serializer):
    """The figures of one analysed area: a whole boundary, or its part in one county."""
    gross = _Area()
    dltb = _Area()
    uncovered = _Area()
    farmland_gross = _Area()
    farmland_net = _Area()
    tiankan = _Area()
    by_big_class = _ClassRow(many=True)
    by_ownership = _ClassRow(many=True, help_text=gettext_lazy(
        "按权属性质（QSXZ）：key 为 state 国有（10、20）、collective 集体（30–34、40）、"
        "unknown 未标注（图斑无权属性质）；只列有面积的项，合计为地类图斑覆盖面积"))
    by_big_class_ownership = _ClassRow(many=True, help_text=gettext_lazy(
        "三大类 × 权属：key 为“三大类:权属”，如 agricultural:collective（集体农用地）"))
    farmland_by_ownership = _ClassRow(many=True, help_text=gettext_lazy("耕地（01）按权属，key 同 by_ownership"))
    by_level1 = _ClassRow(many=True)
    by_code = _ClassRow(many=True)
    controls = serializers.DictField(child=serializers.DictField())
    verdicts = serializers.ListField(child=serializers.DictField())
    not_evaluated = serializers.ListField(child=serializers.DictField())
    warnings = serializers.ListField(child=serializers.CharField())


class _Subtotal(_Areas):
    code = serializers.CharField(help_text=gettext_lazy("县级行政区代码"))
    name = serializers.CharField()


class _Result(_Areas):
    label = serializers.CharField(help_text=gettext_lazy("边界名称（文件中的要素）"))
    boundary_index = serializers.IntegerField()
    gross = _Area(help_text=gettext_lazy("边界的 CGCS2000 椭球面积"))
    controls = serializers.DictField(child=serializers.DictField(), help_text=gettext_lazy("图层名 → 区内/区外面积"))
    subtotals = _Subtotal(many=True,
                          help_text=gettext_lazy("边界跨县时每县一项（该县部分用该县官方图层分析），合计即上列各数"))


class _Layer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    version = serializers.IntegerField()
    year = serializers.IntegerField(allow_null=True)
    source = serializers.CharField()


class OverlayResponseSerializer(serializers.Serializer):
    created = serializers.DateTimeField()
    source = serializers.CharField()
    layers = _Layer(many=True)
    results = _Result(many=True)
    map = serializers.JSONField(required=False,
        help_text=gettext_lazy("pieces=true 时：边界、图斑碎片、管控图层碎片、区外部分的 GeoJSON"))


_EXAMPLE = {"geometry": {"type": "Polygon", "coordinates": [[[115.44, 36.51], [115.46, 36.51], [115.46, 36.525],
                                                            [115.44, 36.525], [115.44, 36.51]]]},
            "layers": ["county-dltb", "county-basic_farmland"]}  # layer slugs, as GET /api/layers/ lists them


class OverlayView(APIView):
    landguard_access = SCOPED
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        summary=gettext_lazy("叠加分析"),
        description=gettext_lazy(
            "一个或多个边界与地类图斑、管控图层叠加：按三大类、一级类、二级类及权属性质（国有/集体/未标注）"
            "统计毛面积与扣除田坎后的净面积，"
            "各管控图层区内（及开发边界、已批用地等的区外）面积，以及占用永久基本农田、涉及生态保护红线、"
            "位于城镇开发边界外、未被已批用地覆盖、占用耕地等判定。面积为 CGCS2000 椭球面积。"
            "边界须在调用者的数据范围内。"),
        request={"application/json": OverlayRequestSerializer, "multipart/form-data": OverlayRequestSerializer},
        responses={200: OverlayResponseSerializer, 400: OpenApiTypes.OBJECT},
        examples=[OpenApiExample(gettext_lazy("绘制的多边形"), value=_EXAMPLE, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        params = OverlayRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        scope = scope_for(request.user)
        try:
            if "file" in data:
                boundaries = services.read_upload(data["file"], crs=data.get("crs") or None)
                source = data["file"].name
            else:
                boundaries = services.boundaries_from_geojson(data["geometry"])
                source = "GeoJSON"
            if len(boundaries.geometries) > MAX_API_BOUNDARIES:
                raise services.OverlayError(_("一次最多分析 %(max)s 个边界") % {"max": MAX_API_BOUNDARIES})
            geometries = services.check_boundaries(scope, boundaries.geometries)
            dltb, controls = services.choose_layers(scope, slugs=data.get("layers"), boundaries=geometries)
            results = services.overlay_boundaries(scope=scope, boundaries=boundaries.geometries, dltb=dltb,
                                                  controls=controls)
        except services.OverlayError as exc:
            # Only the analysis names boundaries by index; reading errors name the file's features themselves.
            labels = boundaries.labels if exc.boundary_indices else None
            raise ValidationError({"detail": exc.describe(labels)}) from None
        report = reports.OverlayReport(boundaries.labels, results, dltb, controls, scope_label(scope), source)
        body = report.as_dict()
        if boundaries.warnings:
            body["warnings"] = boundaries.warnings
        if data["pieces"]:
            pks = [int(pk) for r in results for pk in r.pieces.dltb_index]
            body["map"] = reports.map_data(report, boundaries.geometries,
                                           selectors.feature_ids(scope, services.dltb_versions(dltb), pks))
        return Response(body)
