"""API representations. Read serializers never expose passwords or anything outside the caller's scope;
write serializers resolve every related object through a selector with the caller's scope, so a region or
org unit outside it is "not found" (400), exactly as if it did not exist.

Areas are the stored CGCS2000 ellipsoidal `area_m2` (core.geodesy) with derived 公顷 and 亩; nothing here
computes an area from a geometry.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from landguard.audit.models import AuditEntry
from landguard.core.scope import RegionScope, scope_for
from landguard.people import selectors as people_selectors
from landguard.people.models import FieldChief, Grid, OrgUnit, User
from landguard.regions import selectors as region_selectors
from landguard.regions.models import CodeChange, Region
from landguard.shell.api import AreaMixin, RegionCodeField


def _scope(serializer: serializers.Field) -> RegionScope:
    return scope_for(serializer.context["request"].user)


# --- scoped related fields (writes) ----------------------------------------------------------------------


class ScopedOrgUnitField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[OrgUnit]:
        return people_selectors.org_units(_scope(self))


def _name_if_visible(serializer: serializers.Field, obj: Any, region: Region | None) -> str | None:
    """A related object's name only when it lies in the caller's scope (a township office's parent, the county
    bureau, is outside a township officer's scope: they get its id, not its name)."""
    if obj is None or region is None or not _scope(serializer).contains(region.code):
        return None
    return str(obj)


# --- regions ---------------------------------------------------------------------------------------------


class RegionSerializer(AreaMixin, serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    parent_code = serializers.SerializerMethodField(help_text=_("上级区划代码（即本代码的前缀）"))
    is_current = serializers.BooleanField(read_only=True)
    retired_in = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    successor_code = serializers.SerializerMethodField(help_text=_("停用区划的承继区划代码（在数据范围内时）"))

    class Meta:
        model = Region
        fields = ["code", "name", "level", "level_display", "kind", "parent_code", "is_current", "retired_in",
                  "successor_code", "area_m2", "area_ha", "area_mu", "boundary_source", "is_synthetic"]

    def get_parent_code(self, obj: Region) -> str | None:
        # The parent's code is a prefix of the region's own code, so it reveals nothing new.
        return obj.parent.code if obj.parent_id else None

    def get_successor_code(self, obj: Region) -> str | None:
        # A division recoded into another township: its successor may lie outside the caller's scope.
        if obj.successor_id is None or not _scope(self).contains(obj.successor.code):
            return None
        return obj.successor.code


class RegionFeatureSerializer(AreaMixin, GeoFeatureModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        geo_field = "geom"
        id_field = "code"
        fields = ["code", "name", "level", "level_display", "kind", "area_m2", "area_ha", "area_mu", "is_synthetic"]


class CodeChangeSerializer(serializers.ModelSerializer):
    edition = serializers.SlugRelatedField(slug_field="name", read_only=True)
    published = serializers.DateField(source="edition.published", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = CodeChange
        fields = ["id", "edition", "published", "kind", "kind_display", "old_code", "old_name", "new_code", "new_name",
                  "region_code"]
        read_only_fields = fields


# --- org units and users ---------------------------------------------------------------------------------


class OrgUnitSerializer(serializers.ModelSerializer):
    region = RegionCodeField(region_selectors.regions, help_text=_("所在行政区代码（须在您的数据范围内）"))
    region_name = serializers.CharField(source="region.name", read_only=True)
    parent = ScopedOrgUnitField(required=False, allow_null=True)
    parent_name = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["id", "name", "kind", "kind_display", "region", "region_name", "parent", "parent_name", "phone",
                  "is_synthetic"]
        read_only_fields = ["is_synthetic"]

    def get_parent_name(self, obj: OrgUnit) -> str | None:
        return _name_if_visible(self, obj.parent, obj.parent.region if obj.parent_id else None)


class UserSerializer(serializers.ModelSerializer):
    """Users without any credential: the password is write-only and accepted on creation only."""

    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"},
                                     help_text=_("仅在新建用户时设置；留空则该用户不能用密码登录"))
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    org_unit = ScopedOrgUnitField(required=False, allow_null=True)
    org_unit_name = serializers.SerializerMethodField()
    scope_region = RegionCodeField(region_selectors.regions, help_text=_("数据范围：行政区代码（须在您的数据范围内）"))
    scope_region_name = serializers.CharField(source="scope_region.name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "password", "full_name", "email", "phone", "role", "role_display", "org_unit",
                  "org_unit_name", "scope_region", "scope_region_name", "is_active", "is_synthetic", "date_joined",
                  "last_login"]
        read_only_fields = ["is_synthetic", "date_joined", "last_login"]

    def get_org_unit_name(self, obj: User) -> str | None:
        return _name_if_visible(self, obj.org_unit, obj.org_unit.region if obj.org_unit_id else None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        password = attrs.get("password")
        if password is not None and self.instance is not None:
            # Changing a password is the user's own business (or the admin site's), not a record edit.
            raise serializers.ValidationError({"password": _("接口只能在新建用户时设置密码。")})
        if password:
            try:
                password_validation.validate_password(password, User(username=attrs.get("username", "")))
            except DjangoValidationError as error:
                raise serializers.ValidationError({"password": list(error.messages)}) from None
        return attrs


# --- grids and field chiefs ------------------------------------------------------------------------------


class GridSerializer(AreaMixin, serializers.ModelSerializer):
    village = serializers.SlugRelatedField(slug_field="code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)

    class Meta:
        model = Grid
        fields = ["code", "name", "village", "village_name", "area_m2", "area_ha", "area_mu", "is_synthetic"]


class GridFeatureSerializer(AreaMixin, GeoFeatureModelSerializer):
    village = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Grid
        geo_field = "geom"
        id_field = "code"
        fields = ["code", "name", "village", "area_m2", "area_ha", "area_mu", "is_synthetic"]


class FieldChiefSerializer(serializers.ModelSerializer):
    user_name = serializers.StringRelatedField(source="user")
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    grids = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    superior_name = serializers.SerializerMethodField()

    class Meta:
        model = FieldChief
        fields = ["id", "user", "user_name", "level", "level_display", "title", "region", "region_name", "grids",
                  "superior", "superior_name", "is_synthetic"]
        read_only_fields = fields

    def get_superior_name(self, obj: FieldChief) -> str | None:
        return _name_if_visible(self, obj.superior, obj.superior.region if obj.superior_id else None)


# --- audit -----------------------------------------------------------------------------------------------


class AuditEntrySerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor", "actor_name", "action", "action_display", "target_type", "target_id",
                  "target_repr", "region_code", "changes", "note"]
        read_only_fields = fields
