"""Deterministic synthetic geography: partition a real outline into township, village and grid cells.

Everything here is seeded, so the same outline always yields the same cells, names and codes and tests
may rely on them. Cells are Voronoi diagrams of seed points, computed in a locally isotropic frame
(longitude scaled by cos(latitude)) so cells are not stretched east-west, then clipped to the parent.
"""

from __future__ import annotations

import math
import random

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

SURNAMES = list(
    "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤"
)
VILLAGE_PATTERNS = ["{s}庄", "{s}屯", "{s}楼", "{s}店", "{s}寨", "{s}集", "东{s}", "西{s}", "南{s}", "北{s}", "{s}堂",
                    "{s}洼", "{s}官屯", "前{s}", "后{s}"]
GIVEN = list("建国伟芳秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰春梅海燕志强红梅")


def _frame(lat: float) -> float:
    return math.cos(math.radians(lat))


def _to_iso(geom: BaseGeometry, k: float) -> BaseGeometry:
    return shapely.transform(geom, lambda c: c * np.array([k, 1.0]))


def _from_iso(geom: BaseGeometry, k: float) -> BaseGeometry:
    return shapely.transform(geom, lambda c: c / np.array([k, 1.0]))


def _polygonal(geom: BaseGeometry) -> MultiPolygon:
    parts = [g for g in shapely.get_parts(shapely.make_valid(geom)) if isinstance(g, Polygon) and not g.is_empty]
    nested: list[Polygon] = []
    for part in parts:
        nested.extend(shapely.get_parts(part) if not isinstance(part, Polygon) else [part])
    return MultiPolygon([p for p in nested if p.area > 0])


def _sample_points(area: BaseGeometry, n: int, rng: random.Random, min_dist: float) -> list[Point]:
    minx, miny, maxx, maxy = area.bounds
    shapely.prepare(area)  # fast repeated contains()
    points: list[Point] = []
    attempts = 0
    while len(points) < n:
        attempts += 1
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if not area.contains(p):
            continue
        # Relax the spacing if the shape is too tight for it, so sampling always ends.
        spacing = min_dist * (0.97 ** (attempts // 200))
        if all(p.distance(q) >= spacing for q in points):
            points.append(p)
    return points


def partition(outline: BaseGeometry, n: int, seed: str, *, fixed: list[Point] | None = None,
              relax: int = 2) -> list[MultiPolygon]:
    """Split `outline` (lon/lat) into n cells. `fixed` seed points (lon/lat) come first and are not relaxed."""
    rng = random.Random(seed)
    k = _frame(outline.centroid.y)
    iso = _to_iso(outline, k)
    fixed_iso = [_to_iso(p, k) for p in (fixed or [])]
    spacing = math.sqrt(iso.area / max(n, 1)) * 0.6
    free = _sample_points(iso, n - len(fixed_iso), rng, spacing)
    points = fixed_iso + free
    cells: list[BaseGeometry] = []
    for iteration in range(relax + 1):
        diagram = shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=iso.envelope.buffer(iso.length),
                                           ordered=True)
        cells = [cell.intersection(iso) for cell in shapely.get_parts(diagram)]
        if iteration < relax:  # Lloyd relaxation: move free seeds to their cell centroids for even cells
            points = fixed_iso + [c.centroid if not c.is_empty else p for c,
                                  p in zip(cells[len(fixed_iso):], free, strict=False)]
            free = points[len(fixed_iso):]
    return [_polygonal(_from_iso(cell, k)) for cell in cells]


def village_names(count: int, rng: random.Random, taken: set[str]) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(VILLAGE_PATTERNS).format(s=rng.choice(SURNAMES)) + "村"
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
