"""Each role's home (web:home through shell.homes): the field chief's tasks with overdue first and countdowns, a
township officer's queue limited to the township, an enforcer's cases with their clocks and windows, a leader's
county figures; the field chief's navigation and the bureau pages refused to them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from landguard.core import clock
from landguard.core.scope import scope_for
from landguard.demo import personas
from landguard.demo.loader import demo_logins
from landguard.people.models import User
from landguard.shell import homes
from landguard.supervision import homes as supervision_homes
from landguard.supervision.models import Case, Task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_restored():
    """LocaleMiddleware activates a page's language for the thread and never resets it: no English leaks out."""
    previous = translation.get_language()
    translation.activate("zh-hans")  # whatever an earlier test's page left active
    yield
    if previous:
        translation.activate(previous)
    else:
        translation.deactivate()


def _viewer(user: User) -> homes.Viewer:
    return homes.Viewer(scope=scope_for(user), role=user.role, user_id=user.pk)


def _keys(user: User) -> list[str]:
    return [shown.section.key for shown in homes.sections(_viewer(user))]


@pytest.fixture
def chief() -> User:
    return User.objects.get(username=personas.FIELD_CHIEF)


def test_the_demo_has_one_login_per_role_and_prints_the_field_chief():
    logins = dict(demo_logins())
    for name in (personas.COUNTY_ADMIN, personas.LEADER, personas.TOWNSHIP_OFFICER, personas.ENFORCER,
                 personas.FIELD_CHIEF):
        assert name in logins, name
    roles = {User.objects.get(username=n).role for n in logins}
    assert {"admin", "leader", "staff", "enforcement", "field_chief"} <= roles
    assert User.objects.get(username=personas.FIELD_CHIEF).scope_region.code.startswith(personas.DEMO_TOWNSHIP_CODE)


def test_the_field_chief_home_lists_their_tasks_overdue_first_with_countdowns(chief):
    assert _keys(chief) == ["supervision.my_tasks"]
    section = supervision_homes.my_tasks(_viewer(chief))
    rows = section["rows"]
    assert len(rows) >= 3 and section["overdue"] >= 1
    flags = [r.overdue for r in rows]
    assert flags == sorted(flags, reverse=True), "overdue tasks come first"
    assert rows[0].escalations >= 1, "the unanswered task shows its escalation"
    running = [s for r in rows for s in r.steps if not s.overdue]
    assert running and all(s.text.startswith("还剩") for s in running)
    assert all(s.text.startswith("已超时") for r in rows for s in r.steps if s.overdue)
    # the non-overdue rows are ordered by their nearest deadline
    later = [r.next_due for r in rows if not r.overdue]
    assert later == sorted(later)


def test_a_new_overdue_task_of_the_field_chief_jumps_to_the_top(chief):
    section = supervision_homes.my_tasks(_viewer(chief))
    fresh = next(r.task for r in section["rows"] if not r.overdue)
    with clock.frozen(clock.now() + dt.timedelta(hours=2)):
        rows = supervision_homes.my_tasks(_viewer(chief))["rows"]
    assert fresh in [r.task for r in rows if r.overdue]


def test_the_field_chief_page_shows_the_phone_navigation_and_countdowns(client_for, chief):
    page = client_for(chief).get(reverse("web:home")).content.decode()
    assert "我的核查任务" in page and "已超时" in page and "还剩" in page and "已升级" in page
    assert reverse("supervision:field") in page and reverse("supervision:clue-new") in page
    assert reverse("inbox:list") in page
    for bureau in ("layers:list", "analysis:overlay", "approvals:list", "quotas:overview", "web:dashboard"):
        assert f'href="{reverse(bureau)}"' not in page, bureau
    assert "最近操作" not in page  # the bureau overview is not theirs


@pytest.mark.parametrize("name", ["layers:list", "analysis:overlay", "approvals:list", "quotas:overview",
                                  "projects:list", "supervision:settings", "supervision:case-list",
                                  "web:dashboard", "people:user-list"])
def test_bureau_pages_are_refused_to_a_field_chief(client_for, chief, name):
    assert client_for(chief).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["web:home", "supervision:field", "supervision:clue-new", "inbox:list", "web:map",
                                  "people:account"])
def test_the_field_chiefs_own_pages_stay_open(client_for, chief, name):
    assert client_for(chief).get(reverse(name)).status_code == 200


def test_bureau_pages_stay_open_to_the_county_admin(client_for, county_admin):
    for name in ("layers:list", "supervision:settings", "supervision:case-list", "web:dashboard"):
        assert client_for(county_admin).get(reverse(name)).status_code == 200, name


def test_the_township_officer_sees_only_the_township_queue(township_officer, county_admin):
    assert "supervision.queue" in _keys(township_officer)
    officer_rows = supervision_homes.queue(_viewer(township_officer))["rows"]
    assert officer_rows and all(r.task.region_code.startswith(personas.DEMO_TOWNSHIP_CODE) for r in officer_rows)
    county_open = Task.objects.filter(region_code__startswith=personas.DEMO_COUNTY_CODE).exclude(
        status=Task.Status.CLOSED)
    elsewhere = county_open.exclude(region_code__startswith=personas.DEMO_TOWNSHIP_CODE)
    assert elsewhere.exists()
    admin_tasks = {r.task.pk for r in supervision_homes.queue(_viewer(county_admin))["rows"]}
    assert admin_tasks - {r.task.pk for r in officer_rows}, "the county sees tasks outside the township"


def test_the_township_home_holds_its_assessment_indicators_and_two_clear_items(client_for, township_officer,
                                                                             county_admin):
    """The township's 考核 view is its officers' home: plan indicators (planning), 两清 items (supply) and the
    supervision figures — 违法占耕比 of the township, this month's patrols, the 三个一 rate."""
    keys = _keys(township_officer)
    assert {"supervision.township_assessment", "planning.township_indicators"} <= set(keys)
    figures = supervision_homes.township_assessment(_viewer(township_officer))
    assert figures["township"] == "清泉街道"
    assert figures["ratio"] is None or figures["ratio"].code == personas.DEMO_TOWNSHIP_CODE
    assert figures["chiefs"] >= figures["chiefs_ok"] >= 0 and figures["office_required"] > 0
    assert supervision_homes.township_assessment(_viewer(county_admin)) is None  # a county has its own figures
    page = client_for(township_officer).get(reverse("web:home")).content.decode()
    assert 'data-section="township-assessment"' in page and "村级田长每周巡田达标" in page


def test_the_township_officer_page_names_no_task_of_another_township(client_for, township_officer):
    page = client_for(township_officer).get(reverse("web:home")).content.decode()
    assert "核查待办" in page
    others = Task.objects.exclude(region_code__startswith=personas.DEMO_TOWNSHIP_CODE).exclude(
        status=Task.Status.CLOSED)
    assert others.exists()
    for task in others:
        assert f">{task} ·" not in page


def test_the_enforcer_home_lists_the_open_cases_with_their_clock_and_notice_window(client_for):
    enforcer = User.objects.get(username=personas.ENFORCER)
    assert "supervision.cases" in _keys(enforcer)
    case = Case.objects.filter(region_code__startswith=personas.DEMO_COUNTY_CODE).order_by("pk").first()
    Case.objects.filter(pk=case.pk).update(status=Case.Status.NOTICE, notice_served_at=clock.now())
    section = supervision_homes.enforcer_cases(_viewer(enforcer))
    row = next(r for r in section["rows"] if r.case.pk == case.pk)
    assert row.window_open and row.window_end > clock.now()
    assert section["in_window"] >= 1 and section["open"] >= 1
    page = client_for(enforcer).get(reverse("web:home")).content.decode()
    assert "我的执法案件" in page and case.number in page and "陈述申辩/听证期至" in page
    assert "办案期限还剩" in page


def test_the_enforcer_sees_no_case_outside_their_scope():
    other = User.objects.get(username=personas.OTHER_COUNTY_USER)
    rows = supervision_homes.case_rows(scope_for(other))
    assert all(r.case.region_code.startswith(personas.OTHER_COUNTY_CODE) for r in rows)


def test_the_leader_home_shows_the_county_figures(client_for):
    leader = User.objects.get(username=personas.LEADER)
    keys = _keys(leader)
    assert keys[0] == "supervision.figures" and "projects.behind" in keys
    figures = supervision_homes.leader_figures(_viewer(leader))
    assert figures["alarms"] > 0 and figures["ratio"] is not None
    page = client_for(leader).get(reverse("web:home")).content.decode()
    for words in ("耕地保护概况", "告警", "违法占耕比", "重点项目进度", "超期"):
        assert words in page, words


def test_the_home_pages_render_in_english(client_for, chief):
    leader = User.objects.get(username=personas.LEADER)
    for user in (chief, leader):
        page = client_for(user).get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Deadline object" not in page
