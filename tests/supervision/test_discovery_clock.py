"""Where the 三个一 clock starts, per region: at dispatch (the default) or at discovery (the alarm). Under a
discovery clock a triage later than the report limit gives a task born breached, escalated by the next sweep; the
task page shows the clock's start, the alarm-to-dispatch delay and the breach."""

from __future__ import annotations

import datetime as dt

import pytest

from landguard.audit.models import AuditEntry
from landguard.core import clock
from landguard.demo.personas import DEMO_COUNTY_CODE
from landguard.supervision import intake, settings_services, sweep, verification
from landguard.supervision.models import Deadline, DeadlinePolicy

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 6, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Beijing
ALARM = NOW - dt.timedelta(hours=3)


@pytest.fixture
def late_clue(spot, county):
    with clock.frozen(NOW):
        return intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报：推土",
                                  county=county, observed_at=ALARM)


def _dispatch(clue, actor):
    with clock.frozen(NOW):
        return verification.dispatch(actor=actor, clue=clue)


def test_under_the_dispatch_clock_a_late_triage_starts_fresh_and_shows_its_delay(late_clue, county_admin,
                                                                                 client_for):
    task = _dispatch(late_clue, county_admin)
    report = task.deadlines.get(step=Deadline.Step.REPORT)
    assert task.clock_start == "dispatch" and task.clock_origin == NOW
    assert report.due_at == NOW + dt.timedelta(hours=1) and report.breached_at is None
    page = client_for(county_admin).get(f"/supervision/tasks/{task.pk}/").content.decode()
    assert 'data-clock-start="dispatch"' in page and "发现至派发用时 3 小时 0 分钟" in page
    assert 'id="born-breached"' not in page


def test_under_a_region_discovery_clock_a_late_triage_is_born_breached(late_clue, county_admin, client_for):
    policy = settings_services.save_policy(actor=county_admin, policy=None, region_code=DEMO_COUNTY_CODE, kind="",
                                           severity="", report_minutes=60, onsite_minutes=60, restore_minutes=24 * 60,
                                           clock_start="discovery")
    assert AuditEntry.objects.filter(target_type="supervision.deadlinepolicy", target_id=str(policy.pk)).exists()
    task = _dispatch(late_clue, county_admin)
    report, onsite, restore = (task.deadlines.get(step=s) for s in ("report", "on_site", "restore"))
    assert task.clock_start == "discovery" and task.clock_origin == ALARM and task.triage_delay == dt.timedelta(hours=3)
    assert report.due_at == ALARM + dt.timedelta(hours=1) and report.breached_at == NOW
    assert onsite.due_at == ALARM + dt.timedelta(hours=2) and onsite.breached_at == NOW
    assert restore.due_at == ALARM + dt.timedelta(hours=24) and restore.breached_at is None
    page = client_for(county_admin).get(f"/supervision/tasks/{task.pk}/").content.decode()
    assert 'data-clock-start="discovery"' in page and 'id="born-breached"' in page
    assert "发现至派发用时 3 小时 0 分钟" in page and "已超时" in page
    with clock.frozen(NOW + dt.timedelta(minutes=1)):
        assert sweep.sweep() >= 2  # the born-breached steps escalate at once
    assert task.deadlines.get(step="report").escalation_level >= 1


def test_the_clock_start_is_set_on_the_rules_page_per_region(client_for, county_admin, late_clue):
    response = client_for(county_admin).post("/supervision/settings/rules/new/", {
        "region": DEMO_COUNTY_CODE, "kind": "", "severity": "", "report_minutes": 60, "onsite_minutes": 60,
        "restore_minutes": 1440, "clock_start": "discovery"})
    assert response.status_code == 302
    assert DeadlinePolicy.objects.get(region_code=DEMO_COUNTY_CODE).clock_start == "discovery"
    assert verification.durations("report", "normal", late_clue.region_code).clock_start == "discovery"
    page = client_for(county_admin).get("/supervision/settings/").content.decode()
    assert 'data-clock-start="discovery"' in page
