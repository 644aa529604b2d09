"""Supervision objects located in one township, for the access walk (tests/access_walk.py `_place`): a camera,
a clue with its task, an evidence photo, a case, a 卫片 patch, a patrol, a notification channel, a deadline
rule and a message about the task in the inbox of each of the three personas (whose scope decides whether they may
read it), each named after the township so that a page showing it to someone outside the township is caught as a
leak — and the county's alarm source."""

from __future__ import annotations

import datetime as dt
import hashlib

import shapely
from django.contrib.gis.geos import GEOSGeometry

from landguard.core import clock
from landguard.demo.personas import COUNTY_ADMIN, OTHER_COUNTY_USER, TOWNSHIP_OFFICER
from landguard.inbox import services as inbox
from landguard.people.models import Role, User
from landguard.regions.models import Region
from landguard.supervision import cases, inbox_messages, intake, verification
from landguard.supervision.models import AlarmSource, Channel, DeadlinePolicy, Patch, PatchBatch, Patrol


def supervision_objects(region: Region) -> dict[str, object]:
    county = Region.objects.get(code=region.code[:6], retired_in__isnull=True)
    admin = User.objects.filter(role=Role.ADMIN, scope_region=county).order_by("username").first()
    inside = shapely.point_on_surface(shapely.from_wkb(bytes(region.geom.wkb)))
    source = AlarmSource.objects.filter(region_code=county.code).first() or intake.create_source(
        actor=None, name=f"{county.name}监控平台", county=county)[0]
    camera = intake.register_camera(actor=None, source=source, code=f"WALK-{region.code}", name=f"{region.name}铁塔",
                                    lon=inside.x, lat=inside.y, height_m=40, radius_m=500)
    clue = intake.report_clue(actor=None, kind="report", lon=inside.x, lat=inside.y, title=f"{region.name}举报线索",
                              county=county)
    task = verification.dispatch(actor=admin, clue=clue, reason=f"{region.name}研判")
    data = f"{region.name}照片".encode()
    photo = verification.start_photo(actor=admin, task=task, kind="site", name=f"{region.name}.jpg",
                              sha256=hashlib.sha256(data).hexdigest(), size=len(data), taken_at=clock.now())
    case = cases.open_case(actor=admin, clue=clue, number=f"{region.code}-立案", party=f"{region.name}当事人")
    batch = PatchBatch.objects.create(name=f"{region.name}批次", month=dt.date(2025, 4, 1), region=county,
                                      region_code=county.code,
                                      imported_at=clock.now())
    square = shapely.buffer(inside, 0.0005, cap_style="square")
    patch = Patch.objects.create(batch=batch, jcbh=f"{region.code}0001", area_m2=1000.0, year=2025,
                                 region_code=region.code,
                                 township_code=region.code,
                                 geom=GEOSGeometry(memoryview(shapely.to_wkb(shapely.multipolygons([square]))),
                                                   srid=4490))
    patrol = Patrol.objects.create(user=admin, region_code=region.code, township_code=region.code,
                                   started_at=clock.now(),
                                   findings=f"{region.name}巡田发现")
    channel = Channel.objects.create(kind=Channel.Kind.WECOM, name=f"{region.name}工作群", region_code=region.code,
                                     url=f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=walk-{region.code}")
    policy = DeadlinePolicy.objects.create(region_code=region.code, report_minutes=30, onsite_minutes=45,
                                           restore_minutes=720)
    personas = User.objects.filter(username__in=[COUNTY_ADMIN, TOWNSHIP_OFFICER, OTHER_COUNTY_USER]).order_by(
        "username")
    message = inbox.push(code=inbox_messages.TASK_DISPATCHED.code, recipients=personas, subject=task,
                         region_code=task.region_code,
                         params={"task": str(task), "place": region.name, "title": clue.title, "due": "12:00"})[0]
    return {"camera": camera, "clue": clue, "task": task, "photo": photo, "case": case, "patch": patch,
            "patrol": patrol,
            "source": source, "channel": channel, "policy": policy, "message": message}
