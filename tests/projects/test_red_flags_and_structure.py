"""德州's practices on the battle map: the month's 流动红旗 stored when a leader awards it (from the ranking, with the
figures as they stood, once per month, never for a month still running), so "N 面红旗 since 2021" is a count next to
the steps closed and ahead since then; and the "1+1+N" structure checked one group to one 作战指挥部, naming a
headquarters that two groups share."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.projects import reports, selectors, services
from landguard.projects.models import RedFlag, ServiceGroup, Step
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db
COUNTY = "371525"


def _county() -> Region:
    return Region.objects.get(code=COUNTY, retired_in__isnull=True)


def _last_awarded() -> RedFlag:
    flag = RedFlag.objects.filter(region_code=COUNTY).order_by("-month").first()
    assert flag is not None, "the demo awards the past months' red flags"
    return flag


def test_a_leader_awards_a_past_months_flag_once_with_the_rankings_figures(county_admin, client_for):
    kept = _last_awarded()
    month = kept.month
    kept.delete()
    leader_row = reports.ranking(scope_for(county_admin), month).filter(closed__gt=0).first()
    client = client_for(county_admin)
    response = client.post(reverse("projects:red-flag-award"), {"month": f"{month:%Y-%m}", "note": "月度评比"})
    assert response.status_code == 302
    flag = RedFlag.objects.get(region_code=COUNTY, month=month)
    assert (flag.group_id, flag.closed, flag.ahead, flag.on_time) == (leader_row.pk, leader_row.closed,
                                                                      leader_row.ahead, leader_row.on_time)
    assert flag.awarded_by == county_admin and flag.note == "月度评比"

    again = client.post(reverse("projects:red-flag-award"), {"month": f"{month:%Y-%m}"})
    assert "已经授予" in " ".join(str(m) for m in get_messages(again.wsgi_request))
    assert RedFlag.objects.filter(region_code=COUNTY, month=month).count() == 1

    # a later change to a step of that month does not rewrite the award
    Step.objects.filter(project__service_group=flag.group, actual_finish__gte=month).update(
        timeliness=Step.Timeliness.LATE)
    flag.refresh_from_db()
    assert flag.closed == leader_row.closed and flag.ahead == leader_row.ahead

    page = client.get(reverse("projects:ranking"), {"month": f"{month:%Y-%m}"}).content.decode()
    assert 'data-red-flag="awarded"' in page and flag.group.name in page


def test_the_running_month_and_a_staff_member_are_refused(county_admin, township_officer):
    with pytest.raises(ValidationError, match="尚未结束"):
        services.award_red_flag(actor=county_admin, region=_county(), month=clock.today())
    with pytest.raises(PermissionDenied):
        services.award_red_flag(actor=township_officer, region=_county(), month=_last_awarded().month)


def test_totals_since_a_year_count_the_stored_flags_and_the_steps_closed_since(county_admin, client_for):
    scope = scope_for(county_admin)
    today = clock.today()
    totals = reports.since_totals(scope, 2021, today)
    assert totals.flag_count == RedFlag.objects.filter(region_code=COUNTY, month__gte=dt.date(2021, 1, 1)).count() > 0
    done = Step.objects.filter(project__region_code__startswith=COUNTY, status=Step.Status.DONE,
                               actual_finish__range=(dt.date(2021, 1, 1), today))
    assert totals.closed == done.count() > 0
    assert totals.ahead == done.filter(timeliness=Step.Timeliness.AHEAD).count()
    assert totals.ahead + totals.on_time + totals.late == totals.closed
    page = client_for(county_admin).get(reverse("projects:ranking"), {"since": "2021"}).content.decode()
    assert 'id="since-totals"' in page and "2021 年以来累计" in page


def test_the_one_plus_one_plus_n_structure_holds_and_names_a_shared_headquarters(county_admin, client_for):
    scope = scope_for(county_admin)
    structure = selectors.group_structure(scope)
    groups = ServiceGroup.objects.filter(region_code=COUNTY).count()
    assert structure.holds and structure.formula == f"1 + 1 + {groups}"
    first = ServiceGroup.objects.filter(region_code=COUNTY).order_by("name").first()
    twin = services.create_service_group(actor=county_admin, region=_county(), name="测试第二服务组",
                                         headquarters=first.headquarters)
    structure = selectors.group_structure(scope)
    assert not structure.holds
    assert structure.shared_headquarters == [(first.headquarters, sorted([first.name, twin.name]))]
    page = client_for(county_admin).get(reverse("projects:group-list")).content.decode()
    assert "对应多个服务组" in page and twin.name in page
