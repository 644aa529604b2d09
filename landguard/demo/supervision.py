"""Demo farmland supervision for 冠县, all synthetic and labelled 演示: the 94 tower cameras the county reports
(positions, heights and radii invented, spread over the real outline), a month of clues from every source
going through the real services — triage, dispatch to the four recipients, field verification, a case —
and one 卫片 batch imported from a generated GeoJSON file through the real import path.

Deterministic (fixed seed); times are set relative to the moment of loading with the injectable clock.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import tempfile
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping

from landguard.core import clock
from landguard.demo import personas
from landguard.people.models import User
from landguard.regions.models import Level, Region
from landguard.supervision import cases, geo, intake, patches, sweep, verification
from landguard.supervision.models import Camera, Photo, SourceKind

SEED = "landguard-demo-supervision"
CAMERAS = 94  # 冠县: 94 HD cameras on towers 30–60 m, each watching 3–4 km
SOURCE_NAME = "冠县铁塔视频监控平台（演示）"


def _points_inside(outline, n: int, rng: random.Random) -> list[tuple[float, float]]:
    """n points on a jittered grid over the outline: cameras are spread to cover the county, not clustered."""
    minx, miny, maxx, maxy = shapely.bounds(outline)
    shapely.prepare(outline)
    step = ((maxx - minx) * (maxy - miny) / (n * 1.15)) ** 0.5
    cells = [(x, y) for x in np.arange(minx + step / 2, maxx, step) for y in np.arange(miny + step / 2, maxy, step)]
    inside = [(x + rng.uniform(-0.3, 0.3) * step, y + rng.uniform(-0.3, 0.3) * step) for x, y in cells]
    inside = [p for p in inside if outline.contains(shapely.Point(p))]
    rng.shuffle(inside)
    while len(inside) < n:  # a narrow outline: fill with random interior points
        p = (rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if outline.contains(shapely.Point(p)):
            inside.append(p)
    return sorted(inside[:n], key=lambda p: (-p[1], p[0]))


def load_demo_supervision() -> int:
    """Load the demo cameras, clues, tasks, a case and a 卫片 batch; returns the number of cameras."""
    county = Region.objects.filter(code=personas.DEMO_COUNTY_CODE, retired_in__isnull=True, geom__isnull=False).first()
    if county is None:
        return 0
    rng = random.Random(SEED)
    outline = shapely.from_wkb(bytes(county.geom.wkb))
    source, _key = intake.create_source(actor=None, name=SOURCE_NAME, county=county, is_synthetic=True)
    cameras = []
    for i, (lon, lat) in enumerate(_points_inside(outline, CAMERAS, rng), start=1):
        cameras.append(intake.register_camera(
            actor=None, source=source, code=f"GX-T{i:03d}", name=f"冠县第{i}号铁塔（演示）", lon=lon, lat=lat,
            height_m=float(rng.choice((30, 35, 40, 45, 50, 55, 60))), radius_m=float(rng.choice((3000, 3500, 4000))),
            is_synthetic=True))
    _clues_and_tasks(county, cameras, rng)
    _field_chief_tasks(rng)
    _patch_batch(county, outline, rng)
    _patrols(county, rng)
    return len(cameras)


def _clues_and_tasks(county: Region, cameras: list[Camera], rng: random.Random) -> None:
    admin = User.objects.get(username=personas.COUNTY_ADMIN)
    now = clock.now()
    notes = ["挖掘机作业", "堆土", "新建简易棚房", "硬化地面", "挖塘", "倾倒建筑垃圾"]
    made = []
    for i in range(14):
        camera = cameras[rng.randrange(len(cameras))]
        at = now - dt.timedelta(days=rng.uniform(0.2, 28))
        bearing, distance = rng.uniform(0, 360), rng.uniform(300, camera.radius_m * 0.8)
        lon, lat = geo.destination(camera.position.x, camera.position.y, bearing, distance)
        if not shapely.contains_xy(shapely.from_wkb(bytes(county.geom.wkb)), lon, lat):
            continue
        with clock.frozen(at):
            result = intake.ingest_alarm(source=camera.source, alarm=intake.Alarm(
                event_id=f"DEMO-{i:04d}", camera_code=camera.code, observed_at=at, bearing_deg=bearing,
                distance_m=distance,
                confidence=round(rng.uniform(0.6, 0.99), 2), note=f"{rng.choice(notes)}（演示）"))
        made.append((result.clue, at))
    with clock.frozen(now - dt.timedelta(days=3)):
        township = Region.objects.filter(parent=county, level=Level.TOWNSHIP,
                                         retired_in__isnull=True).order_by("code").first()
        centre = shapely.point_on_surface(shapely.from_wkb(bytes(township.geom.wkb)))
        report = intake.report_clue(actor=admin, kind=SourceKind.HOTLINE, lon=centre.x, lat=centre.y,
                                    title="12345转办：村东头耕地被挖（演示）", description="市民来电反映（演示数据）",
                                    is_synthetic=True)
    made.append((report, now - dt.timedelta(days=3)))
    from landguard.supervision.models import Clue

    Clue.objects.filter(pk__in=[c.pk for c, _at in made]).update(is_synthetic=True)
    for index, (clue, at) in enumerate(sorted(made, key=lambda m: m[1])):
        clue.refresh_from_db()
        stage = index % 5
        with clock.frozen(at + dt.timedelta(minutes=10)):
            if stage == 4:
                verification.mark_false_alarm(actor=admin, clue=clue, reason="农机正常耕作（演示）")
                continue
            if at > now - dt.timedelta(hours=6):
                continue  # the freshest alarms wait for triage
            if stage in (1, 3):  # two-stage triage: pre-judged, then decided by the office head
                verification.prejudge(actor=admin, clue=clue, reason="疑似占用耕地，报所长决定（演示）")
            task = verification.dispatch(actor=admin, clue=clue, reason="疑似占用耕地（演示）")
        _work(task, clue, at, stage, admin)


def _field_chief_tasks(rng: random.Random) -> None:
    """The demo field chief's day (personas.FIELD_CHIEF, 村级田长 of a 清泉街道 village): three problems found on
    patrol in their village — one left unanswered for hours (overdue, escalated one level), one dispatched twenty
    minutes ago (its 1-hour countdowns running), one verified illegal (the 1-day restoration countdown running)."""
    village = Region.objects.filter(code=personas.DEMO_FIELD_CHIEF_VILLAGE, retired_in__isnull=True,
                                    geom__isnull=False).first()
    if village is None:
        return
    admin = User.objects.get(username=personas.COUNTY_ADMIN)
    now = clock.now()
    points = _points_inside(shapely.from_wkb(bytes(village.geom.wkb)), 3, rng)
    titles = ["巡田发现：耕地内堆放建材（演示）", "巡田发现：耕地内新挖鱼塘（演示）",
              "巡田发现：耕地内搭建棚房（演示）"]
    for (lon, lat), title, ago in zip(points, titles, (dt.timedelta(hours=5), dt.timedelta(minutes=20),
                                                       dt.timedelta(hours=6)), strict=True):
        at = now - ago
        with clock.frozen(at):
            clue = intake.report_clue(actor=admin, kind=SourceKind.PATROL, lon=lon, lat=lat, title=title,
                                      description="村级田长巡田发现（演示数据）", is_synthetic=True)
        if clue.status != clue.Status.NEW:  # joined an earlier clue nearby: nothing more to do with it
            continue
        with clock.frozen(at + dt.timedelta(minutes=5)):
            task = verification.dispatch(actor=admin, clue=clue, reason="巡田发现，派发核查（演示）")
        if ago == dt.timedelta(hours=5):  # unanswered: the sweep has climbed one level for each missed step
            for deadline in task.deadlines.exclude(step="restore"):
                sweep.escalate_once(deadline.pk, worker="demo")
        elif ago == dt.timedelta(hours=6):
            _work(task, clue, at, 1, admin)  # reported late, verified illegal: restoration running


def _work(task, clue, at: dt.datetime, stage: int, admin: User) -> None:
    """Carry a demo task as far as its stage: 0 just dispatched, 1 reported late, 2 verified illegal and
    restored, 3 legal — then closed, and one case for the restored one."""
    if stage == 0:
        return
    with clock.frozen(at + dt.timedelta(minutes=40 if stage != 1 else 150)):
        verification.report(actor=admin, task=task, note="已安排人员前往（演示）")
    with clock.frozen(at + dt.timedelta(minutes=90 if stage != 1 else 200)):
        verification.check_in(actor=admin, task=task, lon=clue.location.x, lat=clue.location.y, accuracy_m=8)
        _demo_photo(task, admin, Photo.Kind.SITE)
    outcome = verification.Task.Outcome.ILLEGAL if stage in (1, 2) else verification.Task.Outcome.LEGAL
    with clock.frozen(at + dt.timedelta(minutes=100 if stage != 1 else 210)):
        verification.submit_outcome(actor=admin, task=task, outcome=outcome,
                                    reason="" if outcome == "illegal" else "设施农用地已备案（演示）",
                             illegal_area_m2=round(clue.farmland_m2 or 600.0, 1), stopped=outcome == "illegal")
    if stage == 2:
        with clock.frozen(at + dt.timedelta(hours=20)):
            _demo_photo(task, admin, Photo.Kind.AFTER)
            verification.mark_restored(actor=admin, task=task, note="已拆除复耕（演示）")
        with clock.frozen(at + dt.timedelta(hours=22)):
            verification.close(actor=admin, task=task, note="复核通过（演示）")
            cases.open_case(actor=admin, clue=clue, number=f"冠自然资罚立〔演示〕{clue.pk}号", party="某某（演示）",
                            illegal_area_m2=task.illegal_area_m2 or 0.0)
    elif stage == 3:
        with clock.frozen(at + dt.timedelta(hours=3)):
            verification.close(actor=admin, task=task, note="合法，销号（演示）")


def _demo_photo(task, admin: User, kind: str) -> None:
    """A tiny stand-in image uploaded through the same start/chunk/acknowledge path a phone uses."""
    import hashlib

    data = f"LandGuard 演示照片 {task.pk} {kind}".encode()
    photo = verification.start_photo(actor=admin, task=task, kind=kind, name=f"demo-{task.pk}-{kind}.txt",
                              sha256=hashlib.sha256(data).hexdigest(), size=len(data), taken_at=clock.now(),
                              lon=task.clue.location.x, lat=task.clue.location.y)
    verification.append_chunk(actor=admin, photo=photo, offset=0, data=data)


def _patrols(county: Region, rng: random.Random) -> None:
    """巡田 of the last four weeks: some village chiefs weekly, some not; township offices a few times."""
    from landguard.people.models import FieldChief
    from landguard.supervision import patrols

    now = clock.now()
    chiefs = list(FieldChief.objects.filter(level=FieldChief.Level.VILLAGE, region__code__startswith=county.code)
                  .select_related("user", "region").order_by("region__code")[:40])
    offices = list(User.objects.filter(username__startswith=f"officer_{county.code}").select_related("scope_region"))
    offices.append(User.objects.get(username=personas.TOWNSHIP_OFFICER))
    for who, region, rounds in [(c.user, c.region, rng.choice((1, 2, 4, 4, 5))) for c in chiefs] + \
                               [(u, u.scope_region, rng.randint(3, 10)) for u in offices]:
        spot = shapely.point_on_surface(shapely.from_wkb(bytes(region.geom.wkb)))
        for _ in range(rounds):
            with clock.frozen(now - dt.timedelta(days=rng.uniform(0, 27), hours=rng.uniform(0, 8))):
                patrol = patrols.start(actor=who, lon=spot.x, lat=spot.y)
                patrols.finish(actor=who, patrol=patrol, findings="")
            patrol.__class__.objects.filter(pk=patrol.pk).update(is_synthetic=True)


def _patch_batch(county: Region, outline, rng: random.Random) -> None:
    """Twelve change patches (small squares) as a monthly batch file, imported and partly judged."""
    admin = User.objects.get(username=personas.COUNTY_ADMIN)
    minx, miny, maxx, maxy = shapely.bounds(outline)
    features = []
    while len(features) < 12:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        half = rng.uniform(0.0002, 0.0006)
        square = shapely.box(x - half, y - half, x + half, y + half)
        if not outline.contains(square):
            continue
        n = len(features) + 1
        features.append({"type": "Feature", "geometry": mapping(square), "properties": {
            "JCBH": f"3715252025{n:04d}", "TBLX": rng.choice(["20", "YH", "DT", "TD"]), "QSX": "2025-03",
            "HSX": "2025-04",
            "DLBM": rng.choice(["0101", "0103", "0102", "0204"]), "SFYN": rng.choice(["是", "否", "否"]), "SFHX": "否",
            "MJ": round(float(np.round((2 * half * 111_000) ** 2 * 0.8, 1)), 1)}})
    with tempfile.TemporaryDirectory(prefix="landguard-demo-") as tmp:
        path = Path(tmp) / "2025年4月卫片图斑（演示）.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                        encoding="utf-8")
        today = clock.today()
        batch = patches.import_batch(path, actor=None, county=county, name="月度卫片图斑（演示）",
                                     month=today.replace(day=1),
                                     original_name=path.name, is_synthetic=True)
    for i, patch in enumerate(batch.patches.order_by("jcbh")):
        if i % 3 == 0:
            patches.judge(actor=admin, patch=patch, judgement="illegal", reason="unapproved",
                          rectification="done" if i % 2 == 0 else "in_progress",
                          rectification_kind="restored" if i % 2 == 0 else "",
                          evidence="现场照片、询问笔录（演示）")
        elif i % 3 == 1:
            patches.judge(actor=admin, patch=patch, judgement="legal", reason="approved", evidence="批准文号（演示）")
