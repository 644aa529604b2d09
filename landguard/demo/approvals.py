"""The demo's approval dossiers: 冠县 2021 and 2020 reproduced from synthetic parcels, so the figures the report
states come out of the parcels' official areas rather than being typed in (seed 001): 2021 — 17 批次, 1 单独选址 and
2 conversions approved by the city, 1,707.8945 亩 in all, using exactly the 1,096.996 亩 of plan quota the city issued
(上报比例 and 批复比例 100 %); 2020 — 8 批次, 596.151 亩.

Each dossier is a square cut out of land its checks accept (`free_land`: inside the 城镇开发边界 for a 批次, outside it
for the 单独选址 road section, inside the 已批用地 layer for the city-approved projects; never 永农, 生态保护红线 or an
earlier dossier), scaled by bisection until its CGCS2000 ellipsoidal area is the wanted m² to the centimetre. The
areas are chosen in m² to 2 dp so that their sum, in 亩 to 4 dp, is the report's figure. Tests use `free_land` and
`exact_square` to place their own dossiers."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

import numpy as np
import shapely
from django.contrib.gis.db.models.functions import AsWKB

from landguard.approvals import parts as package
from landguard.approvals import services
from landguard.approvals.models import Dossier
from landguard.core import clock
from landguard.core.geodesy import SQM_PER_MU, ellipsoidal_area_m2
from landguard.engine.kinds import ControlKind
from landguard.engine.landclass import BigClass, classify
from landguard.layers.models import Feature, Layer
from landguard.people.models import User
from landguard.projects import services as project_services
from landguard.projects.models import ServiceRequest
from landguard.quotas import services as quota_services
from landguard.quotas.models import Kind, Source
from landguard.regions.models import Region

COUNTY = "371525"
GUANXIAN_2021_MU = "1707.8945"
GUANXIAN_2020_MU = "596.151"
GUANXIAN_2021_PLAN_MU = Decimal("1096.996")


def _current_geoms(county: str, kind: str) -> tuple[list[str], np.ndarray]:
    """The codes and geometries of the county's current `kind` layer (its official one first)."""
    layer = Layer.objects.filter(region_code=county, kind=kind).order_by("-is_official", "pk").first()
    if layer is None:
        return [], np.array([], dtype=object)
    rows = list(Feature.objects.filter(version__layer=layer, version__is_current=True)
                .annotate(wkb=AsWKB("geom")).values_list("code", "wkb"))  # raw WKB: no GEOS object per row
    return [code for code, _w in rows], shapely.from_wkb([bytes(w) for _c, w in rows])


def _union(county: str, kind: str, cache: dict[tuple[str, str], shapely.Geometry]) -> shapely.Geometry:
    if (county, kind) not in cache:
        _codes, geoms = _current_geoms(county, kind)
        cache[(county, kind)] = shapely.union_all(shapely.make_valid(geoms)) if len(geoms) else shapely.Polygon()
    return cache[(county, kind)]


def _agricultural(county: str, cache: dict[tuple[str, str], shapely.Geometry]) -> shapely.Geometry:
    """The county's 农用地 parcels (what a conversion converts), from its DLTB layer. The parcels are a coverage
    (edge-matched, no overlaps), so their coverage union is exact and ten times faster than a general union."""
    if (county, "agricultural") not in cache:
        codes, geoms = _current_geoms(county, "dltb")
        wanted = np.array([classify(code).big_class == BigClass.AGRICULTURAL for code in codes], dtype=bool)
        cache[(county, "agricultural")] = shapely.coverage_union_all(geoms[wanted]) if wanted.any() \
            else shapely.Polygon()
    return cache[(county, "agricultural")]


def free_land(county: str, *, inside: str | None = ControlKind.DEV_BOUNDARY, outside_dev: bool = False,
              avoid: shapely.Geometry | None = None, agricultural: bool = False,
              cache: dict[tuple[str, str], shapely.Geometry] | None = None) -> shapely.Geometry:
    """Land of `county` a new dossier may take: inside the `inside` layer (or the county's outline), outside
    the development boundary when `outside_dev`, only 农用地 when `agricultural`; never land of a submitted or
    approved dossier, `avoid`, or the 永农, 生态保护红线 and 已批用地 layers — except the one it must lie in.
    `cache` keeps the layers' unions between calls that read the same layers."""
    cache = {} if cache is None else cache
    region = Region.objects.get(code=county, retired_in__isnull=True)
    outline = shapely.from_wkb(bytes(region.geom.wkb))
    area = outline if inside is None else shapely.intersection(outline, _union(county, inside, cache))
    if agricultural:
        area = shapely.intersection(area, _agricultural(county, cache))
    kinds = (ControlKind.BASIC_FARMLAND, ControlKind.ECO_REDLINE, ControlKind.APPROVED)
    taken = [_union(county, kind, cache) for kind in kinds if kind != inside]
    if outside_dev:
        taken.append(_union(county, ControlKind.DEV_BOUNDARY, cache))
    held = Dossier.objects.filter(region_code__startswith=county, status__in=(Dossier.Status.SUBMITTED,
                                                                              Dossier.Status.APPROVED))
    taken += list(shapely.from_wkb([bytes(g.wkb) for g in held.values_list("boundary", flat=True)]))
    if avoid is not None and not shapely.is_empty(avoid):
        taken.append(avoid)
    return shapely.make_valid(shapely.difference(area, shapely.union_all(taken)))


def exact_square(land: shapely.Geometry, target_m2: float, *, after: int = 0) -> shapely.Geometry:
    """A square around a point deep inside one part of `land` (trying the parts from the `after`-th largest on), cut
    to that part and grown by bisection until its ellipsoidal area is `target_m2` within 1 mm²."""
    parts = sorted((p for p in shapely.get_parts(land) if shapely.get_type_id(p) == 3),
                   key=lambda p: -float(ellipsoidal_area_m2(p)[0]))
    for k in range(len(parts)):
        found = _square_in(parts[(after + k) % len(parts)], target_m2)
        if found is not None:
            return shapely.multipolygons([found])
    raise ValueError("no free land large enough for the demo dossier")


def _square_in(part: shapely.Geometry, target_m2: float) -> shapely.Geometry | None:
    if float(ellipsoidal_area_m2(part)[0]) < target_m2 * 1.5:
        return None
    centre = shapely.get_coordinates(shapely.point_on_surface(part))[0]

    def cut(half: float) -> shapely.Geometry:
        piece = shapely.intersection(part, shapely.box(centre[0] - half, centre[1] - half, centre[0] + half,
                                                       centre[1] + half))
        polygons = [g for g in shapely.get_parts(piece) if shapely.get_type_id(g) == 3]
        return max(polygons, key=lambda g: g.area) if polygons else shapely.Polygon()

    low, high = 0.0, 0.1
    for _ in range(100):
        mid = (low + high) / 2
        square = cut(mid)
        area = float(ellipsoidal_area_m2(square)[0])
        if abs(area - target_m2) < 1e-3 and shapely.is_valid(square):
            return square
        low, high = (mid, high) if area < target_m2 else (low, mid)
    return None


def split_m2(total_mu: str, parts: int, seed: int) -> list[float]:
    """`parts` areas in m² (2 dp) that vary like real batches and add up to `total_mu` 亩 (4 dp)."""
    total = (Decimal(total_mu) * Decimal(2000) / Decimal(3)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, parts)
    shares = [(total * Decimal(float(w / weights.sum()))).quantize(Decimal("0.01")) for w in weights]
    shares[-1] = total - sum(shares[:-1])
    return [float(s) for s in shares]


def _allocate(county: Region, year: int, kind: str, amount: Decimal, document_no: str) -> None:
    quota_services.allocate(actor=None, region=county, year=year, kind=kind, amount=amount, source=Source.ISSUED,
                            document_no=document_no, effective_on=dt.date(year, 3, 1))


def _dossier(name: str, kind: str, year: int, geometry: shapely.Geometry, number: int, *, submitted: dt.date,
             approved: dt.date, plan_mu: Decimal) -> Dossier:
    d = services.create_dossier(actor=None, name=name, kind=kind, year=year, boundary=geometry,
                                source=Dossier.BoundarySource.EXCHANGE, is_synthetic=True)
    lines = []
    new_mu = Decimal(str(round(d.new_construction_m2 / SQM_PER_MU, 4)))
    if kind != Dossier.Kind.CITY_PROJECT:
        plan = min(plan_mu, new_mu)
        lines = [(Kind.PLAN, year, plan), (Kind.LINK_SURPLUS, year, new_mu - plan)]
        farmland = Decimal(str(round(d.farmland_m2 / SQM_PER_MU, 4)))
        paddy = Decimal(str(round(d.paddy_m2 / SQM_PER_MU, 4)))
        lines += [(Kind.OFFSET_AREA, year, farmland), (Kind.OFFSET_PADDY, year, paddy),
                  (Kind.OFFSET_CAPACITY, year, (farmland * 500).quantize(Decimal("1")))]
    services.set_quotas(actor=None, dossier=d, lines=[line for line in lines if line[2] > 0])
    services.update_dossier(actor=None, dossier=d, parts_done=[p.key for p in package.applicable(d)],
                            pre_review_no=f"聊自然资预审字〔{year}〕{number}号")
    services.submit(actor=None, dossier=d, on=submitted)
    return services.approve(actor=None, dossier=d, approval_no=f"鲁政土字〔{year}〕{100 + number}号",
                            approved_on=approved, approved_by="山东省人民政府")


def _plan_share(remaining: Decimal, dossier_new_mu: Decimal) -> Decimal:
    return max(Decimal(0), min(remaining, dossier_new_mu))


def load_demo_approvals(cache: dict[tuple[str, str], shapely.Geometry] | None = None) -> int:
    """冠县's 2020 and 2021 dossiers, submitted and approved through the services (quota reserved and settled in the
    ledgers the quota demo opened). Returns the number of dossiers. `cache` keeps the layers' unions for the caller
    (the plan demo reads the same layers)."""
    county = Region.objects.get(code=COUNTY, retired_in__isnull=True)
    for year in (2020, 2021):  # the other sources the batches drew on, beside the issued plan quota
        _allocate(county, year, Kind.LINK_SURPLUS, Decimal(3000), f"聊自然资字〔{year}〕21号")
        _allocate(county, year, Kind.OFFSET_AREA, Decimal(3000), f"聊自然资字〔{year}〕22号")
        _allocate(county, year, Kind.OFFSET_PADDY, Decimal(500), f"聊自然资字〔{year}〕23号")
        _allocate(county, year, Kind.OFFSET_CAPACITY, Decimal(2_000_000), f"聊自然资字〔{year}〕24号")
    unions: dict[tuple[str, str], shapely.Geometry] = {} if cache is None else cache
    inside_dev = free_land(COUNTY, agricultural=True, cache=unions)
    outside_dev = free_land(COUNTY, inside=None, outside_dev=True, agricultural=True, cache=unions)
    approved_land = free_land(COUNTY, inside=ControlKind.APPROVED, cache=unions)
    made: list[shapely.Geometry] = []

    def place(land: shapely.Geometry, area: float, index: int) -> shapely.Geometry:
        rest = shapely.difference(land, shapely.union_all(made)) if made else land
        square = exact_square(rest, area, after=index)
        made.append(square)
        return square

    count = 0
    plan = {2020: Decimal(600), 2021: GUANXIAN_2021_PLAN_MU}
    plans = [(2020, [Dossier.Kind.BATCH] * 8, GUANXIAN_2020_MU),
             (2021, [Dossier.Kind.BATCH] * 17 + [Dossier.Kind.SEPARATE_SITE] + [Dossier.Kind.CITY_PROJECT] * 2,
              GUANXIAN_2021_MU)]
    for year, kinds, total in plans:
        areas = split_m2(total, len(kinds), seed=year)
        remaining = plan[year]
        for i, (kind, area) in enumerate(zip(kinds, areas, strict=True)):
            land = {Dossier.Kind.BATCH: inside_dev, Dossier.Kind.SEPARATE_SITE: outside_dev}.get(kind, approved_land)
            name = {Dossier.Kind.BATCH: f"冠县{year}年第{i + 1}批次城镇建设用地",
                    Dossier.Kind.SEPARATE_SITE: f"冠县{year}年国道改线工程（单独选址）"}.get(
                kind, f"冠县{year}年市政府批准农用地转用项目{i + 1 - 18}")
            geometry = place(land, area, i)
            submitted = dt.date(year, 3 + i % 8, 5 + i % 20)
            approved = submitted + dt.timedelta(days=35 + i)
            share = _plan_share(remaining, Decimal(str(round(float(ellipsoidal_area_m2(geometry)[0]) / SQM_PER_MU,
                                                            4))))
            dossier = _dossier(name, kind, year, geometry, i + 1, submitted=submitted, approved=approved,
                               plan_mu=share if kind != Dossier.Kind.CITY_PROJECT else Decimal(0))
            remaining -= sum((q.amount for q in dossier.quotas.all() if q.kind == Kind.PLAN), Decimal(0))
            count += 1
    _commissioner_helped(county)
    return count


def _commissioner_helped(county: Region) -> None:
    """The land service commissioner's quota and expropriation requests, linked to the first 2020 dossiers, so the
    专员成效 page has figures that come out of the links."""
    commissioner = User.objects.filter(username="guanxian_staff").first()
    if commissioner is None:
        return
    first = list(Dossier.objects.filter(region_code__startswith=COUNTY, year=2020,
                                        status=Dossier.Status.APPROVED).order_by("pk")[:3])
    for kind, dossiers, text in ((ServiceRequest.Kind.QUOTA, first[:1], "新增建设用地计划指标不足，申请市级统筹。"),
                                 (ServiceRequest.Kind.EXPROPRIATION, first[1:], "征收报批材料组卷指导。")):
        received = min(d.year for d in dossiers) if dossiers else 2020
        request = project_services.create_service_request(
            actor=None, enterprise="冠县经济开发区管委会（示例）", kind=kind, request=text, commissioner=commissioner,
            region=county, received_on=dt.date(received, 2, 20))
        with clock.frozen(dt.datetime(received, 6, 30, 10, 0)):
            project_services.resolve_service_request(actor=None, item=request, outcome="已随批次报批并获批复。",
                                                     days_saved=15)
        # The link is the commissioner's bookkeeping on dossiers already approved: set directly, as the loader does.
        Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).update(service_request=request)

