"""One sample URL per route of the access walk, for the browser tests, from the data already in the server's database.

Run in a subprocess against the browser-test database (tests/browser/test_every_page_at_390.py): it prints a JSON
list of {"route", "path"}. Unlike the access walk it creates nothing — the walk's places build cameras, policies and
messages that would change what the other browser tests see — it picks the demo's own objects in 清泉街道 (or, failing
that, in 冠县) and hands them to the walk's SAMPLES. Admin routes and routes without a demo object are left out.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def _first(queryset) -> Any:
    return queryset.order_by("pk").first()


def _located(model, township: str, county: str, field: str = "region_code") -> Any:
    return (_first(model.objects.filter(**{f"{field}__startswith": township}))
            or _first(model.objects.filter(**{f"{field}__startswith": county})))


def demo_objects(township: str, county: str) -> dict[str, Any]:
    from landguard.approvals.models import Dossier
    from landguard.citizens.models import Matter
    from landguard.supply.models import SupplyRecord, TwoClearItem
    from landguard.audit.models import AuditEntry
    from landguard.demo import personas
    from landguard.inbox.models import Message
    from landguard.jobs.models import Job
    from landguard.layers.models import Feature, Layer
    from landguard.people.models import FieldChief, Grid, OrgUnit, User
    from landguard.projects.models import (DeferredItem, Dispatch, Problem, ProcedureTemplate, Project,
                                           ServiceRequest, Step, TargetList)
    from landguard.quotas.models import QuotaAccount, QuotaEntry
    from landguard.regions.models import CodeChange, Level, Region
    from landguard.supervision.models import (AlarmSource, Camera, Case, Channel, Clue, DeadlinePolicy, Patch, Patrol,
                                              Photo, Task)

    region = Region.objects.get(code=township, retired_in__isnull=True)
    objects: dict[str, Any] = {
        "region": region,
        "village": Region.objects.filter(parent=region, level=Level.VILLAGE).order_by("code").first(),
        "org_unit": OrgUnit.objects.filter(region=region).order_by("kind", "name").first(),
        "user": User.objects.filter(scope_region__code__startswith=township)
        .exclude(username__in=[personas.COUNTY_ADMIN, personas.TOWNSHIP_OFFICER, personas.OTHER_COUNTY_USER])
        .order_by("username").first(),
        "grid": Grid.objects.filter(village__code__startswith=township).order_by("code").first(),
        "field_chief": FieldChief.objects.filter(region__code__startswith=township).order_by("level", "region__code")
        .first(),
        "audit_entry": _located(AuditEntry, township, county),
        "code_change": _located(CodeChange, township, county),
        "retired_region": Region.objects.filter(successor=region).order_by("code").first(),
        "job": _first(Job.objects.filter(scope_code__startswith=county)),
        "layer": _located(Layer, township, county),
        "camera": _located(Camera, township, county),
        "clue": _located(Clue, township, county),
        "task": _located(Task, township, county),
        "photo": _first(Photo.objects.filter(task__region_code__startswith=county)),
        "case": _located(Case, township, county),
        "patch": _located(Patch, township, county),
        "patrol": _located(Patrol, township, county),
        "source": _located(AlarmSource, township, county),
        "channel": _located(Channel, township, county),
        "policy": _located(DeadlinePolicy, township, county),
        "project": _located(Project, township, county),
        "problem": _located(Problem, township, county),
        "target_list": _located(TargetList, township, county),
        "service_request": _located(ServiceRequest, township, county),
        "procedure_template": _located(ProcedureTemplate, township, county),
        "dispatch": _located(Dispatch, township, county),
        "message": _first(Message.objects.filter(recipient__username=personas.TOWNSHIP_OFFICER)),
        "quota_account": _first(QuotaAccount.objects.filter(region__code=county)),
        "dossier": _located(Dossier, township, county),
        "supply": _located(SupplyRecord, township, county),
        "supply_item": _located(TwoClearItem, township, county),
        "registration": _first(Matter.objects.filter(kind=Matter.Kind.REGISTRATION, region_code__startswith=county)),
        "work_order": _first(Matter.objects.filter(kind=Matter.Kind.WORK_ORDER, region_code__startswith=county)),
        "petition": _first(Matter.objects.filter(kind=Matter.Kind.PETITION, region_code__startswith=county)),
        "homestead": _first(Matter.objects.filter(kind=Matter.Kind.HOMESTEAD, region_code__startswith=county)),
    }
    if objects["layer"] is not None:
        objects["feature"] = _first(Feature.objects.filter(version__layer=objects["layer"]))
    if objects["project"] is not None:
        objects["step"] = _first(Step.objects.filter(project=objects["project"]))
    objects["deferred_item"] = _first(DeferredItem.objects.filter(step__project__region_code__startswith=county))
    if objects["quota_account"] is not None:
        objects["quota_entry"] = _first(QuotaEntry.objects.filter(account=objects["quota_account"]))
    return objects


def sample_paths() -> list[dict[str, str]]:
    import access_walk as walk

    from landguard.demo import personas

    place = walk.Place("township", personas.DEMO_TOWNSHIP_CODE,
                       demo_objects(personas.DEMO_TOWNSHIP_CODE, personas.DEMO_COUNTY_CODE))
    found = []
    for route in walk.iter_routes():
        if route.admin or route.positional:
            continue
        if not route.params:
            found.append({"route": route.key, "path": "/" + "".join(walk._static(part) for part in route.chain)})
            continue
        sample = walk.SAMPLES.get(route.key)
        if sample is None:
            continue
        try:
            kwargs = dict(sample(place))
        except (walk.NoSample, AttributeError):
            continue
        if "format" in route.params:
            continue  # DRF's suffix routes: JSON
        try:
            found.append({"route": route.key, "path": walk.build_path(route, kwargs, None)})
        except walk.BadSample:
            continue
    return found


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landguard.settings")
    django.setup()
    json.dump(sample_paths(), sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
