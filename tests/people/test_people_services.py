"""Writes to people and org units stay inside the acting user's scope and leave an audit entry."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from landguard.audit.models import AuditEntry
from landguard.people import services
from landguard.people.models import FieldChief, OrgUnit, Role
from landguard.regions.models import Region


pytestmark = pytest.mark.django_db


def test_county_admin_creates_a_user_in_a_township_with_an_audit_entry(county_admin):
    township = Region.objects.get(code="371525102", retired_in__isnull=True)
    user = services.create_user(actor=county_admin, username="sanga_staff", full_name="桑阿镇所员", role=Role.STAFF,
                                scope_region=township, password="a-long-password")
    entry = AuditEntry.objects.get(target_type="people.user", target_id=str(user.pk))
    assert entry.action == "create" and entry.region_code == "371525102"
    assert "password" not in entry.changes
    assert user.check_password("a-long-password")


def test_township_officer_cannot_place_a_user_in_another_township(township_officer):
    other = Region.objects.get(code="371525102", retired_in__isnull=True)
    with pytest.raises(PermissionDenied):
        services.create_user(actor=township_officer, username="intruder", role=Role.STAFF, scope_region=other)


def test_other_county_user_cannot_edit_a_guanxian_org_unit(other_county_user):
    unit = OrgUnit.objects.get(name="冠县自然资源执法中队（示例）")
    with pytest.raises(PermissionDenied):
        services.update_org_unit(actor=other_county_user, unit=unit, name="x")
    assert OrgUnit.objects.get(pk=unit.pk).name == "冠县自然资源执法中队（示例）"


def test_every_user_needs_a_scope(county_admin):
    with pytest.raises(ValidationError):
        services.create_user(actor=None, username="nowhere", role=Role.VIEWER)


def test_reassigning_a_grid_chief_records_the_grid_change(county_admin):
    chief = FieldChief.objects.filter(level=FieldChief.Level.GRID).select_related("region").first()
    new_grids = list(chief.region.grids.all())
    services.update_field_chief(actor=county_admin, chief=chief, grids=new_grids)
    entry = AuditEntry.objects.filter(target_type="people.fieldchief", target_id=str(chief.pk), action="update").last()
    assert entry.changes["grids"][1] == sorted(g.code for g in new_grids)
