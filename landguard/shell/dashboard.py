"""Dashboard tiles (统计分析): what each app adds to the one dashboard page.

An app registers a tile at start-up (`<app>/extensions.py`): a template fragment of its own and a function that
computes the fragment's values for a scope, from the app's selectors. The dashboard (`web:dashboard`) renders
every registered tile in order and never imports the apps. A tile's charts are drawn by static/web/dashboard.js:
the fragment marks each with `data-chart="<name>"` and `data-chart-kind` (`hbar`, `pie`, `bar`, `line` or
`percent`), and its values carry the rows under `charts[<name>]`; chart names are global, so prefix them with the
app when in doubt.

A tile's HTML and chart rows are kept for a moment in the figures cache (core/figures_cache.py, keyed by the scope:
a tile's values depend on nothing else), like the homes' sections."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

from landguard.core import figures_cache
from landguard.core.scope import RegionScope
from landguard.shell.registry import Registry


@dataclass(frozen=True)
class Tile:
    key: str  # "<app>.<what>", e.g. "people.organisation"
    template: str  # the app's fragment, rendered with the values of `context`
    context: Callable[[RegionScope], dict[str, Any]]  # may hold "charts": {name: rows} for dashboard.js
    order: int = 100
    # Buttons in the page head: (label, URL name), e.g. the tile's xlsx export.
    actions: tuple[tuple[str | Promise, str], ...] = ()


@dataclass(frozen=True)
class ShownTile:
    tile: Tile
    html: SafeString  # the fragment rendered with its values


TILES: Registry[Tile] = Registry("dashboard tile", key=lambda t: t.key, order=lambda t: t.order)
register = TILES.register


def tiles(scope: RegionScope) -> tuple[list[ShownTile], dict[str, Any]]:
    """Every tile with its values for `scope`, and the chart rows of all of them (one json_script block)."""
    shown, charts = [], {}
    for tile in TILES.all():
        html, tile_charts = figures_cache.cached(f"dashboard.{tile.key}", scope, partial(_render, tile, scope))
        charts.update(tile_charts)
        shown.append(ShownTile(tile, mark_safe(html)))
    return shown, charts


def _render(tile: Tile, scope: RegionScope) -> tuple[str, dict[str, Any]]:
    context = tile.context(scope)
    return render_to_string(tile.template, {"tile": context}), context.get("charts", {})
