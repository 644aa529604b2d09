"""Data for the field chief's day (tests/browser/test_field_chief_day.py), run on the browser server's database: a
report in a demo village of 清泉街道, dispatched by the county bureau to its field chiefs. Prints JSON: the task, the
village field chief's login and a point on site."""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landguard.settings")
    django.setup()
    import shapely

    from landguard.demo import personas
    from landguard.people.models import FieldChief, User
    from landguard.regions.models import Region
    from landguard.supervision import intake, verification

    chief = (FieldChief.objects.filter(level=FieldChief.Level.VILLAGE,
                                       region__code__startswith=personas.DEMO_TOWNSHIP_CODE)
             .select_related("user", "region").order_by("region__code").first())
    county = Region.objects.get(code=personas.DEMO_COUNTY_CODE, retired_in__isnull=True)
    inside = shapely.point_on_surface(shapely.from_wkb(bytes(chief.region.geom.wkb)))
    clue = intake.report_clue(actor=None, kind="report", lon=inside.x, lat=inside.y, title="群众举报：田里在打地基",
                              county=county)
    admin = User.objects.get(username=personas.COUNTY_ADMIN)
    task = verification.dispatch(actor=admin, clue=clue, reason="疑似占用耕地建房")
    json.dump({"task": task.pk, "number": str(task), "chief": chief.user.username, "lon": clue.location.x,
               "lat": clue.location.y}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
