"""Fusion across sources: a 卫片 patch over an open camera clue, and a patrol finding near one within the
fusion window, join that clue as one more detection instead of opening a clue of their own."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import shapely
from django.test import override_settings
from shapely.geometry import mapping

from landguard.core import clock
from landguard.people.models import User
from landguard.supervision import patches, patrols, verification
from landguard.supervision.models import Clue, Detection

pytestmark = pytest.mark.django_db

ALARM_AT = dt.datetime(2025, 6, 1, 2, 15, tzinfo=dt.timezone.utc)  # the `alarm` fixture's time, 10:15 Beijing


@pytest.fixture
def camera_clue(post_alarm, alarm) -> Clue:
    response = post_alarm(alarm("E-FUSE"))
    assert response.status_code == 201, response.content
    return Clue.objects.get(pk=response.json()["clue"])


def row(n: int, **extra) -> dict:
    return {"JCBH": f"F{n:03d}", "TBLX": "20", "QSX": "2025-04", "HSX": "2025-05", "DLBM": "0103", "SFYN": "否",
            "SFHX": "否",
            "MJ": 5000, **extra}


def _import(tmp_path, spot, county, actor, rows, name="2025年6月"):
    """A batch of patches, each an 80 m box centred on `spot` unless the row gives its own geometry."""
    x, y = spot
    square = mapping(shapely.box(x - 0.0004, y - 0.0004, x + 0.0004, y + 0.0004))
    features = [{"type": "Feature", "geometry": props.pop("geometry", square), "properties": props} for props in rows]
    path = tmp_path / f"{name}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    return patches.import_batch(path, actor=actor, county=county, name=name, month=dt.date(2025, 6, 1))


def test_a_patch_over_an_open_camera_clue_joins_it(tmp_path, spot, county, county_admin, camera_clue):
    clues = Clue.objects.count()
    # an 80 m box centred on the camera target
    batch = _import(tmp_path, spot, county, county_admin, [row(1, SFHX="是")])
    patch = batch.patches.get()
    camera_clue.refresh_from_db()
    assert patch.clue == camera_clue and Clue.objects.count() == clues
    assert camera_clue.detection_count == 2 and camera_clue.kind == "camera"
    assert sorted(camera_clue.detections.values_list("kind", flat=True)) == ["camera", "satellite"]
    assert camera_clue.severity == "serious"  # the patch touches 生态保护红线 (SFHX)


def test_two_patches_can_join_one_clue(tmp_path, spot, county, county_admin, camera_clue):
    x, y = spot
    around = mapping(shapely.box(x - 0.0002, y - 0.0002, x + 0.0002, y + 0.0002))
    _import(tmp_path, spot, county, county_admin, [row(1)], name="2025年6月")
    _import(tmp_path, spot, county, county_admin, [row(1, geometry=around)], name="2025年7月")
    camera_clue.refresh_from_db()
    assert camera_clue.patches.count() == 2 and camera_clue.detection_count == 3


def test_a_patch_just_beside_the_target_joins_a_far_one_does_not(tmp_path, spot, county, county_admin, camera_clue):
    x, y = spot
    beside = mapping(shapely.box(x + 0.0002, y - 0.0004, x + 0.001, y + 0.0004))  # its edge ~18 m east of the target
    far = mapping(shapely.box(x + 0.0016, y - 0.0004, x + 0.0024, y + 0.0004))  # its edge ~140 m east
    batch = _import(tmp_path, spot, county, county_admin, [row(1, geometry=beside), row(2, geometry=far)])
    near_patch, far_patch = batch.patches.order_by("jcbh")
    assert near_patch.clue == camera_clue
    assert far_patch.clue != camera_clue and far_patch.clue.kind == "satellite" and far_patch.clue.detection_count == 1


@override_settings(SUPERVISION_PATCH_FUSION_M=5)
def test_the_patch_reach_is_configurable(tmp_path, spot, county, county_admin, camera_clue):
    x, y = spot
    beside = mapping(shapely.box(x + 0.0002, y - 0.0004, x + 0.001, y + 0.0004))
    patch = _import(tmp_path, spot, county, county_admin, [row(1, geometry=beside)]).patches.get()
    assert patch.clue != camera_clue


def test_a_patch_does_not_join_a_clue_judged_a_false_alarm(tmp_path, spot, county, county_admin, camera_clue):
    verification.mark_false_alarm(actor=county_admin, clue=camera_clue, reason="农机作业")
    patch = _import(tmp_path, spot, county, county_admin, [row(1)]).patches.get()
    assert patch.clue != camera_clue and patch.clue.kind == "satellite"


def _patrol_finding(village, spot, at: dt.datetime) -> Clue:
    chief = User.objects.get(username=f"chief_{village.code}")
    with clock.frozen(at):
        patrol = patrols.start(actor=chief, lon=spot[0], lat=spot[1])
        patrol = patrols.finish(actor=chief, patrol=patrol, findings="地里在打地基",
                                finding_at=(spot[0] + 0.0005, spot[1]))
    return patrol.clue


def test_a_patrol_finding_within_the_window_joins_the_camera_clue(village, spot, camera_clue):
    clue = _patrol_finding(village, spot, ALARM_AT + dt.timedelta(hours=2))
    camera_clue.refresh_from_db()
    assert clue == camera_clue and camera_clue.detection_count == 2
    assert camera_clue.last_seen == ALARM_AT + dt.timedelta(hours=2)
    assert Detection.objects.filter(clue=camera_clue, kind="patrol").count() == 1


def test_a_patrol_finding_outside_the_window_opens_its_own_clue(village, spot, camera_clue):
    clue = _patrol_finding(village, spot, ALARM_AT + dt.timedelta(hours=7))  # the window is 6 hours
    camera_clue.refresh_from_db()
    assert clue != camera_clue and clue.kind == "patrol" and camera_clue.detection_count == 1
