"""RegionScope: a user sees their region and everything below it, nothing else."""

import pytest
from landguard.core.scope import EVERYTHING, NOTHING, RegionScope, scope_for
from landguard.people.models import User
from landguard.regions.models import Region


pytestmark = pytest.mark.django_db


def test_county_admin_scope_is_the_county(county_admin):
    scope = scope_for(county_admin)
    assert scope.prefixes == ("371525",)
    assert scope.contains("371525113201") and not scope.contains("371522101")


def test_township_officer_scope_excludes_sibling_townships(township_officer):
    scope = scope_for(township_officer)
    assert scope.contains("371525001201")
    assert not scope.contains("371525002") and not scope.contains("371525")


def test_filter_applies_prefixes_to_a_queryset(township_officer):
    codes = set(
        scope_for(township_officer).filter(Region.objects.filter(retired_in__isnull=True), "code").values_list("code",
            flat=True))
    assert "371525001" in codes
    assert all(code.startswith("371525001") for code in codes)


def test_inactive_and_unscoped_users_see_nothing(county_admin):
    county_admin.is_active = False
    assert scope_for(county_admin) is NOTHING
    orphan = User(username="orphan", role="viewer")
    assert scope_for(orphan) is NOTHING
    assert not Region.objects.filter(NOTHING.q("code")).exists()


def test_superuser_sees_everything():
    admin = User(username="root", is_superuser=True, is_active=True)
    assert scope_for(admin) is EVERYTHING
    assert RegionScope(prefixes=(), unrestricted=True).contains("11")
