"""Planning objects per place for the access walk (tests/access_walk.py): the place's county's plan indicator (a plan
is made for the county when the demo has none, as for 莘县), the place's township share of it, and an idle parcel in
the place's first village, named after it, so a page that leaked another county's or township's rows shows its name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import shapely

from landguard.planning import services
from landguard.planning.models import Breakdown, CountyPlan, CurrentUse, IndicatorKind, PlannedReuse
from landguard.regions.models import Level, Region


def _plan(county: Region) -> CountyPlan:
    plan = CountyPlan.objects.filter(region=county).first()
    if plan is not None:
        return plan
    return services.save_plan(actor=None, county=county, name=f"{county.name}国土空间总体规划（示例）",
                              document_no="示例", base_year=2020, target_year=2035,
                              values={IndicatorKind.FARMLAND: "100"})


def planning_objects(township: Region) -> dict[str, Any]:
    plan = _plan(township.parent)
    indicator = plan.indicators.order_by("id").first()
    breakdown = Breakdown.objects.filter(indicator=indicator, township=township).first()
    if breakdown is None:  # the example plan: the whole value to this township, nothing to the others
        others = services.townships_of(plan.region)
        services.save_breakdown(actor=None, indicator=indicator, shares=[
            services.Share(t, indicator.county_value if t.pk == township.pk else Decimal(0), dt.date(2030, 1, 1))
            for t in others])
        breakdown = Breakdown.objects.get(indicator=indicator, township=township)
    village = Region.objects.filter(parent=township, level=Level.VILLAGE).order_by("code").first()
    parcel = None
    if village is not None:
        x, y = shapely.get_coordinates(shapely.point_on_surface(shapely.from_wkb(bytes(village.geom.wkb))))[0] \
            if village.geom is not None else (115.4, 36.5)
        parcel = services.create_idle_parcel(
            actor=None, village=village, name=f"{village.name}闲散地（{township.name}）", current_use=CurrentUse.VACANT,
            planned_reuse=PlannedReuse.FARMLAND, identified_on=dt.date(2025, 5, 1),
            boundary=shapely.box(x - 0.0003, y - 0.0003, x + 0.0003, y + 0.0003))
    return {"plan_indicator": indicator, "breakdown": breakdown, "idle_parcel": parcel}
