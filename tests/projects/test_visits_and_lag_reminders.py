"""湖北's practices on the battle map: every 包保领导 at least once on a visit (上门服务) before the year ends — the
visits recorded, the year's coverage naming who has not been, a reminder on the leaders' home from the reminder day
that disappears once the visit is recorded — and a home reminder for the regions whose responsibility-list progress
lags the time elapsed."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook

from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.projects import homes, imports, selectors, services
from landguard.projects.models import Project, ServiceVisit
from landguard.regions.models import Region
from landguard.shell.homes import Viewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def led(county_admin) -> Project:
    """An active project of 清泉街道 whose 包保领导 is 王副县长（测试）."""
    project = Project.objects.filter(region_code__startswith="371525", status=Project.Status.ACTIVE).order_by(
        "pk").first()
    Project.objects.filter(pk=project.pk).update(leader="王副县长（测试）")
    project.refresh_from_db()
    return project


def _viewer(user) -> Viewer:
    return Viewer(scope_for(user), user.role, user.pk)


def test_the_year_coverage_names_a_leader_not_yet_visited_until_a_visit_is_recorded(led, county_admin, client_for):
    year = clock.today().year
    row = next(r for r in selectors.visit_coverage(scope_for(county_admin), year) if r.leader == "王副县长（测试）")
    assert row.visits == 0 and led.name in row.projects
    # someone else visiting the project does not count for its leader
    services.record_visit(actor=county_admin, project=led, leader="李科长", visited_on=clock.today(),
                          content="了解进度")
    row = next(r for r in selectors.visit_coverage(scope_for(county_admin), year) if r.leader == "王副县长（测试）")
    assert row.visits == 0

    client = client_for(county_admin)
    response = client.post(reverse("projects:visit-create"), {
        "project": led.pk, "leader": "王副县长（测试）", "visited_on": clock.today().isoformat(),
        "content": "企业反映供电配套滞后", "outcome": "协调供电公司"})
    assert response.status_code == 302
    visit = ServiceVisit.objects.get(leader="王副县长（测试）")
    assert visit.enterprise == (led.owner or "") and visit.region_code == led.region_code
    row = next(r for r in selectors.visit_coverage(scope_for(county_admin), year) if r.leader == "王副县长（测试）")
    assert row.visits == 1 and row.last_visit == clock.today()
    page = client.get(reverse("projects:visit-list")).content.decode()
    assert "企业反映供电配套滞后" in page and 'id="visit-coverage"' in page
    export = client.get(reverse("projects:visit-export"))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_visit_in_the_future_or_without_content_is_refused_and_nothing_written(led, county_admin):
    before = ServiceVisit.objects.count()
    with pytest.raises(ValidationError, match="晚于今天"):
        services.record_visit(actor=county_admin, project=led, leader="王副县长（测试）",
                              visited_on=clock.today() + dt.timedelta(days=1), content="x")
    with pytest.raises(ValidationError):
        services.record_visit(actor=county_admin, project=led, leader="王副县长（测试）", visited_on=clock.today(),
                              content="  ")
    assert ServiceVisit.objects.count() == before


def test_the_leaders_home_reminds_from_the_reminder_day_and_forgets_once_visited(led, county_admin):
    year = clock.today().year
    with clock.frozen(dt.datetime(year, 10, 31, 9)):
        assert homes.visits_due(_viewer(county_admin)) is None  # before the reminder day
    with clock.frozen(dt.datetime(year, 11, 2, 9)):
        due = homes.visits_due(_viewer(county_admin))
        assert due is not None and "王副县长（测试）" in [r.leader for r in due["missing"]]
        services.record_visit(actor=county_admin, project=led, leader="王副县长（测试）", visited_on=clock.today(),
                              content="年度走访")
        due = homes.visits_due(_viewer(county_admin))
        assert due is None or "王副县长（测试）" not in [r.leader for r in due["missing"]]
    with override_settings(PROJECTS_VISIT_REMINDER_FROM="10-01"), clock.frozen(dt.datetime(year, 10, 2, 9)):
        Project.objects.filter(pk=led.pk).update(leader="赵副县长（测试）")
        due = homes.visits_due(_viewer(county_admin))
        assert due is not None and "赵副县长（测试）" in [r.leader for r in due["missing"]]


def _list(county_admin, township: Region, wan_mu: str, start: dt.date, end: dt.date):
    wb = Workbook()
    wb.active.append(["地区", "用地任务件数", "用地任务面积（万亩）"])
    wb.active.append([township.code, 1, float(wan_mu)])
    with tempfile.TemporaryDirectory(prefix="landguard-lag-") as tmp:
        path = Path(tmp) / "list.xlsx"
        wb.save(path)
        return imports.import_target_list(path, actor=county_admin, name="滞后测试清单",
                                          region=Region.objects.get(code="371525", retired_in__isnull=True),
                                          period_start=start, period_end=end, floor_wan_mu=Decimal(wan_mu))


def test_a_region_lagging_the_time_elapsed_is_on_the_leaders_home_with_its_figures(county_admin, client_for):
    today = clock.today()
    township = Region.objects.get(code="371525001", retired_in__isnull=True)
    # three quarters of the period gone, a target nobody could have met: the row lags
    of = _list(county_admin, township, "999", today - dt.timedelta(days=270), today + dt.timedelta(days=90))
    section = homes.lagging_targets(_viewer(county_admin))
    assert section is not None and section["lagging_count"] >= 1
    found = selectors.lagging_targets(scope_for(county_admin), today, 10)
    row = next(r for r in found if r.list.pk == of.pk)
    assert row.region == township.name and row.elapsed == pytest.approx(75.0, abs=0.5)
    progress = next(p for p in selectors.target_progress(scope_for(county_admin), of, as_of=today))
    assert row.rate == progress.area_rate and row.gap_wan_mu == progress.gap_wan_mu
    behind = [r.rate - r.elapsed for r in found]
    assert behind == sorted(behind)  # furthest behind first
    assert all(r.list.pk != of.pk for r in selectors.lagging_targets(scope_for(county_admin), today, 100))
    home = client_for(county_admin).get("/").content.decode()
    assert "责任清单进度滞后" in home and found[0].region in home
