"""The demo county is the real 冠县 with a deterministic synthetic interior."""

import pytest

from landguard.core.scope import scope_for
from landguard.demo.loader import load_demo
from landguard.people.models import FieldChief, Grid, User
from landguard.regions.models import CodeChange, Level, Region

DEMO_FINGERPRINT = "61da06ea476f4578"

GUANXIAN_TOWNSHIPS_2025 = {
    "371525001": "清泉街道", "371525002": "崇文街道", "371525003": "烟庄街道", "371525101": "贾镇",
    "371525102": "桑阿镇", "371525103": "柳林镇", "371525104": "清水镇", "371525105": "东古城镇",
    "371525106": "北馆陶镇", "371525107": "店子镇", "371525108": "定远寨镇", "371525109": "辛集镇",
    "371525110": "梁堂镇", "371525111": "范寨镇", "371525112": "甘官屯镇", "371525113": "万善镇",
    "371525200": "斜店乡", "371525206": "兰沃乡",
}


pytestmark = pytest.mark.django_db


def test_guanxian_has_its_18_real_townships():
    current = dict(Region.objects.filter(parent__code="371525", retired_in__isnull=True).values_list("code", "name"))
    assert current == GUANXIAN_TOWNSHIPS_2025


def test_real_outline_has_the_official_order_of_area():
    county = Region.objects.get(code="371525", retired_in__isnull=True)
    assert not county.is_synthetic
    assert county.area_m2 == pytest.approx(1_161e6, rel=0.02)  # 冠县 ≈ 1,161 km²


def test_townships_tile_the_county_and_are_labelled_synthetic():
    county = Region.objects.get(code="371525", retired_in__isnull=True)
    townships = Region.objects.filter(parent=county, retired_in__isnull=True)
    assert all(t.is_synthetic for t in townships)
    assert sum(t.area_m2 for t in townships) == pytest.approx(county.area_m2, rel=1e-6)


def test_760_villages_each_with_a_chief_and_grids_with_grid_chiefs():
    villages = Region.objects.filter(code__startswith="371525", level=Level.VILLAGE)
    assert villages.count() == 760
    assert FieldChief.objects.filter(level=FieldChief.Level.VILLAGE, region__in=villages).count() == 760
    grids = Grid.objects.filter(village__in=villages)
    assert grids.count() >= 2 * 760
    assert FieldChief.objects.filter(level=FieldChief.Level.GRID).count() == grids.count()


def test_wanshan_recode_keeps_history_and_the_old_account_sees_the_new_township():
    change = CodeChange.objects.get(old_code="371525209")
    assert (change.kind, change.new_code, change.new_name) == ("recoded", "371525113", "万善镇")
    officer = User.objects.get(username="wanshan_officer")
    assert officer.scope_region.code == "371525209"
    scope = scope_for(officer)
    assert scope.contains("371525113") and scope.contains("371525113201")
    assert not scope.contains("371525112")


def test_loading_twice_changes_nothing():
    before = (Region.objects.count(), User.objects.count(), Grid.objects.count())
    assert load_demo().loaded is False
    assert (Region.objects.count(), User.objects.count(), Grid.objects.count()) == before


def test_subdistricts_start_with_residents_committees():
    # Fixed names tests and screenshots rely on: the first village of 清泉街道 and its grid count.
    first = Region.objects.filter(parent__code="371525001", level=Level.VILLAGE).order_by("code").first()
    assert first.code == "371525001001"
    assert first.kind == "社区居委会"


def _fingerprint() -> str:
    import hashlib

    rows = Region.objects.filter(code__startswith="371525", level__gte=Level.TOWNSHIP,
                                 retired_in__isnull=True).order_by("code")
    text = "|".join(f"{code},{name},{area:.0f}" for code, name, area in rows.values_list("code", "name", "area_m2"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def test_synthetic_names_codes_and_areas_are_the_same_every_load():
    # Seeded generation: the same codes, names and areas (to the m²) on every machine and both databases.
    assert _fingerprint() == DEMO_FINGERPRINT


def test_the_demo_tasks_reach_the_inbox_of_the_township_officer():
    from landguard.demo.personas import TOWNSHIP_OFFICER
    from landguard.inbox import selectors as inbox_selectors

    officer = User.objects.get(username=TOWNSHIP_OFFICER)
    pushed = inbox_selectors.unread(scope_for(officer), officer).filter(code="supervision.task_dispatched")
    assert pushed.exists()
    assert all(m.title.startswith("核查任务 RW") and m.subject_type == "supervision.task" for m in pushed)
