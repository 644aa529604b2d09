"""One approval dossier and one 成片开发方案 per place for the access walk (tests/access_walk.py): a small square in
the township, named after it, filed (as dossiers are) under the township's county, so a page that leaked another
county's dossier or plan would show its name."""

from __future__ import annotations

from typing import Any

import shapely

from landguard.approvals import plan_services, services
from landguard.approvals.models import Dossier
from landguard.regions.models import Region


def approval_objects(township: Region) -> dict[str, Any]:
    x, y = shapely.get_coordinates(shapely.point_on_surface(shapely.from_wkb(bytes(township.geom.wkb))))[0]
    square = shapely.multipolygons([shapely.box(x - 0.0005, y - 0.0005, x + 0.0005, y + 0.0005)])
    dossier = services.create_dossier(actor=None, name=f"{township.name}示例批次（演示）", kind=Dossier.Kind.BATCH,
                                      year=2032, boundary=square, source=Dossier.BoundarySource.DRAWN)
    plan = plan_services.create_plan(actor=None, name=f"{township.name}成片开发方案（演示）", year=2032,
                                     boundary=square, source=Dossier.BoundarySource.DRAWN)
    return {"dossier": dossier, "plan": plan}
