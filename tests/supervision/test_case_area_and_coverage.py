"""A case's 耕地 comes from the occupied area sketched on site (未测定 without one), not the clue's 30 m analysis
disc; the year-on-year figures on 农用地 and 耕地; camera coverage as "N of the villages in scope" and each
camera's scan cycle."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from landguard.core.scope import scope_for
from landguard.supervision import case_area, cases, figures, intake, stats, verification
from landguard.supervision.models import Case, Clue, Task

pytestmark = pytest.mark.django_db


def _square(lon: float, lat: float, half_deg: float = 0.0002) -> str:
    ring = [[lon - half_deg, lat - half_deg], [lon + half_deg, lat - half_deg], [lon + half_deg, lat + half_deg],
            [lon - half_deg, lat + half_deg], [lon - half_deg, lat - half_deg]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


@pytest.fixture
def case(spot, county, county_admin) -> Case:
    clue = intake.report_clue(actor=None, kind="report", lon=spot[0], lat=spot[1], title="举报：建房", county=county)
    verification.dispatch(actor=county_admin, clue=clue)
    return cases.open_case(actor=county_admin, clue=Clue.objects.get(pk=clue.pk), number="冠自然资立〔2025〕9号",
                           party="李某", illegal_area_m2=300)


def test_a_case_from_a_clue_reports_its_farmland_as_unmeasured_not_the_clue_disc(case, county_admin, client_for):
    assert case.clue.farmland_m2 is not None  # the clue's disc was analysed …
    assert case.farmland_m2 is None  # … but that is not the case's farmland
    body = client_for(county_admin).get(f"/supervision/cases/{case.pk}/").content.decode()
    assert '<span id="case-farmland">未测定</span>' in body


def test_the_sketched_area_gives_the_case_its_area_and_the_engine_its_farmland(case, spot, county_admin, client_for):
    c = client_for(county_admin)
    r = c.post(f"/supervision/cases/{case.pk}/sketch/", {"geojson": _square(*spot)})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.occupied is not None and 1000 < case.illegal_area_m2 < 2000  # ~44 m × 44 m at 36.5° N
    assert case.farmland_m2 is not None and 0 <= case.farmland_m2 <= case.illegal_area_m2
    body = c.get(f"/supervision/cases/{case.pk}/").content.decode()
    assert "按现场勾绘范围计算" in body and "未测定" not in body.split('id="case-farmland"')[1][:40]


def test_a_sketch_must_be_an_area(case, county_admin):
    for bad in ("not json", json.dumps({"type": "Point", "coordinates": [115.4, 36.5]})):
        with pytest.raises(ValidationError):
            case_area.sketch_occupied(actor=county_admin, case=case, geojson=bad)
    # a self-crossing bow tie keeps its valid parts
    bow = json.dumps({"type": "Polygon", "coordinates": [[[115.4, 36.5], [115.401, 36.501], [115.401, 36.5],
                                                            [115.4, 36.501], [115.4, 36.5]]]})
    assert case_area.parse_sketch(bow).valid


def test_year_on_year_is_kept_apart_for_agricultural_land_and_farmland(village, county_admin):
    """农用地 from the land class at the clue point; 耕地 only where a sketch measured it."""
    from django.contrib.gis.geos import Point

    def violation(year: int, code: str, area: float, farmland: float | None, n: int) -> None:
        at = timezone.make_aware(dt.datetime(year, 6, 1, 10))
        clue = Clue.objects.create(kind="report", title="违法", location=Point(115.4, 36.5, srid=4490),
                                   region_code=village.code, township_code=village.code[:9], first_seen=at,
                                   last_seen=at, main_land_code=code, status=Clue.Status.VALID)
        Task.objects.create(clue=clue, region_code=clue.region_code, township_code=clue.township_code,
                            dispatched_at=at, dispatched_by=county_admin, outcome=Task.Outcome.ILLEGAL,
                            verified_at=at, illegal_area_m2=area, status=Task.Status.VERIFIED)
        if farmland is not None:
            Case.objects.create(clue=clue, number=f"Y{year}-{n}", party="某", region_code=clue.region_code,
                                township_code=clue.township_code, filed_at=at, due_at=at + dt.timedelta(90),
                                created_by=county_admin, farmland_m2=farmland,
                                occupied="MULTIPOLYGON(((115.4 36.5,115.401 36.5,115.401 36.501,115.4 36.5)))")

    scope = scope_for(county_admin)
    base = figures.year_on_year(scope, 2031)  # an empty year pair
    assert base["agricultural"].this_year == base["agricultural"].last_year == 0.0
    violation(2030, "0103", 6000, 5000, 1)  # 旱地, sketched
    violation(2030, "0301", 6000, None, 2)  # 乔木林地: 农用地, no 耕地
    violation(2031, "0103", 2000, None, 3)  # 旱地, not sketched: 未测定
    violation(2031, "0702", 9000, None, 4)  # 农村宅基地: not 农用地
    yoy = figures.year_on_year(scope, 2031)
    assert (yoy["agricultural"].this_year, yoy["agricultural"].last_year) == (2000, 12000)
    assert yoy["agricultural"].change == -83.3  # 冠县's "−83 %" is of this kind
    assert (yoy["farmland"].this_year, yoy["farmland"].last_year, yoy["farmland"].unmeasured) == (0, 5000, 2)
    assert stats.new_illegal_m2(scope, 2030) == 5000  # the card and the township table count 耕地 alike


def test_coverage_counts_the_villages_in_scope_a_camera_reaches_and_the_scan_cycle_shows(
        county_admin, source_key, spot, client_for):
    scope = scope_for(county_admin)
    before = figures.coverage(scope)
    source, _key = source_key
    camera = intake.register_camera(actor=None, source=source, code="T-COV-1", name="覆盖测试", lon=spot[0],
                                    lat=spot[1], height_m=45, radius_m=3000, scan_cycle_minutes=12)
    after = figures.coverage(scope)
    assert after.villages == before.villages and after.cameras == before.cameras + 1
    assert before.covered <= after.covered <= after.villages and after.covered >= 1
    c = client_for(county_admin)
    assert "12 分钟巡航一周" in c.get(f"/supervision/cameras/{camera.pk}/").content.decode()
    body = c.get("/supervision/").content.decode()
    assert f"范围内 {after.villages} 个村（社区）中 {after.covered} 个" in body
