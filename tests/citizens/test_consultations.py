"""Consultations of the 法治工作室: one recorded from the form (a matter closed on the spot, audited), one refused
naming each missing field with nothing written, and the figures by topic, channel, who answered and referral equal
an independent count over the rows — the list filters and its xlsx carry the same rows."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from landguard.audit.models import AuditEntry
from landguard.citizens import selectors
from landguard.citizens.models import Consultation, Matter, Topic
from landguard.core import clock
from landguard.core.scope import scope_for

pytestmark = pytest.mark.django_db


def _post(client, **more):
    values = {"region": "371525001", "channel": "window", "topic": Topic.INHERITANCE,
              "question": "父亲去世后房屋如何过户",
              "answered_by": "lawyer", "answerer": "张律师", "answer": "可办理继承公证后申请转移登记",
              "referral": "notary", "minutes": "20"} | more
    return client.post(reverse("citizens:consultation-create"), values)


def test_a_consultation_is_recorded_closed_and_audited(county_admin, client_for):
    audits = AuditEntry.objects.count()
    response = _post(client_for(county_admin))
    assert response.status_code == 302
    matter = Matter.objects.filter(kind=Matter.Kind.CONSULTATION).order_by("-pk").first()
    assert matter.status == Matter.Status.DONE and matter.closed_at is not None
    assert matter.consultation.referral == Consultation.Referral.NOTARY and matter.consultation.minutes == 20
    assert AuditEntry.objects.count() == audits + 1


def test_a_consultation_without_an_answer_is_refused_naming_the_field(county_admin, client_for):
    before = Matter.objects.filter(kind=Matter.Kind.CONSULTATION).count()
    response = _post(client_for(county_admin), answer="  ", answerer="")
    assert response.status_code == 400 and "答复" in response.content.decode()
    assert Matter.objects.filter(kind=Matter.Kind.CONSULTATION).count() == before


def test_the_figures_equal_an_independent_count_and_the_list_and_xlsx_agree(county_admin, client_for):
    client = client_for(county_admin)
    _post(client, topic=Topic.HOMESTEAD, channel="phone", answered_by="staff", answerer="李工", referral="")
    today = clock.today()
    figures = selectors.consultation_figures(scope_for(county_admin), today.replace(month=1, day=1), today)
    rows = Matter.objects.filter(kind=Matter.Kind.CONSULTATION, region_code__startswith="371525",
                                 received_at__date__gte=today.replace(month=1, day=1))
    assert figures.total == rows.count() > 0
    by_topic = dict(figures.by_topic)
    for topic in Topic:
        expected = rows.filter(consultation__topic=topic).count()
        assert by_topic.get(str(topic.label), 0) == expected
    assert sum(n for _label, n in figures.by_channel) == figures.total
    assert dict(figures.referred).get("转公证", 0) == rows.filter(consultation__referral="notary").count()

    page = client.get(reverse("citizens:consultation-list"), {"topic": Topic.HOMESTEAD}).content.decode()
    assert 'id="consultation-figures"' in page and "李工" in page
    sheet = load_workbook(io.BytesIO(client.get(reverse("citizens:consultation-export"),
                                                {"topic": Topic.HOMESTEAD}).content)).active
    listed = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[1]]
    assert len(listed) == selectors.consultations(scope_for(county_admin)).filter(
        consultation__topic=Topic.HOMESTEAD).count()
