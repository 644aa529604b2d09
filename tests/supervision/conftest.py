"""Supervision fixtures: an alarm source with its key and a camera in 清泉街道 (the township officer's township),
a point in one of its villages, and a helper to post alarms."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import shapely

from landguard.demo.personas import DEMO_COUNTY_CODE, DEMO_TOWNSHIP_CODE
from landguard.regions.models import Level, Region


@pytest.fixture
def county(db) -> Region:
    return Region.objects.get(code=DEMO_COUNTY_CODE, retired_in__isnull=True)


@pytest.fixture
def village(db) -> Region:
    """A village of 清泉街道 that has a village chief and grids."""
    return Region.objects.filter(parent__code=DEMO_TOWNSHIP_CODE, level=Level.VILLAGE,
                                 field_chiefs__level=3).order_by("code").first()


@pytest.fixture
def spot(village) -> tuple[float, float]:
    """A point well inside the village (and inside one of its grids)."""
    from landguard.people.models import Grid

    grid = Grid.objects.filter(village=village).order_by("code").first()
    p = shapely.point_on_surface(shapely.from_wkb(bytes(grid.geom.wkb)))
    return (p.x, p.y)


@pytest.fixture
def source_key(county):
    from landguard.supervision import intake

    return intake.create_source(actor=None, name="测试视频平台", county=county)


@pytest.fixture
def camera(source_key, spot):
    from landguard.supervision import intake

    source, _key = source_key
    return intake.register_camera(actor=None, source=source, code="T-TEST-1", name="测试铁塔", lon=spot[0] + 0.01,
                                  lat=spot[1], height_m=45, radius_m=3500)


@pytest.fixture
def post_alarm(client, source_key, camera):
    _source, key = source_key

    def post(body, *, key: str | None = key, raw: bytes | None = None, **headers):
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        extra = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
        return client.post("/api/supervision/alarms/", data=data, content_type="application/json", **extra, **headers)

    return post


@pytest.fixture
def alarm(spot):
    """alarm(event_id, **changes) → a JSON alarm body. The clock stands at 2025-06-02 12:00 (Shanghai) while the
    test runs, so the fixed event times below are recent (an alarm older than 30 days is refused)."""
    from landguard.core import clock

    with clock.frozen(dt.datetime(2025, 6, 2, 12, 0)):
        yield _alarm_maker(spot)


def _alarm_maker(spot):
    def make(event_id: str = "E-1", **changes):
        body = {"event_id": event_id, "camera_id": "T-TEST-1", "time": "2025-06-01T10:15:00+08:00",
                "target": {"lon": spot[0], "lat": spot[1]}, "confidence": 0.9, "note": "挖掘机作业"}
        body.update(changes)
        return body

    return make
