"""Map figures for the reports bureaus print (the overlay report, the weekly report): geometries in EPSG:4490 drawn
into a PNG at print resolution, with a legend, a scale bar and a north arrow, so a Word file shows where the land is
as well as how much of it there is.

Drawn with Pillow at twice the size and scaled down (anti-aliasing). Longitudes are scaled by cos(latitude) of the
figure's centre, so shapes keep their proportions at county scale; the scale bar's length is measured on the
CGCS2000 ellipsoid. Polygons are drawn largest first, so a parcel lying in another's hole is drawn over it."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from PIL import Image, ImageDraw, ImageFont
from pyproj import Geod

# fonts-noto-cjk (installed by scripts/setup.sh for the browser tests); Pillow's own font otherwise (no Chinese).
FONT_PATHS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid differs from GRS80 by 0.1 mm in the semi-minor axis
SUPERSAMPLE = 2
MAX_GEOMETRIES = 20_000  # a figure, not a map server: more than this are drawn as their outline's union


@dataclass(frozen=True)
class FigureLayer:
    """Geometries drawn alike, except their fills: one colour for all, or one per geometry (None: not filled)."""

    geometries: Sequence[shapely.Geometry]
    fill: str | Sequence[str | None] | None
    outline: str = "#555555"
    width: float = 1.0
    opacity: float = 0.85


@dataclass(frozen=True)
class LegendEntry:
    colour: str
    label: str
    outline_only: bool = False


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def _rgba(colour: str, opacity: float = 1.0) -> tuple[int, int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16), round(255 * opacity)


class _Frame:
    """Lon/lat → pixels for the figure's extent, with a margin, north up."""

    def __init__(self, bounds: tuple[float, float, float, float], width: int, height: int, margin: int) -> None:
        minx, miny, maxx, maxy = bounds
        self.kx = math.cos(math.radians((miny + maxy) / 2))
        span_x, span_y = max((maxx - minx) * self.kx, 1e-9), max(maxy - miny, 1e-9)
        self.scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
        self.x0 = (width - span_x * self.scale) / 2 - minx * self.kx * self.scale
        self.y0 = (height + span_y * self.scale) / 2 + miny * self.scale
        self.bounds = bounds

    def pixels(self, coords: np.ndarray) -> list[tuple[float, float]]:
        xs = self.x0 + coords[:, 0] * self.kx * self.scale
        ys = self.y0 - coords[:, 1] * self.scale
        return list(zip(xs.tolist(), ys.tolist(), strict=True))

    def metres_per_pixel(self) -> float:
        minx, miny, maxx, maxy = self.bounds
        lat = (miny + maxy) / 2
        degrees = 1 / (self.kx * self.scale)  # one pixel in degrees of longitude
        _, _, distance = GEOD.inv(minx, lat, minx + degrees, lat)
        return float(distance)


def _polygons(geometry: shapely.Geometry) -> list[shapely.Polygon]:
    parts = shapely.get_parts(geometry)
    return [p for p in parts if isinstance(p, shapely.Polygon) and not p.is_empty]


def _draw_layer(draw: ImageDraw.ImageDraw, frame: _Frame, layer: FigureLayer) -> None:
    geometries = list(layer.geometries)
    fills: list[str | None] = ([layer.fill] * len(geometries) if layer.fill is None or isinstance(layer.fill, str)
                               else list(layer.fill))
    if len(geometries) > MAX_GEOMETRIES:
        geometries, fills = [shapely.union_all(geometries)], [fills[0] if fills else None]
    areas = shapely.area(np.array(geometries, dtype=object)) if geometries else np.array([])
    outline = _rgba(layer.outline)
    width = max(1, round(layer.width * SUPERSAMPLE))
    for index in np.argsort(-areas, kind="stable"):
        fill = fills[index]
        for polygon in _polygons(geometries[index]):
            exterior = frame.pixels(shapely.get_coordinates(polygon.exterior))
            if len(exterior) < 3:
                continue
            draw.polygon(exterior, fill=_rgba(fill, layer.opacity) if fill else None, outline=outline, width=width)
            for ring in polygon.interiors:
                draw.line(frame.pixels(shapely.get_coordinates(ring)), fill=outline, width=width)


def _nice_length(metres: float) -> float:
    """The largest 1/2/5 × 10^n not above `metres`."""
    exponent = 10 ** math.floor(math.log10(metres))
    return max(step * exponent for step in (1, 2, 5) if step * exponent <= metres)


def _scale_bar(draw: ImageDraw.ImageDraw, frame: _Frame, width: int, height: int, margin: int) -> None:
    metres = _nice_length(frame.metres_per_pixel() * width / 4)
    pixels = metres / frame.metres_per_pixel()
    x, y = margin, height - margin // 2
    bar = 6 * SUPERSAMPLE
    draw.rectangle([x, y - bar, x + pixels, y], outline=(40, 40, 40, 255), width=SUPERSAMPLE)
    draw.rectangle([x, y - bar, x + pixels / 2, y], fill=(40, 40, 40, 255))
    label = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
    draw.text((x + pixels + 8 * SUPERSAMPLE, y - bar - 6 * SUPERSAMPLE), label, fill=(40, 40, 40, 255),
              font=_font(14 * SUPERSAMPLE))


def _north_arrow(draw: ImageDraw.ImageDraw, width: int, margin: int) -> None:
    x, y, size = width - margin, margin, 18 * SUPERSAMPLE
    draw.polygon([(x, y - size), (x - size / 2, y + size / 2), (x, y + size / 4)], fill=(40, 40, 40, 255))
    draw.polygon([(x, y - size), (x + size / 2, y + size / 2), (x, y + size / 4)], outline=(40, 40, 40, 255),
                 width=SUPERSAMPLE)
    draw.text((x - 6 * SUPERSAMPLE, y + size / 2 + 2 * SUPERSAMPLE), "N", fill=(40, 40, 40, 255),
              font=_font(14 * SUPERSAMPLE))


def _legend(draw: ImageDraw.ImageDraw, entries: Sequence[LegendEntry], width: int, height: int, margin: int) -> None:
    font = _font(13 * SUPERSAMPLE)
    line, box = 22 * SUPERSAMPLE, 14 * SUPERSAMPLE
    text_width = max((draw.textlength(e.label, font=font) for e in entries), default=0)
    panel_w, panel_h = box + 12 * SUPERSAMPLE + text_width + 16 * SUPERSAMPLE, line * len(entries) + 12 * SUPERSAMPLE
    x0, y0 = width - margin // 2 - panel_w, height - margin // 2 - panel_h
    draw.rectangle([x0, y0, x0 + panel_w, y0 + panel_h], fill=(255, 255, 255, 230), outline=(150, 150, 150, 255))
    for row, entry in enumerate(entries):
        y = y0 + 6 * SUPERSAMPLE + row * line
        colour = _rgba(entry.colour)
        left, top = x0 + 8 * SUPERSAMPLE, y + 3 * SUPERSAMPLE
        if entry.outline_only:
            draw.rectangle([left, top, left + box, top + box], outline=colour, width=2 * SUPERSAMPLE)
        else:
            draw.rectangle([left, top, left + box, top + box], fill=colour, outline=(90, 90, 90, 255))
        draw.text((x0 + 16 * SUPERSAMPLE + box, y), entry.label, fill=(30, 30, 30, 255), font=font)


def map_png(layers: Sequence[FigureLayer], legend: Sequence[LegendEntry] = (), *, width: int = 1600,
            height: int = 1100) -> bytes | None:
    """The figure as PNG bytes; None when there is nothing to draw. The extent is that of every layer together."""
    geometries = [g for layer in layers for g in layer.geometries if g is not None and not shapely.is_empty(g)]
    if not geometries:
        return None
    bounds = tuple(shapely.total_bounds(np.array(geometries, dtype=object)).tolist())
    big_w, big_h, margin = width * SUPERSAMPLE, height * SUPERSAMPLE, 60 * SUPERSAMPLE
    image = Image.new("RGBA", (big_w, big_h), (250, 250, 247, 255))
    draw = ImageDraw.Draw(image, "RGBA")
    frame = _Frame(bounds, big_w, big_h, margin)  # type: ignore[arg-type]
    for layer in layers:
        _draw_layer(draw, frame, layer)
    _scale_bar(draw, frame, big_w, big_h, margin)
    _north_arrow(draw, big_w, margin)
    if legend:
        _legend(draw, legend, big_w, big_h, margin)
    buffer = io.BytesIO()
    image.resize((width, height), Image.Resampling.LANCZOS).convert("RGB").save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
