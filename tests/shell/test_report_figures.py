"""Report figures (shell/figures.py): what is drawn is where it lies, in its colour, with a scale bar in metres."""

from __future__ import annotations

import io

import shapely
from PIL import Image

from landguard.shell.figures import FigureLayer, LegendEntry, _Frame, map_png


def test_nothing_to_draw_gives_no_figure():
    assert map_png([FigureLayer([], "#ff0000")]) is None


def test_each_polygon_is_filled_with_its_own_colour_where_it_lies():
    west, east = shapely.box(115.50, 36.50, 115.51, 36.51), shapely.box(115.52, 36.50, 115.53, 36.51)
    png = map_png([FigureLayer([west, east], ["#ff0000", "#0000ff"], opacity=1.0)],
                  [LegendEntry("#ff0000", "耕地")], width=800, height=400)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (800, 400)
    frame = _Frame((115.50, 36.50, 115.53, 36.51), 800, 400, 60)
    (wx, wy), (ex, ey) = frame.pixels(shapely.get_coordinates(shapely.points([(115.505, 36.505), (115.525, 36.505)])))
    assert image.getpixel((round(wx), round(wy))) == (255, 0, 0)
    assert image.getpixel((round(ex), round(ey))) == (0, 0, 255)
    between = frame.pixels(shapely.get_coordinates(shapely.points([(115.515, 36.505)])))[0]
    assert image.getpixel((round(between[0]), round(between[1]))) == (250, 250, 247)  # the background


def test_the_scale_bar_is_measured_on_the_ellipsoid():
    frame = _Frame((115.0, 36.0, 116.0, 37.0), 1000, 1000, 0)
    # one degree of longitude at 36.5° N is about 89.6 km on the ellipsoid; the frame spans it in its pixels
    pixels_per_degree = frame.kx * frame.scale
    assert abs(frame.metres_per_pixel() * pixels_per_degree - 89_620) < 200
