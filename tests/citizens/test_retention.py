"""Retention of personal data: a closed consultation, 12345 order or 信访 case past its kind's retention drops the
person (the matter stays, counted); a person left with nothing is deleted, one who still has a registration is kept;
registrations are never purged; a dry run changes nothing; the run is audited once; the command prints its counts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from citizens.helpers import make_id
from landguard.audit.models import AuditEntry
from landguard.citizens import consultations, petitions, retention, services
from landguard.citizens.models import Matter, Person, Registration
from landguard.core import clock
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db
OLD = dt.datetime(2019, 3, 1, 10, 0)


@pytest.fixture
def township():
    return Region.objects.get(code="371525001", retired_in__isnull=True)


@override_settings(CITIZENS_RETENTION_YEARS={"consultation": 3, "work_order": 5, "petition": 5})
def test_old_matters_drop_their_person_and_a_person_left_with_nothing_is_deleted(county_admin, township):
    with clock.frozen(OLD):
        only_petition = petitions.register_petition(actor=county_admin, region=township, petition_no="XF-OLD-1",
                                                    pclass="claim", summary="旧信访",
                                                    petitioner=(make_id(born="19600101", seq=701), "旧甲"))
        petitions.refuse(actor=county_admin, matter=only_petition, reason="属诉讼事项")
        with_home = petitions.register_petition(actor=county_admin, region=township, petition_no="XF-OLD-2",
                                                pclass="claim", summary="旧信访二",
                                                petitioner=(make_id(born="19600101", seq=702), "旧乙"))
        petitions.refuse(actor=county_admin, matter=with_home, reason="属诉讼事项")
        services.create_registration(actor=county_admin, region=township, reg_kind=Registration.RegKind.FIRST,
                                     unit_no="371525001001GB00001F00010702",
                                     holders=[(make_id(born="19600101", seq=702), "旧乙")])
        consultations.record_consultation(actor=county_admin, region=township, channel="window", topic="gift",
                                          question="旧咨询", answered_by="staff", answerer="李", answer="已答复")
    first, second = Person.objects.get(matters=only_petition), Person.objects.get(matters=with_home)

    dry = retention.purge(dry_run=True)
    assert dry.matters >= 3 and Matter.objects.get(pk=only_petition.pk).applicant_id == first.pk
    audits = AuditEntry.objects.filter(action=AuditEntry.Action.DELETE).count()
    done = retention.purge()
    assert done.matters == dry.matters and done.persons >= 1
    assert not Person.objects.filter(pk=first.pk).exists()  # nothing of theirs left
    assert Person.objects.filter(pk=second.pk).exists()  # still a registration applicant
    purged = Matter.objects.get(pk=with_home.pk)
    assert purged.applicant_id is None and purged.title == retention.PURGED
    assert Matter.objects.filter(kind=Matter.Kind.REGISTRATION, applicant=second).exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DELETE).count() == audits + 1
    assert retention.purge().matters == 0  # once


def test_recent_matters_and_a_kind_kept_for_good_are_left_alone(county_admin, township):
    with clock.frozen(OLD):
        matter = consultations.record_consultation(actor=county_admin, region=township, channel="window",
                                                   topic="gift", question="旧咨询", answered_by="staff",
                                                   answerer="李", answer="已答复")
    with override_settings(CITIZENS_RETENTION_YEARS={"consultation": None, "work_order": 5, "petition": 10}):
        retention.purge()
    assert Matter.objects.get(pk=matter.pk).title == "旧咨询"
    out = io.StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert "would clear matters=" in out.getvalue()
    assert Matter.objects.get(pk=matter.pk).title == "旧咨询"
