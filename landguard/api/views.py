"""The REST API. Every queryset comes from a selector called with the caller's scope (`self.scope`), so an
object outside the scope is absent: lists leave it out and detail routes answer 404. Writes go through
landguard.people.services, which re-check the scope and append the audit entry in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import mixins, serializers, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework_gis.pagination import GeoJsonPagination

from landguard.api import filters, serializers as api_serializers
from landguard.audit import selectors as audit_selectors
from landguard.core import login_throttle
from landguard.core.access import SCOPED
from landguard.core.client import client_ip
from landguard.core.csp import policy
from landguard.people import selectors as people_selectors
from landguard.people import services as people_services
from landguard.regions import selectors as region_selectors
from landguard.shell.api import ManagerWritesOnly, ScopedViewSetMixin
from landguard.shell.tokens import expires_at


class FeaturePagination(GeoJsonPagination):
    # Features carry full boundaries; a smaller page keeps a response to a few MB.
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        # `schema` is the FeatureCollection (type + features) drf-spectacular builds for the feature serializer.
        # rest_framework_gis's own version renames `results` but keeps it required and nests the collection
        # inside `features`; the response is the collection itself with the page links beside its features.
        return {"allOf": [schema, {
            "type": "object",
            "required": ["type", "count", "features"],
            "properties": {
                "count": {"type": "integer", "example": 123},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
            },
        }]}


class GeoJSONListMixin:
    """`GET …/geojson/`: the filtered list as a paged GeoJSON FeatureCollection, with `?bbox=` on top of
    the ordinary filters. Coordinates are CGCS2000 (EPSG:4490) longitude/latitude."""

    feature_serializer_class: type[serializers.BaseSerializer]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "geojson":
            return self.feature_serializer_class
        return super().get_serializer_class()  # type: ignore[misc]

    @action(detail=False, url_path="geojson", pagination_class=FeaturePagination,
            filter_backends=[DjangoFilterBackend, filters.BBoxFilter])
    def geojson(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        page = self.paginate_queryset(queryset)  # type: ignore[attr-defined]
        return self.get_paginated_response(self.get_serializer(page, many=True).data)  # type: ignore[attr-defined]


# --- regions ---------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("行政区列表"), description=_("数据范围内的行政区；默认只含现行区划。")),
    retrieve=extend_schema(summary=_("行政区详情"),
                           description=_("按区划代码查询；已停用的代码返回停用记录及其承继区划。")),
    geojson=extend_schema(summary=_("行政区边界（GeoJSON）"),
                          responses=api_serializers.RegionFeatureSerializer(many=True),
                          description=_("分页的 GeoJSON FeatureCollection，坐标为 CGCS2000 经纬度；支持 bbox 过滤。")),
)
class RegionViewSet(ScopedViewSetMixin, GeoJSONListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = api_serializers.RegionSerializer
    feature_serializer_class = api_serializers.RegionFeatureSerializer
    filterset_class = filters.RegionFilter
    lookup_field = "code"
    lookup_value_regex = r"\d{2,12}"

    def get_queryset(self) -> QuerySet:
        include_retired = self.request.query_params.get("include_retired", "").lower() in {"1", "true", "yes", "on"}
        queryset = region_selectors.regions(self.scope, include_retired=include_retired)
        queryset = queryset.select_related("retired_in", "successor")
        # Boundaries are heavy: only the GeoJSON route reads them.
        return queryset if self.action == "geojson" else queryset.defer("geom")

    def get_object(self) -> Any:
        # The selector resolves a retired code to its retired row (which names the successor).
        region = region_selectors.get_region(self.scope, self.kwargs["code"])
        self.check_object_permissions(self.request, region)
        return region


@extend_schema_view(list=extend_schema(summary=_("区划变更列表")), retrieve=extend_schema(summary=_("区划变更详情")))
class CodeChangeViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = api_serializers.CodeChangeSerializer
    filterset_class = filters.CodeChangeFilter

    def get_queryset(self) -> QuerySet:
        return region_selectors.code_changes(self.scope)


# --- org units and users (read + write for admins) -------------------------------------------------------


class ServiceWriteMixin:
    """create/update through a people service with actor=request.user. Services raise Django's
    ValidationError (model validation), which DRF does not translate on its own: it becomes a 400 here."""

    create_service: Any
    update_service: Any
    instance_kwarg: str

    def perform_create(self, serializer: serializers.Serializer) -> None:
        serializer.instance = self._call(self.create_service, **serializer.validated_data)

    def perform_update(self, serializer: serializers.Serializer) -> None:
        values = {self.instance_kwarg: serializer.instance, **serializer.validated_data}
        serializer.instance = self._call(self.update_service, **values)

    def _call(self, service: Any, **values: Any) -> Any:
        try:
            return service(actor=self.request.user, **values)  # type: ignore[attr-defined]
        except DjangoValidationError as error:
            detail = error.message_dict if hasattr(error, "error_dict") else error.messages
            raise ValidationError(detail) from None


class ScopedWriteViewSet(ScopedViewSetMixin, ServiceWriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    permission_classes = [ManagerWritesOnly]


@extend_schema_view(
    list=extend_schema(summary=_("组织机构列表")), retrieve=extend_schema(summary=_("组织机构详情")),
    create=extend_schema(summary=_("新建组织机构"),
                         description=_("仅管理员；所在行政区须在其数据范围内。写入操作记录。")),
    update=extend_schema(summary=_("修改组织机构")),
    partial_update=extend_schema(summary=_("修改组织机构（部分字段）")),
)
class OrgUnitViewSet(ScopedWriteViewSet):
    serializer_class = api_serializers.OrgUnitSerializer
    filterset_class = filters.OrgUnitFilter
    create_service = staticmethod(people_services.create_org_unit)
    update_service = staticmethod(people_services.update_org_unit)
    instance_kwarg = "unit"

    def get_queryset(self) -> QuerySet:
        return people_selectors.org_units(self.scope).select_related("parent__region")


@extend_schema_view(
    list=extend_schema(summary=_("用户列表")), retrieve=extend_schema(summary=_("用户详情")),
    create=extend_schema(summary=_("新建用户"), description=_("仅管理员；数据范围须在其自身范围内。写入操作记录。")),
    update=extend_schema(summary=_("修改用户")), partial_update=extend_schema(summary=_("修改用户（部分字段）")),
)
class UserViewSet(ScopedWriteViewSet):
    serializer_class = api_serializers.UserSerializer
    filterset_class = filters.UserFilter
    create_service = staticmethod(people_services.create_user)
    update_service = staticmethod(people_services.update_user)
    instance_kwarg = "user"

    def get_queryset(self) -> QuerySet:
        return people_selectors.users(self.scope).select_related("org_unit__region")

    @extend_schema(summary=_("吊销用户的访问令牌"), request=None,
                   description=_("本人可吊销自己的令牌；管理员可吊销其数据范围内任何用户的令牌。已吊销的令牌立即失效。"),
                   responses={200: inline_serializer("TokenRevoked", {"revoked": serializers.BooleanField()})})
    @action(detail=True, methods=["post"], url_path="revoke-token", permission_classes=[IsAuthenticated])
    def revoke_token(self, request: Request, pk: str | None = None) -> Response:
        user = self.get_object()
        return Response({"revoked": people_services.revoke_token(actor=request.user, user=user)})


# --- grids and field chiefs ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("网格列表")), retrieve=extend_schema(summary=_("网格详情")),
    geojson=extend_schema(summary=_("网格范围（GeoJSON）"), responses=api_serializers.GridFeatureSerializer(many=True),
                          description=_("分页的 GeoJSON FeatureCollection，坐标为 CGCS2000 经纬度；支持 bbox 过滤。")),
)
class GridViewSet(ScopedViewSetMixin, GeoJSONListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = api_serializers.GridSerializer
    feature_serializer_class = api_serializers.GridFeatureSerializer
    filterset_class = filters.GridFilter
    lookup_field = "code"
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet:
        queryset = people_selectors.grids(self.scope)
        return queryset if self.action == "geojson" else queryset.defer("geom")


@extend_schema_view(list=extend_schema(summary=_("田长列表")), retrieve=extend_schema(summary=_("田长详情")))
class FieldChiefViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = api_serializers.FieldChiefSerializer
    filterset_class = filters.FieldChiefFilter

    def get_queryset(self) -> QuerySet:
        return people_selectors.field_chiefs(self.scope).select_related("superior__region")


# --- audit -----------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=_("操作记录列表"), description=_("按 target_type + target_id 查询某一对象的变更历史。")),
    retrieve=extend_schema(summary=_("操作记录详情")),
)
class AuditEntryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = api_serializers.AuditEntrySerializer
    filterset_class = filters.AuditEntryFilter

    def get_queryset(self) -> QuerySet:
        return audit_selectors.entries(self.scope)


# --- authentication and documentation --------------------------------------------------------------------


class JobSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    progress = serializers.SerializerMethodField(help_text=_("运行中时为 {done, total}"))

    class Meta:
        from landguard.jobs.models import Job

        model = Job
        fields = ["id", "kind", "kind_display", "status", "status_display", "original_name", "created_at", "started_at",
                  "finished_at", "progress", "report", "error", "result_url"]

    def get_progress(self, job) -> dict[str, int] | None:
        from landguard.jobs.services import progress

        return progress(job)


@extend_schema_view(list=extend_schema(summary=_("后台任务列表")),
                    retrieve=extend_schema(summary=_("后台任务状态、进度和报告")))
class JobViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = JobSerializer

    def get_queryset(self) -> QuerySet:
        from landguard.jobs import selectors as job_selectors

        return job_selectors.jobs(self.scope)


class TokenThrottle(AnonRateThrottle):
    # ObtainAuthToken has no throttle at all; a public password check needs one against guessing. Keyed on
    # the real client (DRF's own ident believes any X-Forwarded-For, so rotating that header escaped it).
    scope = "token"
    rate = "20/min"

    def get_ident(self, request: Request) -> str:
        return client_ip(request)


TokenResponse = inline_serializer("AuthTokenResponse", {"token": serializers.CharField(),
                                                        "expires_at": serializers.DateTimeField()})


class TokenView(ObtainAuthToken):
    """DRF's obtain_auth_token with a documented schema, the login brake (per account and client address)
    and tokens that expire. Marked public in urls.py: it is how a client logs in, and it returns nothing but
    the caller's own token. DELETE revokes the caller's own token (login required)."""

    throttle_classes = [TokenThrottle]

    def get_throttles(self) -> list:
        # The rate throttle guards the password check only; revoking one's own token is not guessing.
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(
        summary=_("获取访问令牌"),
        description=_(
            "用用户名和密码换取令牌。令牌有效期内再次获取得到同一个令牌，过期后获取新令牌。之后在请求头中携带 "
                      "`Authorization: Token <令牌>` 调用接口；浏览器中已登录的会话也可直接调用。连续多次密码错误后，"
                      "该账号和该地址会被暂停登录一段时间（429）。"),
        request=AuthTokenSerializer,
        responses={200: TokenResponse},
        auth=[],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # A body that is not an object (a JSON list, say) is simply a login without a username: 400, never 500.
        data = request.data if isinstance(request.data, Mapping) else {}
        username = str(data.get("username", "") or "")
        if message := login_throttle.refusal(request, username):
            return Response({"detail": message}, status=429)
        serializer = self.get_serializer(data=data)
        if not serializer.is_valid():
            if username and data.get("password"):
                login_throttle.failed(request, username)
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        login_throttle.succeeded(request, username)
        token = people_services.issue_token(user=user)
        return Response({"token": token.key, "expires_at": expires_at(token)})

    @extend_schema(summary=_("吊销自己的访问令牌"), request=None,
                   responses={204: None,
                              401: inline_serializer("TokenRevokeError", {"detail": serializers.CharField()})})
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        people_services.revoke_token(actor=request.user, user=request.user)
        return Response(status=204)


# The schema and its two viewers contain no data, only the shape of the API. They are still marked "scoped"
# and require a login: an internal government system does not advertise its interface to the internet, and
# the access walk then also checks that an anonymous visitor is turned away.


class SchemaView(SpectacularAPIView):
    landguard_access = SCOPED
    permission_classes = [IsAuthenticated]


class SwaggerView(SpectacularSwaggerSplitView):
    # The split view serves Swagger UI's start-up script at ?script (no inline script for the CSP).
    landguard_access = SCOPED
    permission_classes = [IsAuthenticated]
    template_name = "api/swagger_ui.html"


class RedocView(SpectacularRedocView):
    landguard_access = SCOPED
    permission_classes = [IsAuthenticated]
    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        # Redoc (styled-components) writes its styles into <style> elements it creates: this page alone
        # allows them. It shows the schema only, no data, and its scripts are still this server's.
        response["Content-Security-Policy"] = policy().replace("style-src-elem 'self'",
                                                               "style-src-elem 'self' 'unsafe-inline'")
        return response

