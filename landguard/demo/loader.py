"""The demo county: real 冠县 (371525) codes and outline, synthetic everything inside it.

Real: the division codes and names of 聊城市 from the NBS 2023 and MCA 2025-12-31 editions (so the
万善乡 371525209 → 万善镇 371525113 recode is part of the demo history), and the outlines of Shandong,
聊城, 冠县 and 莘县 from the DataV/AMap files (GCJ-02, converted to CGCS2000 by the importer).
Synthetic (is_synthetic=True, labelled in the UI): township, village and grid boundaries, village names,
org units, people and field chiefs. Deterministic: a fixed seed, so tests can rely on every name.

莘县 (371522) gets a smaller synthetic interior; its admin is the "another county" persona.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from landguard.audit.models import AuditEntry
from landguard.core.dbstats import analyze
from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.demo import personas, synth
from landguard.demo.layers import load_demo_layers
from landguard.demo.supervision import load_demo_supervision
from landguard.demo.projects import load_demo_projects
from landguard.demo.approvals import load_demo_approvals
from landguard.demo.citizens import load_demo_citizens
from landguard.demo.plans import load_demo_plans
from landguard.demo.planning import load_demo_planning
from landguard.demo.supply import load_demo_supply
from landguard.demo.quotas import load_demo_quotas
from landguard.people import services as people
from landguard.people.models import FieldChief, Grid, OrgUnit, Role, User
from landguard.regions.boundary_import import import_boundaries
from landguard.regions.importers import import_code_table
from landguard.regions.models import Level, Region

SEED = "landguard-demo-371525"
GUANXIAN_VILLAGES = 760  # the real count reported by the county
SHENXIAN_VILLAGES_PER_TOWNSHIP = 4
SYNTHETIC_SOURCE = "合成演示数据（非官方边界）"
# Approximate county seat of 冠县 (lon, lat, CGCS2000): the three 街道 are seeded around it.
GUANXIAN_SEAT = (115.445, 36.485)


def refdata_dir() -> Path:
    path = Path(settings.REFDATA_DIR)
    if not path.is_dir():
        raise FileNotFoundError(f"参考数据目录不存在：{path}"
                                "（LANDGUARD_REFDATA_DIR 应指向含 SOURCE 说明的参考数据目录，默认 data/refdata）")
    return path


@dataclass
class DemoSummary:
    loaded: bool
    regions: int = 0
    villages: int = 0
    grids: int = 0
    users: int = 0
    field_chiefs: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)


def demo_logins() -> list[tuple[str, str]]:
    wanted = [personas.COUNTY_ADMIN, personas.TOWNSHIP_OFFICER, personas.FIELD_CHIEF, personas.LEADER,
              personas.ENFORCER, personas.OTHER_COUNTY_USER, "liaocheng_admin", "wanshan_officer"]
    users = {u.username: u for u in User.objects.filter(username__in=wanted).select_related("scope_region")}
    return [(name, f"{users[name]} · {users[name].get_role_display()} · {users[name].scope_region.current().name}")
            for name in wanted if name in users]


def load_demo() -> DemoSummary:
    """Load the demo once; a second call changes nothing and reports loaded=False."""
    if User.objects.filter(username=personas.COUNTY_ADMIN).exists():
        load_demo_layers()  # a demo loaded before the layer registry existed gets its layers now (once)
        return DemoSummary(loaded=False, logins=demo_logins())
    ref = refdata_dir()
    with transaction.atomic():
        _load_codes_and_outlines(ref)
        builder = _Builder()
        builder.build()
        load_demo_layers()
        load_demo_supervision()
        load_demo_projects()
        load_demo_quotas()
        unions: dict = {}  # the layer unions both read
        load_demo_approvals(cache=unions)
        load_demo_plans(cache=unions)
        load_demo_planning()
        load_demo_supply()
        load_demo_citizens()
    analyze()  # the whole demo was one transaction: statistics for every table it filled
    return DemoSummary(
        loaded=True,
        regions=Region.objects.count(),
        villages=Region.objects.filter(level=Level.VILLAGE).count(),
        grids=Grid.objects.count(),
        users=User.objects.count(),
        field_chiefs=FieldChief.objects.count(),
        logins=demo_logins(),
    )


def _load_codes_and_outlines(ref: Path) -> None:
    import_code_table(ref / "nbs-divisions-2023", edition="nbs-2023", published=dt.date(2023, 6, 30),
                      source="国家统计局 2023年统计用区划代码", fmt="nbs", prefix="3715")
    # A township officer appointed under the 2023 code: after the 2025 edition recodes 万善乡 to 万善镇
    # the account must still see its township (the scope follows the successor).
    people.create_user(actor=None, username="wanshan_officer", password=personas.DEMO_PASSWORD,
                       full_name="万善乡自然资源所（示例）", role=Role.STAFF,
                       scope_region=Region.objects.get(code="371525209"), is_synthetic=True)
    import_code_table(ref / "mca-xzqh-20251231" / "region.csv", edition="mca-xzqh-20251231",
                      published=dt.date(2025, 12, 31),
                      source="民政部 行政区划代码 2025-12-31", fmt="mca", prefix="3715")
    # The web-map outlines carry self-intersections (山东's coastline in the country file): repaired, as an
    # operator would after reading the import report (by default an invalid geometry rejects the file).
    atlas, datav = ref / "datav-geoatlas-2021", "DataV.GeoAtlas 2021（高德，GCJ-02 转换）"
    import_boundaries(atlas / "100000_full.json", crs="gcj02", only_codes={"37"}, source=datav, repair=True)
    import_boundaries(atlas / "370000_full.json", crs="gcj02", only_codes={"3715"}, source=datav, repair=True)
    import_boundaries(atlas / "371500_full.json", crs="gcj02", only_codes={"371522"}, source=datav, repair=True)
    import_boundaries(ref / "datav-county-2019" / "371525.json", crs="gcj02", only_codes={"371525"},
                      source="DataV 2019（高德，GCJ-02 转换）", repair=True)


class _Builder:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.password = make_password(personas.DEMO_PASSWORD)
        self.audit: list[AuditEntry] = []

    def build(self) -> None:
        guanxian = Region.objects.get(code=personas.DEMO_COUNTY_CODE, retired_in__isnull=True)
        shenxian = Region.objects.get(code=personas.OTHER_COUNTY_CODE, retired_in__isnull=True)
        self._townships(guanxian, seat=GUANXIAN_SEAT)
        self._townships(shenxian, seat=None)
        self._villages(guanxian, total=GUANXIAN_VILLAGES, with_grids=True)
        self._villages(shenxian,
            total=SHENXIAN_VILLAGES_PER_TOWNSHIP * shenxian.children.filter(retired_in__isnull=True).count(),
            with_grids=False)
        self._organisation()
        AuditEntry.objects.bulk_create(self.audit, batch_size=500)

    # --- geography -------------------------------------------------------------------------
    def _townships(self, county: Region, seat: tuple[float, float] | None) -> None:
        townships = list(county.children.filter(retired_in__isnull=True).order_by("code"))
        outline = shapely.from_wkb(bytes(county.geom.wkb))
        fixed = []
        if seat:  # 街道 (codes 0xx) sit around the county seat, as they do in reality
            subdistricts = [t for t in townships if t.code[6] == "0"]
            townships = subdistricts + [t for t in townships if t.code[6] != "0"]
            fixed = [shapely.Point(seat[0] + dx, seat[1] + dy) for dx,
                     dy in ((-0.02, 0.005), (0.02, 0.01), (0.0, -0.02))][: len(subdistricts)]
        cells = synth.partition(outline, len(townships), f"{SEED}-{county.code}", fixed=fixed, relax=1)
        self._set_boundaries(townships, cells)

    def _set_boundaries(self, regions: list[Region], cells: list) -> None:
        areas = ellipsoidal_area_m2(cells)
        for region, cell, area in zip(regions, cells, areas, strict=True):
            region.geom = GEOSGeometry(cell.wkt, srid=4490)
            region.area_m2 = float(area)
            region.boundary_source = SYNTHETIC_SOURCE
            region.is_synthetic = True
        Region.objects.bulk_update(regions, ["geom", "area_m2", "boundary_source", "is_synthetic"])

    def _villages(self, county: Region, total: int, with_grids: bool) -> None:
        townships = list(county.children.filter(retired_in__isnull=True).order_by("code"))
        county_area = sum(t.area_m2 for t in townships)
        taken: set[str] = set()
        villages: list[Region] = []
        shapes: list = []
        for index, township in enumerate(townships):
            share = total - sum(max(3, round(total * t.area_m2 / county_area)) for t in townships[:-1]) if index == len(
                townships) - 1 else None
            count = share if share is not None else max(3, round(total * township.area_m2 / county_area))
            outline = shapely.from_wkb(bytes(township.geom.wkb))
            cells = synth.partition(outline, count, f"{SEED}-{township.code}")
            names = synth.village_names(count, self.rng, taken)
            is_subdistrict = township.code[6] == "0"
            for i, (cell, name) in enumerate(zip(cells, names, strict=True)):
                # NBS village codes: 001–199 residents' committees (社区), 200–399 villagers' committees (村).
                community = is_subdistrict and i < count // 3
                code = f"{township.code}{(i + 1) if community else 200 + i:03d}"
                villages.append(Region(code=code, name=name.replace("村", "社区") if community else name,
                                       level=Level.VILLAGE, kind="社区居委会" if community else "村委会",
                                       parent=township, boundary_source=SYNTHETIC_SOURCE, is_synthetic=True))
                shapes.append(cell)
        areas = ellipsoidal_area_m2(shapes)
        for village, cell, area in zip(villages, shapes, areas, strict=True):
            village.geom = GEOSGeometry(cell.wkt, srid=4490)
            village.area_m2 = float(area)
        Region.objects.bulk_create(villages, batch_size=200)
        for village in villages:
            self._audit_create(village, village.code, "合成演示村界")
        if with_grids:
            self._grids(villages, shapes)

    def _grids(self, villages: list[Region], shapes: list) -> None:
        grids: list[Grid] = []
        grid_shapes: list = []
        for village, shape in zip(villages, shapes, strict=True):
            count = self.rng.choice((2, 3, 3, 4))
            for i, cell in enumerate(synth.partition(shape, count, f"{SEED}-{village.code}", relax=1)):
                grids.append(
                    Grid(code=f"{village.code}{i + 1:02d}", name=f"{village.name}第{i + 1}网格", village=village,
                         is_synthetic=True))
                grid_shapes.append(cell)
        for grid, cell, area in zip(grids, grid_shapes, ellipsoidal_area_m2(grid_shapes), strict=True):
            grid.geom = GEOSGeometry(cell.wkt, srid=4490)
            grid.area_m2 = float(area)
        Grid.objects.bulk_create(grids, batch_size=500)

    # --- organisation and people ---------------------------------------------------------------
    def _unit(self, name: str, kind: str, region: Region, parent: OrgUnit | None = None) -> OrgUnit:
        return people.create_org_unit(actor=None, name=name, kind=kind, region=region, parent=parent, is_synthetic=True)

    def _user(self, username: str, full_name: str, role: str, region: Region, unit: OrgUnit | None) -> User:
        user = people.create_user(actor=None, username=username, full_name=full_name, role=role,
                                  scope_region=region, org_unit=unit, is_synthetic=True)
        User.objects.filter(pk=user.pk).update(password=self.password)
        return user

    def _organisation(self) -> None:
        K = OrgUnit.Kind
        province = Region.objects.get(code="37", retired_in__isnull=True)
        city = Region.objects.get(code="3715", retired_in__isnull=True)
        guanxian = Region.objects.get(code=personas.DEMO_COUNTY_CODE, retired_in__isnull=True)
        shenxian = Region.objects.get(code=personas.OTHER_COUNTY_CODE, retired_in__isnull=True)

        dept = self._unit("山东省自然资源厅（示例）", K.PROVINCE_DEPARTMENT, province)
        city_bureau = self._unit("聊城市自然资源和规划局（示例）", K.CITY_BUREAU, city, dept)
        bureau = self._unit("冠县自然资源和规划局（示例）", K.COUNTY_BUREAU, guanxian, city_bureau)
        squad = self._unit("冠县自然资源执法中队（示例）", K.ENFORCEMENT_SQUAD, guanxian, bureau)
        leading = self._unit("冠县耕地保护工作领导小组（示例）", K.LEADERSHIP_GROUP, guanxian)
        self._unit("冠县重点项目用地保障专班（示例）", K.SERVICE_TEAM, guanxian, bureau)
        other_bureau = self._unit("莘县自然资源和规划局（示例）", K.COUNTY_BUREAU, shenxian, city_bureau)

        self._user("province_viewer", "省厅耕保处（示例）", Role.VIEWER, province, dept)
        self._user("liaocheng_admin", "聊城市局管理员（示例）", Role.ADMIN, city, city_bureau)
        self._user(personas.COUNTY_ADMIN, "冠县局管理员（示例）", Role.ADMIN, guanxian, bureau)
        self._user(personas.LEADER, "冠县局分管领导（示例）", Role.LEADER, guanxian, leading)
        self._user("guanxian_staff", "冠县局耕保股（示例）", Role.STAFF, guanxian, bureau)
        self._user(personas.ENFORCER, "冠县执法中队队员（示例）", Role.ENFORCEMENT, guanxian, squad)
        self._user(personas.OTHER_COUNTY_USER, "莘县局管理员（示例）", Role.ADMIN, shenxian, other_bureau)

        for county, bureau_unit in ((guanxian, bureau), (shenxian, other_bureau)):
            for township in county.children.filter(retired_in__isnull=True).order_by("code"):
                office = self._unit(f"{township.name}自然资源所（示例）", K.TOWNSHIP_OFFICE, township, bureau_unit)
                gov_name = f"{township.name}办事处（示例）" if township.kind == "街道" else (f"{township.name}"
                                                                                             "人民政府（示例）")
                self._unit(gov_name, K.TOWNSHIP_GOVERNMENT, township)
                username = (personas.TOWNSHIP_OFFICER if township.code == personas.DEMO_TOWNSHIP_CODE
                            else f"officer_{township.code}")
                self._user(username, f"{township.name}自然资源所（示例）", Role.STAFF, township, office)
                if township.code == "371525113":
                    User.objects.filter(username="wanshan_officer").update(org_unit=office)
        self._field_chiefs(guanxian, bureau)

    def _field_chiefs(self, county: Region, bureau: OrgUnit) -> None:
        """县-乡-村-网格 four levels. Village and grid chiefs are created in bulk (760 + ~2,300 people)."""
        rng = self.rng
        county_user = self._user("chief_371525", f"{synth.person_name(rng)}（示例）", Role.FIELD_CHIEF, county, bureau)
        county_chief = people.appoint_field_chief(actor=None, user=county_user, level=FieldChief.Level.COUNTY,
                                                  region=county, title="县长", is_synthetic=True)
        townships = list(county.children.filter(retired_in__isnull=True).order_by("code"))
        township_chiefs: dict[int, FieldChief] = {}
        for township in townships:
            user = self._user(f"chief_{township.code}", f"{synth.person_name(rng)}（示例）", Role.FIELD_CHIEF, township,
                              None)
            title = "街道办事处主任" if township.kind == "街道" else ("乡长" if township.kind == "乡" else "镇长")
            township_chiefs[township.pk] = people.appoint_field_chief(actor=None, user=user,
                                                                      level=FieldChief.Level.TOWNSHIP,
                                                                      region=township, superior=county_chief,
                                                                      title=title, is_synthetic=True)
        villages = list(Region.objects.filter(parent__in=townships, level=Level.VILLAGE).order_by("code"))
        grids_by_village: dict[int, list[Grid]] = {}
        for grid in Grid.objects.filter(village__in=villages).order_by("code"):
            grids_by_village.setdefault(grid.village_id, []).append(grid)

        users = [User(username=f"chief_{v.code}", full_name=f"{synth.person_name(rng)}（示例）", role=Role.FIELD_CHIEF,
                      scope_region=v, password=self.password, is_synthetic=True) for v in villages]
        grid_users = [
            User(username=f"chief_{g.code}", full_name=f"{synth.person_name(rng)}（示例）", role=Role.FIELD_CHIEF,
                           scope_region=v, password=self.password, is_synthetic=True)
                      for v in villages for g in grids_by_village.get(v.pk, [])]
        User.objects.bulk_create(users + grid_users, batch_size=500)
        by_name = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users + grid_users])}
        village_chiefs = [FieldChief(user=by_name[f"chief_{v.code}"], level=FieldChief.Level.VILLAGE, region=v,
                                     superior=township_chiefs[v.parent_id], title="村党支部书记", is_synthetic=True)
                                         for v in villages]
        FieldChief.objects.bulk_create(village_chiefs, batch_size=500)
        chief_of_village = {c.region_id: c
                            for c in FieldChief.objects.filter(level=FieldChief.Level.VILLAGE, region__in=villages)}
        grid_chiefs = [FieldChief(user=by_name[f"chief_{g.code}"], level=FieldChief.Level.GRID, region=v,
                                  superior=chief_of_village[v.pk], title="村民小组组长", is_synthetic=True)
                       for v in villages for g in grids_by_village.get(v.pk, [])]
        FieldChief.objects.bulk_create(grid_chiefs, batch_size=500)
        through = FieldChief.grids.through
        saved = {c.user.username: c
            for c in FieldChief.objects.filter(level=FieldChief.Level.GRID, region__in=villages).select_related("user")}
        through.objects.bulk_create([through(fieldchief_id=saved[f"chief_{g.code}"].pk, grid_id=g.pk)
                                     for v in villages for g in grids_by_village.get(v.pk, [])], batch_size=1000)
        for user in User.objects.filter(username__in=by_name).select_related("scope_region", "org_unit"):
            self._audit_create(user, user.scope_region.code, "合成演示田长账号")
        for chief in FieldChief.objects.filter(level__in=(FieldChief.Level.VILLAGE, FieldChief.Level.GRID),
                                               region__in=villages).select_related("user", "region", "superior__user"):
            self._audit_create(chief, chief.region.code, "合成演示田长")

    def _audit_create(self, obj, region_code: str, note: str) -> None:
        from landguard.audit.services import snapshot

        self.audit.append(
            AuditEntry(actor_name="系统", action=AuditEntry.Action.CREATE, target_type=obj._meta.label_lower,
                                     target_id=str(obj.pk), target_repr=str(obj)[:200], region_code=region_code,
                                     changes={k: [None, v] for k, v in snapshot(obj).items() if v not in (None, "")},
                                     note=note))
