"""A reproducible synthetic county: a 三调-like DLTB tessellation and control layers, for tests and
``make bench`` (issue 3 item 7). Everything is seeded: the same (n, seed, bbox) gives byte-identical
geometries.

How the DLTB is built (all numpy/shapely vectorised; 500 000 parcels in ~9.5 s on the 2-core dev box,
half of it the Voronoi diagram, peak memory ~0.9 GB):

1. Work in a local metric frame (x = Δlon·k_x, y = Δlat·k_y) so cells are not stretched east–west.
2. Linear features (rivers 1101, railway 1001, 公路 1003, a grid of 农村道路 1006 and 沟渠 1107) are
   drawn as polylines. Along each, three rows of points are laid: the line itself and one row at ±width on
   each side. The Voronoi cell of a centre point is then exactly a width × spacing rectangle, so a road
   becomes a chain of long thin parcels, as 三调 maps linear features (as polygons). Other points are kept
   out of a band around the lines so the strip stays intact.
3. Settlements: the county seat and township seats (dense clusters of 城镇 classes) and villages
   (clusters of 0702 农村宅基地 with village roads, ponds, 空闲地 …), at 冠县's real density of villages.
4. Background points fill the rest; their class comes from smooth random fields, so orchards and
   woodland form patches instead of salt-and-pepper; the remainder is mostly 0102 水浇地 (a North China
   Plain county like 冠县: 耕地 ~55 %, 果园 — 冠县 is known for pears — and poplar woodland).
5. One Voronoi diagram of all n points (shapely.voronoi_polygons, ordered), clipped to the bbox: exactly n
   convex parcels that tile the bbox with shared edges.

Attributes follow domain.md §1.1: BSM, TBBH, DLBM, DLMC, TBMJ (ellipsoidal area, 2 dp), GDLX, GDPDJB,
KCDLBM, KCXS, KCMJ, TBDLMJ, QSXZ. The 田坎系数 values are INVENTED placeholders (domain.md §10 item 3: the
provincial table is still to be obtained), set small as on a plain. QSXZ (权属性质) follows how land is held
on the plain (status I, a plausible pattern, not survey figures): construction land in the town cores mostly
国有 (20 划拨/出让 use rights, 10), with some 集体 (城中村); roads, railways and rivers 10; villages and open
land 集体 (30/31/32), village enterprises partly 40, a few state forest and industrial parcels. It is drawn
from a generator of its own, so every other attribute and geometry is what it was before QSXZ existed.

Scale: the default bbox is 冠县's (≈1 727 km²). Real 三调 parcels average 1–2 ha there, i.e. ~100 000
parcels; 500 000 in the same bbox is a stress test with smaller parcels (~0.35 ha), which is what the
benchmark wants. Pass a larger bbox for realistic sizes at 500 000.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from landguard.engine.kinds import ControlKind
from landguard.engine.landclass import BigClass, classify
from landguard.engine.layers import ControlLayer, DltbLayer

# 冠县: bounding box of the outline in refdata (DataV, GCJ-02; its ~0.5 km offset from CGCS2000 does not
# matter for synthetic data), county seat (as landguard.demo.loader.GUANXIAN_SEAT), village density
# (760 villages, the county's own figure, over the outline's 1 161 km² ellipsoidal area).
GUANXIAN_BBOX = (115.27, 36.36, 115.79, 36.71)
GUANXIAN_SEAT = (115.445, 36.485)
VILLAGES_PER_KM2 = 760 / 1161.0
TOWNSHIPS_PER_KM2 = 17 / 1161.0  # 冠县 has 18 乡镇/街道; the seat is placed separately

_EARTH_RADIUS = 6371008.8
_MAX_SAMPLING_ROUNDS = 200  # rejection sampling gives up (bbox too small) rather than loop forever

# Point budget shares (of n). Lines take three points per segment; their share is an upper bound.
_LINE_SHARE = 0.16
_TOWN_SHARE = 0.06
_VILLAGE_SHARE = 0.22

# (code, width m) of linear features; grid lines split between 1006 and 1107.
_RIVER = ("1101", 80.0)
_RAILWAY = ("1001", 24.0)
_HIGHWAY = ("1003", 36.0)  # 公路用地 includes 路堤, 边沟 and 护路林, not just the pavement
_FARM_ROAD = ("1006", 6.0)
_DITCH = ("1107", 10.0)  # 沟渠 includes its banks

# Class mixes (probabilities) inside settlements and on open land. Chosen to give a 冠县-like mix.
_TOWN_MIX = {"0701": 0.38, "0601": 0.16, "05H1": 0.10, "1004": 0.10, "08H2": 0.06, "0810": 0.04, "0508": 0.04,
             "08H1": 0.03, "1201": 0.03, "0809": 0.02, "0702": 0.01, "1005": 0.01, "09": 0.01, "1104": 0.01}
_VILLAGE_MIX = {"0702": 0.85, "1004": 0.05, "1104": 0.03, "1201": 0.02, "0601": 0.015, "1202": 0.015,
                "08H2": 0.015, "0301": 0.015}
_OPEN_MIX = {"0102": 0.77, "0103": 0.07, "0101": 0.005, "1202": 0.045, "1104": 0.035, "0404": 0.015,
             "0601": 0.012, "0204": 0.01, "0307": 0.01, "1206": 0.006, "1204": 0.003, "1201": 0.003,
             "1109": 0.003, "0602": 0.002, "09": 0.002, "0809": 0.002}
_RIVERSIDE_MIX = {"1106": 0.25, "0301": 0.30, "0404": 0.10, "0102": 0.30, "1104": 0.05}
_ORCHARD_SHARE = 0.12  # of open land: 0201 果园 patches
_WOOD_SHARE = 0.11  # of open land: 0301 乔木林地 (poplar) patches

# QSXZ (权属性质) mixes (status I, see the module docstring) and the codes always held by the state.
_STATE_ALWAYS = ("1001", "1003", "1101", "1106", "1109")  # railways, 公路, rivers and their flats, 水工建筑
_TOWN_BUILT_QSXZ = {"20": 0.55, "10": 0.30, "30": 0.15}
_COLLECTIVE_QSXZ = {"30": 0.25, "31": 0.35, "32": 0.40}
_VILLAGE_WORKS_QSXZ = {"40": 0.30, "32": 0.40, "30": 0.30}  # village enterprises and services on 集体 land
_OPEN_WORKS_QSXZ = {"20": 0.60, "30": 0.25, "40": 0.15}  # industry, mining, special land in the open
_STATE_FOREST_SHARE = 0.15  # of 0301 乔木林地 on open land: 国有林场
# Which group a point came from, for QSXZ: linear feature, town, village, open land.
_LINE, _TOWN, _VILLAGE, _OPEN = range(4)

# INVENTED 田坎系数 (fraction) by (GDLX, GDPDJB) — placeholders until the provincial table is supplied.
_KCXS_TABLE = {("", 1): 0.012, ("PD", 2): 0.035, ("TT", 2): 0.058, ("PD", 3): 0.070, ("TT", 3): 0.110}


class _Frame:
    """Local equirectangular metric frame at the bbox's mid-latitude (synthetic data only)."""

    def __init__(self, bbox: tuple[float, float, float, float]) -> None:
        self.lon0, self.lat0 = bbox[0], bbox[1]
        mid = math.radians((bbox[1] + bbox[3]) / 2)
        self.ky = _EARTH_RADIUS * math.pi / 180
        self.kx = self.ky * math.cos(mid)
        self.width = (bbox[2] - bbox[0]) * self.kx
        self.height = (bbox[3] - bbox[1]) * self.ky

    def to_degrees(self, geoms: np.ndarray) -> np.ndarray:
        scale = np.array([1 / self.kx, 1 / self.ky])
        origin = np.array([self.lon0, self.lat0])
        return shapely.transform(geoms, lambda c: c * scale + origin)

    def to_metric(self, geoms: np.ndarray) -> np.ndarray:
        scale = np.array([self.kx, self.ky])
        origin = np.array([self.lon0, self.lat0])
        return shapely.transform(geoms, lambda c: (c - origin) * scale)

    def xy(self, lonlat: np.ndarray) -> np.ndarray:
        return (lonlat - np.array([self.lon0, self.lat0])) * np.array([self.kx, self.ky])


def _smooth_field(rng: np.random.Generator, xy: np.ndarray, width: float, height: float, cell: float) -> np.ndarray:
    """A smooth random field in [0, 1] at the points: bilinear interpolation of a coarse random grid,
    two octaves. Gives spatially coherent patches (orchards, woods, farmland blocks)."""
    total = np.zeros(len(xy))
    for octave, weight in ((cell, 0.7), (cell / 2.5, 0.3)):
        nx, ny = int(width // octave) + 2, int(height // octave) + 2
        grid = rng.random((ny + 1, nx + 1))
        gx, gy = xy[:, 0] / octave, xy[:, 1] / octave
        ix = np.clip(gx.astype(int), 0, nx - 1)
        iy = np.clip(gy.astype(int), 0, ny - 1)
        fx, fy = np.clip(gx - ix, 0, 1), np.clip(gy - iy, 0, 1)
        value = (grid[iy, ix] * (1 - fx) * (1 - fy) + grid[iy, ix + 1] * fx * (1 - fy)
                 + grid[iy + 1, ix] * (1 - fx) * fy + grid[iy + 1, ix + 1] * fx * fy)
        total += weight * value
    return total


def _draw(rng: np.random.Generator, mix: dict[str, float], size: int) -> np.ndarray:
    codes = np.array(list(mix), dtype=object)
    p = np.array(list(mix.values()), dtype=float)
    return codes[rng.choice(len(codes), size=size, p=p / p.sum())]


def _crossing_line(rng: np.random.Generator, w: float, h: float, vertices: int, wobble: float,
                   horizontal: bool | None = None) -> shapely.LineString:
    """A polyline from one side of the frame to the opposite one, with lateral wobble (meanders)."""
    horizontal = bool(rng.random() < 0.5) if horizontal is None else horizontal
    t = np.linspace(0, 1, vertices)
    if horizontal:
        y = rng.uniform(0.1, 0.9) * h + np.cumsum(rng.normal(0, wobble, vertices))
        x = t * w
    else:
        x = rng.uniform(0.1, 0.9) * w + np.cumsum(rng.normal(0, wobble, vertices))
        y = t * h
    # Extend slightly past the frame so strips reach the edge; points outside are dropped later.
    return shapely.LineString(np.column_stack([x, np.clip(y, -0.05 * h, 1.05 * h)] if horizontal
                                              else [np.clip(x, -0.05 * w, 1.05 * w), y]))


def _line_points(lines: list[shapely.LineString], widths: np.ndarray,
                 spacing: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three rows of points along each line (centre and ±width): returns (xy, line id, is centre)."""
    arr = np.array(lines, dtype=object)
    lengths = shapely.length(arr)
    counts = np.maximum((lengths // spacing).astype(int), 1)
    line_id = np.repeat(np.arange(len(arr)), counts)
    step = lengths[line_id] / counts[line_id]
    rank = np.arange(len(line_id)) - np.repeat(np.cumsum(counts) - counts, counts)
    d = (rank + 0.5) * step
    on = shapely.get_coordinates(shapely.line_interpolate_point(arr[line_id], d))
    ahead = shapely.get_coordinates(shapely.line_interpolate_point(arr[line_id], d + 1.0))
    behind = shapely.get_coordinates(shapely.line_interpolate_point(arr[line_id], d - 1.0))
    tangent = ahead - behind
    tangent /= np.maximum(np.hypot(tangent[:, 0], tangent[:, 1]), 1e-12)[:, None]
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]]) * widths[line_id][:, None]
    xy = np.concatenate([on, on + normal, on - normal])
    ids = np.concatenate([line_id, line_id, line_id])
    centre = np.concatenate([np.ones(len(on), bool), np.zeros(2 * len(on), bool)])
    return xy, ids, centre


def _disc(rng: np.random.Generator, centres: np.ndarray, radii: np.ndarray,
          counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points in discs; returns (xy, relative distance from the centre 0..1)."""
    owner = np.repeat(np.arange(len(centres)), counts)
    rel = np.sqrt(rng.random(len(owner)))
    angle = rng.random(len(owner)) * 2 * np.pi
    xy = centres[owner] + np.column_stack([np.cos(angle), np.sin(angle)]) * (rel * radii[owner])[:, None]
    return xy, rel


def synthetic_dltb(n: int, seed: int = 0, bbox: tuple[float, float, float, float] = GUANXIAN_BBOX) -> DltbLayer:
    """Exactly ``n`` DLTB parcels tiling ``bbox`` (lon/lat, EPSG:4490), reproducible by ``seed``."""
    if n < 10:
        raise ValueError("n must be at least 10")
    rng = np.random.default_rng([seed, 0x3D7B])
    frame = _Frame(bbox)
    w, h = frame.width, frame.height
    area_km2 = w * h / 1e6
    spacing_bg = math.sqrt(w * h / n)  # mean distance between parcel centres
    spacing_line = max(2.5 * spacing_bg, 60.0)  # length of one linear parcel

    # --- linear features, within the point budget -------------------------------------------------
    budget = _LINE_SHARE * n / 3  # centre points (three rows each)
    lines: list[shapely.LineString] = []
    line_kind: list[tuple[str, float]] = []
    mains: list[tuple[tuple[str, float], shapely.LineString]] = []
    for _ in range(max(1, round(area_km2 / 1200))):
        mains.append((_RIVER, _crossing_line(rng, w, h, 40, 0.02 * min(w, h))))
    for _ in range(max(1, round(area_km2 * 5 / 1000))):
        mains.append((_HIGHWAY, _crossing_line(rng, w, h, 6, 0.01 * min(w, h))))
    if rng.random() < area_km2 / 1500:
        mains.append((_RAILWAY, _crossing_line(rng, w, h, 3, 0.002 * min(w, h))))
    used = 0.0
    for kind, line in mains:
        cost = line.length / spacing_line
        if used + cost <= budget:
            lines.append(line)
            line_kind.append(kind)
            used += cost
    # The farm grid (农村道路 and 沟渠, roughly N–S and E–W as on the plain) takes what is left.
    grid_length = (budget - used) * spacing_line
    n_grid = int(grid_length // ((w + h) / 2))
    for k in range(n_grid):
        horizontal = k % 2 == 0
        lines.append(_crossing_line(rng, w, h, 4, 0.003 * min(w, h), horizontal=horizontal))
        line_kind.append(_FARM_ROAD if rng.random() < 0.55 else _DITCH)
    codes_line: list[np.ndarray] = []
    if lines:
        widths = np.array([kind[1] for kind in line_kind])
        lxy, lid, centre = _line_points(lines, widths, spacing_line)
        inside = (lxy[:, 0] > 0) & (lxy[:, 0] < w) & (lxy[:, 1] > 0) & (lxy[:, 1] < h)
        lxy, lid, centre = lxy[inside], lid[inside], centre[inside]
        line_codes = np.array([kind[0] for kind in line_kind], dtype=object)
        # Centre cells are the feature; the side rows are the neighbouring land (classed with open land).
        codes_line = [np.where(centre, line_codes[lid], None)]
        # Keep every other point out of a band around the lines, so the strips are not broken.
        band = shapely.union_all(shapely.buffer(np.array(lines, dtype=object), widths * 1.5 + 0.3 * spacing_bg))
        shapely.prepare(band)
        river = [ln for ln, kind in zip(lines, line_kind, strict=True) if kind == _RIVER]
        riverside = shapely.buffer(shapely.union_all(river), 400.0) if river else shapely.Polygon()
        shapely.prepare(riverside)
    else:
        lxy = np.zeros((0, 2))
        band = riverside = shapely.Polygon()

    def outside_band(xy: np.ndarray) -> np.ndarray:
        if band.is_empty:
            return np.ones(len(xy), dtype=bool)
        return ~shapely.contains_xy(band, xy[:, 0], xy[:, 1])

    # --- settlements -----------------------------------------------------------------------------
    n_town = round(_TOWN_SHARE * n)
    n_village = round(_VILLAGE_SHARE * n)
    seat = frame.xy(np.array(GUANXIAN_SEAT))
    if not (0 < seat[0] < w and 0 < seat[1] < h):
        seat = np.array([w / 2, h / 2])
    n_townships = max(0, round(TOWNSHIPS_PER_KM2 * area_km2))
    town_centres = np.vstack([seat, rng.random((n_townships, 2)) * [w, h]])
    town_radii = np.concatenate([[min(3500.0, 0.2 * min(w, h))], rng.uniform(500, 900, n_townships)])
    town_weights = town_radii**2 / (town_radii**2).sum()
    # The real density of villages whatever n is (so the area mix does not depend on n); small n just
    # gives each village fewer, larger parcels.
    n_villages = max(1, min(round(VILLAGES_PER_KM2 * area_km2), n_village // 3))
    village_centres = rng.random((n_villages, 2)) * [w, h]
    village_radii = np.clip(rng.lognormal(np.log(320), 0.35, n_villages), 120, 800)  # inner 0.7 r ≈ 16 ha

    def settlement_points(want: int, centres: np.ndarray, radii: np.ndarray,
                          weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        got_xy, got_rel = [np.zeros((0, 2))], [np.zeros(0)]
        have = 0
        rounds = 0
        while have < want:
            rounds += 1
            if rounds > _MAX_SAMPLING_ROUNDS:
                raise ValueError("bbox too small: settlements do not fit outside the linear features")
            counts = rng.multinomial(int((want - have) * 1.3) + 8, weights)
            xy, rel = _disc(rng, centres, radii, counts)
            ok = outside_band(xy) & (xy[:, 0] > 0) & (xy[:, 0] < w) & (xy[:, 1] > 0) & (xy[:, 1] < h)
            got_xy.append(xy[ok])
            got_rel.append(rel[ok])
            have += int(ok.sum())
        return np.concatenate(got_xy)[:want], np.concatenate(got_rel)[:want]

    txy, trel = settlement_points(n_town, town_centres, town_radii, town_weights)
    vxy, vrel = settlement_points(n_village, village_centres, village_radii,
                                  village_radii**2 / (village_radii**2).sum())
    # Inner points get settlement classes; the outer ring is the fringe, classed with open land.
    town_codes = np.where(trel < 0.8, _draw(rng, _TOWN_MIX, len(txy)), None)
    village_codes = np.where(vrel < 0.7, _draw(rng, _VILLAGE_MIX, len(vxy)), None)

    # --- open land -------------------------------------------------------------------------------
    n_open = n - len(lxy) - len(txy) - len(vxy)
    if n_open < 0:
        raise ValueError("n too small for this bbox")
    # Open land stays out of the settlement cores, or its points would dilute them (a core's cells must
    # all be settlement classes for settlements to get their share of the area).
    cores = shapely.union_all(shapely.buffer(shapely.points(np.vstack([town_centres, village_centres])),
                                             np.concatenate([0.8 * town_radii, 0.7 * village_radii])))
    shapely.prepare(cores)
    parts: list[np.ndarray] = []
    have = 0
    rounds = 0
    while have < n_open:
        rounds += 1
        if rounds > _MAX_SAMPLING_ROUNDS:
            raise ValueError("bbox too small: no open land left outside settlements and linear features")
        xy = rng.random((int((n_open - have) * 1.5) + 16, 2)) * [w, h]
        xy = xy[outside_band(xy) & ~shapely.contains_xy(cores, xy[:, 0], xy[:, 1])]
        parts.append(xy)
        have += len(xy)
    oxy = np.concatenate(parts)[:n_open] if parts else np.zeros((0, 2))

    xy = np.concatenate([lxy, txy, vxy, oxy])
    group = np.repeat(np.array([_LINE, _TOWN, _VILLAGE, _OPEN], dtype=np.int8),
                      [len(lxy), len(txy), len(vxy), len(oxy)])
    codes = np.concatenate(codes_line + [town_codes, village_codes, np.full(len(oxy), None, dtype=object)])
    free = np.flatnonzero(codes == None)  # noqa: E711 — element-wise test on an object array
    fxy = xy[free]
    open_codes = _draw(rng, _OPEN_MIX, len(free))
    orchard = _smooth_field(rng, fxy, w, h, 2500.0)
    wood = _smooth_field(rng, fxy, w, h, 1800.0)
    is_orchard = orchard >= np.quantile(orchard, 1 - _ORCHARD_SHARE)
    is_wood = ~is_orchard & (wood >= np.quantile(wood[~is_orchard], 1 - _WOOD_SHARE)) if (
        ~is_orchard).any() else is_orchard
    open_codes[is_orchard] = "0201"
    open_codes[is_wood] = "0301"
    if not riverside.is_empty:
        near = shapely.contains_xy(riverside, fxy[:, 0], fxy[:, 1]) & ~is_orchard
        open_codes[near] = _draw(rng, _RIVERSIDE_MIX, int(near.sum()))
    codes[free] = open_codes

    # --- the tessellation ------------------------------------------------------------------------
    cells = shapely.get_parts(shapely.voronoi_polygons(
        shapely.multipoints(xy), extend_to=shapely.box(-w, -h, 2 * w, 2 * h), ordered=True))
    if len(cells) != n:
        raise RuntimeError(f"Voronoi gave {len(cells)} cells for {n} points (duplicate points?)")
    cells = shapely.clip_by_rect(cells, 0.0, 0.0, w, h)
    geometry = frame.to_degrees(cells)

    qsxz = _qsxz(np.random.default_rng([seed, 0x95A7]), codes.astype(str), group)
    return _with_attributes(rng, geometry, codes.astype(str), qsxz, name=f"合成地类图斑 n={n} seed={seed}")


def _qsxz(rng: np.random.Generator, codes: np.ndarray, group: np.ndarray) -> np.ndarray:
    """权属性质 of each parcel from its class and where its point came from (see the module docstring)."""
    distinct, inverse = np.unique(codes, return_inverse=True)
    built = np.array([classify(str(c)).big_class == BigClass.CONSTRUCTION for c in distinct], dtype=bool)[inverse]
    qsxz = _draw(rng, _COLLECTIVE_QSXZ, len(codes))
    town_built = (group == _TOWN) & built & (codes != "0702")
    qsxz[town_built] = _draw(rng, _TOWN_BUILT_QSXZ, int(town_built.sum()))
    village_works = (group == _VILLAGE) & built & ~np.isin(codes, ("0702", "1004"))
    qsxz[village_works] = _draw(rng, _VILLAGE_WORKS_QSXZ, int(village_works.sum()))
    open_works = (group == _OPEN) & np.isin(codes, ("0601", "0602", "09"))
    qsxz[open_works] = _draw(rng, _OPEN_WORKS_QSXZ, int(open_works.sum()))
    forest = (group == _OPEN) & (codes == "0301")
    qsxz[forest & (rng.random(len(codes)) < _STATE_FOREST_SHARE)] = "10"
    state = np.isin(codes, _STATE_ALWAYS) | ((group == _TOWN) & np.isin(codes, ("1004", "1005")))
    qsxz[state] = "10"
    return qsxz.astype(str)


def clip_dltb(dltb: DltbLayer, outline: shapely.Geometry) -> DltbLayer:
    """The DLTB cut to ``outline`` (lon/lat): every parcel lies inside it, touching at most its line, and
    together they tile it as a real 三调 DLTB tiles its county. The parcels whose representative point lies
    inside come first, in their order (so their BSM, given by position, do not depend on the cut), then the
    inside parts of the parcels across the line; parts without area are dropped. TBMJ, KCMJ and TBDLMJ
    follow the cut; every other attribute is kept."""
    shapely.prepare(outline)
    inside = shapely.contains(outline, shapely.point_on_surface(dltb.geometry))
    meets = shapely.intersects(outline, dltb.geometry)
    order = np.concatenate([np.flatnonzero(inside), np.flatnonzero(meets & ~inside)])
    geometry = dltb.geometry[order].copy()
    cut = np.flatnonzero(~shapely.covered_by(geometry, outline))
    if len(cut):
        parts = shapely.intersection(geometry[cut], outline)
        # a cut along the line may leave lines or points beside the polygon
        for k, part in zip(cut, parts, strict=True):
            if shapely.get_type_id(part) == 7:
                part = shapely.union_all([p for p in shapely.get_parts(part) if shapely.get_type_id(p) in (3, 6)])
            geometry[k] = part
    keep = np.flatnonzero(~shapely.is_empty(geometry) & (shapely.area(geometry) > 0))
    order, geometry = order[keep], geometry[keep]
    attributes = {key: np.asarray(values)[order] for key, values in dltb.attributes.items()}
    layer = DltbLayer(geometry, dltb.dlbm[order], kcxs=dltb.kcxs[order], kcxs_unit="fraction", attributes=attributes,
                      name=dltb.name, qsxz=None if dltb.qsxz is None else dltb.qsxz[order])
    if "TBMJ" in attributes:
        tbmj = np.round(layer.area_m2, 2)
        kcmj = np.round(tbmj * layer.kcxs, 2)
        layer.attributes.update({"TBMJ": tbmj, "KCMJ": kcmj, "TBDLMJ": np.round(tbmj - kcmj, 2)})
    return layer


def _with_attributes(rng: np.random.Generator, geometry: np.ndarray, dlbm: np.ndarray, qsxz: np.ndarray,
                     name: str) -> DltbLayer:
    n = len(geometry)
    farmland = np.char.startswith(dlbm.astype(str), "01")
    slope = np.where(farmland, rng.choice([1, 2, 3], size=n, p=[0.88, 0.10, 0.02]), 0)
    terraced = (slope >= 2) & (rng.random(n) < 0.3)
    gdlx = np.where(slope >= 2, np.where(terraced, "TT", "PD"), "")
    kcxs = np.zeros(n)
    for (kind, level), value in _KCXS_TABLE.items():
        kcxs[farmland & (gdlx == kind) & (slope == level)] = value
    layer = DltbLayer(geometry, dlbm, kcxs=kcxs, kcxs_unit="fraction", name=name, qsxz=qsxz)
    tbmj = np.round(layer.area_m2, 2)
    kcmj = np.round(tbmj * kcxs, 2)
    dlmc = np.array([c.name for c in layer.classes], dtype=object)[layer.class_index]
    layer.attributes.update({
        "BSM": (np.int64(371525) * 10**10 + np.arange(1, n + 1)).astype(str),
        "TBBH": (np.arange(1, n + 1)).astype(str),
        "DLMC": dlmc,
        "TBMJ": tbmj,
        "GDLX": gdlx,
        "GDPDJB": np.where(slope > 0, slope.astype(str), ""),
        "KCDLBM": np.where(kcxs > 0, "1203", ""),
        "KCXS": kcxs,
        "KCMJ": kcmj,
        "TBDLMJ": np.round(tbmj - kcmj, 2),
        "QSXZ": qsxz,
    })
    return layer


# --- control layers ----------------------------------------------------------------------------------

_URBAN = ("0701", "05H1", "0508", "08H1")
_APPROVED_BUILT = ("0701", "05H1", "0508", "0601", "08H1", "08H2", "0809", "0810", "1004", "1005", "1003", "1001")


def _cluster_outline(frame: _Frame, lonlat: np.ndarray, cell_m: float, grow_m: float, min_area_m2: float) -> np.ndarray:
    """Smooth outlines around clusters of points: union of occupied grid cells, grown and simplified,
    holes filled. Returns metric-frame polygons (cheap: a few thousand boxes, not 10⁵ parcels)."""
    if len(lonlat) == 0:
        return np.zeros(0, dtype=object)
    ij = np.unique(np.floor(frame.xy(lonlat) / cell_m).astype(np.int64), axis=0)
    boxes = shapely.box(ij[:, 0] * cell_m, ij[:, 1] * cell_m, (ij[:, 0] + 1) * cell_m, (ij[:, 1] + 1) * cell_m)
    merged = shapely.buffer(shapely.buffer(shapely.union_all(boxes), grow_m), -grow_m / 2).simplify(cell_m / 10)
    polys = shapely.get_parts(merged)
    polys = shapely.polygons(shapely.get_exterior_ring(polys))  # 开发边界 / 红线 outlines without pinholes
    return polys[shapely.area(polys) >= min_area_m2]


def synthetic_controls(dltb: DltbLayer, seed: int = 0) -> dict[str, ControlLayer]:
    """Control layers that fit a synthetic DLTB: 永久基本农田 (mostly on 耕地, in blocks), 已批 (most
    urban construction plus overlapping new approval patches), 城镇开发边界 (around the towns) and
    生态保护红线 (the river corridors). Keys are the ControlKind values."""
    rng = np.random.default_rng([seed, 0xC0DE])
    minx, miny, maxx, maxy = shapely.total_bounds(dltb.geometry)
    frame = _Frame((minx, miny, maxx, maxy))
    centroids = shapely.get_coordinates(shapely.centroid(dltb.geometry))
    cxy = frame.xy(centroids)
    codes = dltb.dlbm.astype(str)

    # 永久基本农田: 耕地 in coherent blocks (~85 % of 耕地), plus a few farm roads/ditches inside the blocks.
    block = _smooth_field(rng, cxy, frame.width, frame.height, 1500.0)
    farmland = dltb.is_farmland
    threshold = np.quantile(block[farmland], 0.15) if farmland.any() else 1.0
    in_block = block >= threshold
    ancillary = np.isin(codes, ("1006", "1107")) & in_block & (rng.random(len(codes)) < 0.05)
    basic = np.flatnonzero((farmland & in_block) | ancillary)

    # 已批: most urban construction and roads, few village plots, and new approval patches near towns,
    # which overlap each other and existing parcels (several 批次 over the same land is normal).
    built = np.isin(codes, _APPROVED_BUILT) & (rng.random(len(codes)) < 0.75)
    village = (codes == "0702") & (rng.random(len(codes)) < 0.05)
    approved_parcels = dltb.geometry[built | village]
    urban = np.flatnonzero(np.isin(codes, _URBAN))
    n_patches = max(1, round(40 * frame.width * frame.height / 1e9))
    anchors = cxy[urban[rng.integers(0, len(urban), n_patches)]] if len(urban) else rng.random((n_patches, 2)) * [
        frame.width, frame.height]
    centre = anchors + rng.normal(0, 700, (n_patches, 2))
    side = np.sqrt(rng.uniform(1e4, 15e4, n_patches))  # 1–15 ha
    aspect = rng.uniform(0.5, 2.0, n_patches)
    half = np.column_stack([side * np.sqrt(aspect), side / np.sqrt(aspect)]) / 2
    patches = shapely.box(*(centre - half).T, *(centre + half).T)
    patches = shapely.clip_by_rect(patches, 0, 0, frame.width, frame.height)
    patches = frame.to_degrees(patches[~shapely.is_empty(patches)])
    approved = np.concatenate([approved_parcels, patches])

    dev = frame.to_degrees(_cluster_outline(frame, centroids[urban], 400.0, 500.0, 20e4))
    river = np.isin(codes, ("1101", "1106"))
    eco = frame.to_degrees(_cluster_outline(frame, centroids[river], 300.0, 300.0, 10e4))

    return {
        ControlKind.BASIC_FARMLAND.value: ControlLayer(ControlKind.BASIC_FARMLAND, dltb.geometry[basic]),
        ControlKind.APPROVED.value: ControlLayer(ControlKind.APPROVED, approved),
        ControlKind.DEV_BOUNDARY.value: ControlLayer(ControlKind.DEV_BOUNDARY, dev),
        ControlKind.ECO_REDLINE.value: ControlLayer(ControlKind.ECO_REDLINE, eco),
    }
