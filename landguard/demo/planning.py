"""Demo plan indicators (国土空间规划指标) for 冠县 with a breakdown to its townships that adds up, the current values
measured by the engine on the demo layers, and a few idle rural parcels (闲散土地) in every village of seven of 冠县's
townships, all through the real services and all marked synthetic.

The county values are set from what the engine measures on the synthetic layers (so statuses mean something): 耕地
and 永农 targets a little below the current areas, caps a little above; each township's share follows its own current
value with a deterministic tilt, the last township taking the remainder so that the shares add up to the county value
exactly. Two townships are past their layout deadline (逾期), the rest have reported their layout done or have time."""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

import shapely

from landguard.core import clock
from landguard.core.geodesy import SQM_PER_MU
from landguard.planning import services
from landguard.planning.models import CountyPlan, CurrentUse, IdleStatus, IndicatorKind, PlannedReuse
from landguard.regions.models import Level, Region

COUNTY = "371525"
# County value as a share of the measured current value (floors below 1, caps above).
SHARE = {IndicatorKind.FARMLAND: Decimal("0.97"), IndicatorKind.BASIC_FARMLAND: Decimal("0.99"),
         IndicatorKind.ECO_REDLINE: Decimal("1.00"),
         IndicatorKind.DEV_BOUNDARY: Decimal("1.05"), IndicatorKind.CONSTRUCTION: Decimal("1.03")}
NEW_CONSTRUCTION_MU = Decimal("12000")  # 新增建设用地规模 2021—2035 (synthetic)
Q = Decimal("0.0001")
IDLE_TOWNSHIPS = 7
USES, REUSES = list(CurrentUse.values), list(PlannedReuse.values)


def load_demo_planning() -> int:
    """Load once: 冠县's plan, its breakdown and measurement, idle parcels. Returns the parcels created."""
    county = Region.objects.filter(code=COUNTY, retired_in__isnull=True).first()
    if county is None or CountyPlan.objects.filter(region=county).exists():
        return 0
    townships = list(Region.objects.filter(parent=county, level=Level.TOWNSHIP, retired_in__isnull=True)
                     .order_by("code"))
    plan = services.save_plan(actor=None, county=county, name="冠县国土空间总体规划（2021—2035年）（合成）",
                              document_no="鲁政字〔2023〕示例号（合成）", base_year=2020, target_year=2035,
                              dev_boundary_factor="1.28", values={}, is_synthetic=True)
    current, _basis = services.measure_townships(plan, townships)
    mu: dict[str, dict[str, Decimal]] = {k: {t.code: Decimal(current[t.code].get(k, 0.0) / SQM_PER_MU)
                                             for t in townships} for k in SHARE}
    values: dict[str, Decimal] = {k: (sum(mu[k].values(), Decimal(0)) * share).quantize(Q)
                                  for k, share in SHARE.items()}
    values[IndicatorKind.NEW_CONSTRUCTION] = NEW_CONSTRUCTION_MU
    plan = services.save_plan(actor=None, county=county, name=plan.name, document_no=plan.document_no,
                              base_year=2020, target_year=2035, dev_boundary_factor="1.28", values=values)
    today = clock.today()
    for indicator in plan.indicators.all():
        weights = [(mu[indicator.kind][t.code] if indicator.kind in mu else Decimal(1))
                   * (1 + Decimal((i % 5) - 2) / 50) for i, t in enumerate(townships)]
        total = sum(weights, Decimal(0)) or Decimal(1)
        shares = [(indicator.county_value * w / total).quantize(Q, ROUND_HALF_UP) for w in weights]
        shares[-1] = indicator.county_value - sum(shares[:-1], Decimal(0))
        deadlines = [today - dt.timedelta(days=20) if i < 2 else today + dt.timedelta(days=60 + i)
                     for i in range(len(townships))]
        services.save_breakdown(actor=None, indicator=indicator, note="合成演示数据", shares=[
            services.Share(t, s, d) for t, s, d in zip(townships, shares, deadlines, strict=True)])
    for row in plan.indicators.get(kind=IndicatorKind.FARMLAND).breakdowns.order_by("region_code")[2:8]:
        services.mark_laid_out(actor=None, breakdown=row, on=today - dt.timedelta(days=5))
    services.measure(actor=None, plan=plan)
    return _idle_parcels(county, today)


def _idle_parcels(county: Region, today: dt.date) -> int:
    created = 0
    # Seven townships, as the seed's "8.8万亩 in 540 villages of 7 townships" (the whole county would slow the demo).
    townships = list(Region.objects.filter(parent=county, level=Level.TOWNSHIP, retired_in__isnull=True)
                     .order_by("code").values_list("code", flat=True)[:IDLE_TOWNSHIPS])
    villages = Region.objects.filter(parent__code__in=townships, level=Level.VILLAGE, retired_in__isnull=True,
                                     geom__isnull=False).order_by("code")
    for village in villages:
        rng = random.Random(village.code)
        point = shapely.point_on_surface(shapely.from_wkb(bytes(village.geom.wkb)))  # type: ignore[union-attr]
        for k in range(rng.randint(1, 3)):
            half = rng.uniform(0.0002, 0.0006)
            drawn = k == 0
            services.create_idle_parcel(
                actor=None, village=village, name=f"{village.name}闲散地块{k + 1}（合成）",
                current_use=rng.choice(USES), planned_reuse=rng.choice(REUSES),
                status=rng.choice([IdleStatus.IDENTIFIED, IdleStatus.IDENTIFIED, IdleStatus.IN_PROGRESS,
                                   IdleStatus.REUSED]),
                identified_on=today - dt.timedelta(days=rng.randint(10, 400)),
                boundary=shapely.box(point.x - half, point.y - half, point.x + half, point.y + half) if drawn else None,
                area_mu=None if drawn else f"{rng.uniform(2, 40):.2f}", note="合成演示数据", is_synthetic=True)
            created += 1
    return created
