"""Dashboard tiles (统计分析): what each app adds to the one dashboard page.

An app registers a tile at start-up (`<app>/extensions.py`): a template fragment of its own and a function that
computes the fragment's values for a scope, from the app's selectors. The dashboard (`web:dashboard`) renders
every registered tile in order and never imports the apps. A tile's charts are drawn by static/web/dashboard.js:
the fragment marks each with `data-chart="<name>"` and `data-chart-kind` (`hbar`, `pie`, `bar`, `line` or
`percent`), and its values carry the rows under `charts[<name>]`; chart names are global, so prefix them with the
app when in doubt."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

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
    context: dict[str, Any]


TILES: Registry[Tile] = Registry("dashboard tile", key=lambda t: t.key, order=lambda t: t.order)
register = TILES.register


def tiles(scope: RegionScope) -> tuple[list[ShownTile], dict[str, Any]]:
    """Every tile with its values for `scope`, and the chart rows of all of them (one json_script block)."""
    shown, charts = [], {}
    for tile in TILES.all():
        context = tile.context(scope)
        charts.update(context.get("charts", {}))
        shown.append(ShownTile(tile, context))
    return shown, charts
