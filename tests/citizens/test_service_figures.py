"""The period's public-service figures (便民服务统计) as the reports state them: registrations by kind, consultations,
12345 on-time and satisfaction rates and the 信访 figures equal independent counts over the demo's rows; the page,
its xlsx and the weekly report's 便民服务 section carry the same table."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from landguard.citizens import selectors
from landguard.citizens.figures import figures_table
from landguard.citizens.models import Matter
from landguard.core import clock
from landguard.core.scope import scope_for

pytestmark = pytest.mark.django_db


def test_the_figures_equal_independent_counts_and_every_view_of_them_agrees(county_admin, client_for):
    scope, today = scope_for(county_admin), clock.today()
    start = today.replace(year=today.year - 6, month=1, day=1)  # the demo's 2021 registrations included
    figures = selectors.service_figures(scope, start, today, today)
    mine = Matter.objects.filter(region_code__startswith="371525", received_at__date__range=(start, today))
    assert figures.registrations == mine.filter(kind=Matter.Kind.REGISTRATION).count() > 0
    assert figures.consultations.total == mine.filter(kind=Matter.Kind.CONSULTATION).count() > 0
    orders = list(mine.filter(kind=Matter.Kind.WORK_ORDER).select_related("work_order"))
    closed = [m for m in orders if m.status == Matter.Status.DONE]
    assert figures.orders == len(orders) and figures.orders_closed == len(closed) > 0
    assert figures.orders_on_time == sum(1 for m in closed if timezone.localtime(m.closed_at).date() <= m.limit_on)
    assert figures.orders_called_back == sum(1 for m in orders if m.work_order.visits)
    assert figures.petitions.screened == mine.filter(kind=Matter.Kind.PETITION).count() > 0
    assert figures.petitions.backlog == mine.filter(kind=Matter.Kind.PETITION).exclude(petition__backlog="").count()

    rows = figures_table(figures)
    client = client_for(county_admin)
    query = {"start": start.isoformat(), "end": today.isoformat()}
    page = client.get(reverse("citizens:figures"), query).content.decode()
    assert all(str(item).strip() in page for item, _value in rows)
    sheet = load_workbook(io.BytesIO(client.get(reverse("citizens:figures-export"), query).content)).active
    exported = [r[1:] for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert [(str(a), str(b)) for a, b in exported] == [(str(a), str(b)) for a, b in rows]


def test_the_weekly_report_carries_the_services_section(county_admin, client_for):
    xlsx = client_for(county_admin).get(reverse("projects:weekly-xlsx") + f"?date={clock.today().isoformat()}")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert "便民服务（本周）" in book.sheetnames


def test_the_demo_reproduces_guanxians_2021_one_id_year(county_admin):
    import datetime as dt

    figures = selectors.service_figures(scope_for(county_admin), dt.date(2021, 1, 1), dt.date(2021, 12, 31),
                                        clock.today())
    by_kind = dict(figures.registrations_by_kind)
    assert by_kind["转移登记（新建商品房）"] == 187 and by_kind["转移登记（二手房）"] == 8
