"""The audit trail records who changed what, before → after, and the database refuses to rewrite it."""

import pytest
from django.db import DatabaseError, transaction

from landguard.audit.models import AuditEntry
from landguard.audit.selectors import history_of
from landguard.core.scope import scope_for
from landguard.people import services
from landguard.people.models import OrgUnit


pytestmark = pytest.mark.django_db


def test_updating_an_org_unit_appends_before_and_after(county_admin):
    unit = OrgUnit.objects.get(name="冠县自然资源执法中队（示例）")
    services.update_org_unit(actor=county_admin, unit=unit, name="冠县自然资源执法大队（示例）", phone="0635-5123456")
    entry = history_of(scope_for(county_admin), unit).last()
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.actor_name == str(county_admin)
    assert entry.changes["name"] == ["冠县自然资源执法中队（示例）", "冠县自然资源执法大队（示例）"]
    assert entry.changes["phone"] == ["", "0635-5123456"]
    assert entry.region_code == "371525"


def test_an_update_that_changes_nothing_writes_no_entry(county_admin):
    unit = OrgUnit.objects.get(name="冠县自然资源执法中队（示例）")
    before = AuditEntry.objects.count()
    services.update_org_unit(actor=county_admin, unit=unit, name=unit.name)
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_database_refuses_to_edit_or_delete_audit_entries(statement):
    entry = AuditEntry.objects.first()
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            if statement == "update":
                AuditEntry.objects.filter(pk=entry.pk).update(note="rewritten")
            else:
                AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk, note=entry.note).exists()


def test_history_is_scoped_like_the_record(county_admin, other_county_user):
    unit = OrgUnit.objects.get(name="冠县自然资源执法中队（示例）")
    assert history_of(scope_for(county_admin), unit).exists()
    assert not history_of(scope_for(other_county_user), unit).exists()
