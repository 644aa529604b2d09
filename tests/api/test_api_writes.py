"""Writes: admins only, inside their scope, through the services, leaving an audit entry."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from landguard.audit.models import AuditEntry
from landguard.people import services
from landguard.people.models import OrgUnit, Role, User
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db

NEW_UNIT = {"name": "桑阿镇执法小组（测试）", "kind": "enforcement_squad", "region": "371525102"}


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def viewer(db) -> User:
    region = Region.objects.get(code="371525", retired_in__isnull=True)
    return services.create_user(actor=None, username="guanxian_viewer", role=Role.VIEWER, scope_region=region)


def test_viewer_and_staff_cannot_write(viewer, township_officer):
    unit = OrgUnit.objects.get(name="清泉街道自然资源所（示例）")
    for user in (viewer, township_officer):
        client = api(user)
        assert client.get(f"/api/org-units/{unit.pk}/").status_code == 200
        assert client.post("/api/org-units/", {**NEW_UNIT, "region": "371525001"}, format="json").status_code == 403
        assert client.patch(f"/api/org-units/{unit.pk}/", {"phone": "0635-1"}, format="json").status_code == 403
        assert client.post("/api/users/", {"username": "x1", "role": "viewer", "scope_region": "371525001"},
                           format="json").status_code == 403
    assert not OrgUnit.objects.filter(name=NEW_UNIT["name"]).exists()


def test_admin_creates_an_org_unit_with_an_audit_entry(county_admin):
    response = api(county_admin).post("/api/org-units/", NEW_UNIT, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["region"], body["region_name"]) == ("371525102", "桑阿镇")
    entry = AuditEntry.objects.get(target_type="people.orgunit", target_id=str(body["id"]))
    assert entry.action == "create" and entry.actor == county_admin and entry.region_code == "371525102"


def test_out_of_scope_region_is_refused(county_admin, other_county_user):
    shenxian_township = Region.objects.filter(parent__code="371522", retired_in__isnull=True).first()
    response = api(county_admin).post("/api/org-units/", {**NEW_UNIT, "region": shenxian_township.code}, format="json")
    assert response.status_code == 400 and "region" in response.json()
    response = api(county_admin).post("/api/users/",
        {"username": "spy", "role": "staff", "scope_region": shenxian_township.code}, format="json")
    assert response.status_code == 400 and "scope_region" in response.json()
    # Moving an in-scope record out of the scope is refused the same way.
    unit = OrgUnit.objects.get(name="冠县自然资源执法中队（示例）")
    assert api(county_admin).patch(f"/api/org-units/{unit.pk}/", {"region": shenxian_township.code},
                                   format="json").status_code == 400
    # And another county's admin cannot even see the record.
    assert api(other_county_user).patch(f"/api/org-units/{unit.pk}/", {"phone": "1"}, format="json").status_code == 404
    assert OrgUnit.objects.get(pk=unit.pk).region.code == "371525"
    assert not User.objects.filter(username="spy").exists()


def test_update_through_the_api_appears_in_the_audit_entries(county_admin):
    client = api(county_admin)
    user = User.objects.get(username="officer_371525102")
    response = client.patch(f"/api/users/{user.pk}/", {"full_name": "桑阿镇所长（改）", "phone": "13800000000"},
                            format="json")
    assert response.status_code == 200, response.content
    assert response.json()["full_name"] == "桑阿镇所长（改）"
    history = client.get("/api/audit-entries/", {"target_type": "people.user", "target_id": user.pk}).json()["results"]
    update = next(row for row in history if row["action"] == "update")
    assert update["changes"]["full_name"][1] == "桑阿镇所长（改）"
    assert update["actor"] == county_admin.pk and update["region_code"] == "371525102"


def test_admin_creates_a_user_whose_password_works_and_is_never_shown(county_admin):
    client = api(county_admin)
    data = {"username": "sanga_new", "password": "a-long-enough-password", "role": "staff", "scope_region": "371525102",
            "full_name": "新所员"}
    response = client.post("/api/users/", data, format="json")
    assert response.status_code == 201, response.content
    assert "password" not in response.json()
    created = User.objects.get(username="sanga_new")
    assert created.check_password("a-long-enough-password")
    assert "password" not in AuditEntry.objects.get(target_type="people.user", target_id=str(created.pk)).changes
    assert client.patch(f"/api/users/{created.pk}/", {"password": "another-long-password"},
                        format="json").status_code == 400
    assert client.post("/api/users/", {**data, "username": "weak", "password": "123"}, format="json").status_code == 400
